/**
 * The migration API under load: requests/s of `GET /migrations/{id}` (autocannon, 10 connections,
 * 10 s) against the service listening on loopback in this process (the real app: SQLite job
 * store, auth off, rate limit off), with a completed job in the store — a one-patient dry run of
 * the Synthea CSVs planned and run through `POST /migrations` first. Load generator and service
 * share the process (and the core when pinned), so the figure is a floor.
 * Run alone with `node bench/api-bench.ts`; `npm run bench` imports runApiBench.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Writable } from 'node:stream';
import { loadConfig } from '../src/config/index.ts';
import { startServer } from '../src/server.ts';

const DURATION_SECONDS = Number(process.env['BENCH_API_SECONDS'] ?? 10);
const CONNECTIONS = 10;
const ROOT = join(import.meta.dirname, '..');
const SHARED = join(ROOT, '..', 'shared', 'testdata');
const PATIENT = 'b37f7960-7e9e-f3f7-f891-79ae4f632406';

export interface ApiBenchResult {
  name: string;
  requestsPerSecond: number;
  latencyP50Ms: number;
  latencyP99Ms: number;
  non2xx: number;
  connections: number;
  seconds: number;
}

/** The slice of autocannon 9's API used here (it ships no types). */
interface AutocannonResult {
  readonly requests: { readonly average: number };
  readonly latency: { readonly p50: number; readonly p99: number };
  readonly non2xx: number;
  readonly errors: number;
}
type Autocannon = (options: { url: string; connections: number; duration: number }) => Promise<AutocannonResult>;
const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon;

const silent = new Writable({ write: (_chunk, _encoding, done) => done() });

async function completedJob(address: string, outDir: string): Promise<string> {
  const body = { source: `csv:${join(SHARED, 'synthea', 'csv')}`, target: `file:${outDir}`, dryRun: true, scope: { kind: 'patients', patientIds: [PATIENT] } };
  const started = await fetch(`${address}/migrations`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  if (started.status !== 202) throw new Error(`POST /migrations answered ${started.status}: ${await started.text()}`);
  const { id } = (await started.json()) as { id: string };
  for (;;) {
    const job = (await (await fetch(`${address}/migrations/${id}`)).json()) as { state: string };
    if (job.state === 'completed') return id;
    if (!['queued', 'running'].includes(job.state)) throw new Error(`the bench job ended ${job.state}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export async function runApiBench(): Promise<ApiBenchResult> {
  const dataDir = mkdtempSync(join(tmpdir(), 'fhirmig-api-bench-'));
  const config = loadConfig({}, {
    host: '127.0.0.1', port: 0, dataDir, logLevel: 'warn', auth: { mode: 'none' }, rateLimit: { enabled: false },
    migrations: { allowedRoots: [SHARED, dataDir] },
  });
  const server = await startServer(config, { cwd: ROOT, packageRoot: ROOT, logStream: silent }, false);
  try {
    const id = await completedJob(server.address, join(dataDir, 'out'));
    const result = await autocannon({ url: `${server.address}/migrations/${id}`, connections: CONNECTIONS, duration: DURATION_SECONDS });
    if (result.errors > 0) throw new Error(`${result.errors} connection errors under load`);
    return {
      name: 'api GET /migrations/{id}',
      requestsPerSecond: Math.round(result.requests.average),
      latencyP50Ms: result.latency.p50,
      latencyP99Ms: result.latency.p99,
      non2xx: result.non2xx,
      connections: CONNECTIONS,
      seconds: DURATION_SECONDS,
    };
  } finally {
    await server.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  runApiBench().then((r) => process.stdout.write(`${JSON.stringify(r)}\n`), (error: unknown) => {
    process.stderr.write(`${String(error)}\n`);
    process.exitCode = 1;
  });
}
