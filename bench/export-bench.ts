/**
 * Bulk Data `$export` throughput: 500 patients (10 resources + a Provenance each, 5,500
 * resources) written by HttpTarget to the loopback test FHIR server (a child process, on the
 * other core when `taskset` exists) and recorded in a job's id map as the runner does; then the
 * service, listening on loopback, is driven over HTTP: kick-off → status polls → every NDJSON
 * file downloaded and its lines counted. resources/s = resources downloaded / that whole time.
 * Run alone with `node bench/export-bench.ts`; `npm run bench` imports runExportBench.
 */
import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { pathToFileURL } from 'node:url';
import { request } from 'undici';
import { buildApp } from '../src/app.ts';
import type { ExportManifest } from '../src/bulk/index.ts';
import { loadConfig } from '../src/config/index.ts';
import { openSqliteJobStore } from '../src/jobs/index.ts';
import type { JobStore } from '../src/jobs/index.ts';
import { jobTag } from '../src/provenance/index.ts';
import { HttpTarget, buildPatientBundle, resolveTargetProfile } from '../src/target/index.ts';
import type { FhirOperationsPort } from '../src/api/index.ts';
import { lineageEntries, patientResources } from '../test/support/patient-fixtures.ts';

const PATIENTS = 500;
const CONCURRENCY = 8;

export interface ExportBenchResult {
  name: string;
  resourcesPerSecond: number;
  resources: number;
  files: number;
  statusPolls: number;
  exportMs: number;
  downloadMs: number;
  elapsedMs: number;
}

/** The $validate/$translate/$transform port is not exercised here: the service is built without loading R4 and the maps. */
const UNUSED_OPERATIONS: FhirOperationsPort = {
  validate: () => ({ resourceType: 'OperationOutcome', issue: [] }),
  translate: () => ({ result: false, matches: [] }),
  transform: () => ({}),
  readiness: () => [],
};

async function startServerProcess(): Promise<{ url: string; child: ChildProcess }> {
  const script = join(import.meta.dirname, '..', 'test', 'support', 'fhir-server-main.ts');
  const pin = spawnSync('taskset', ['-c', '1', 'true']).status === 0;
  const child = pin ? spawn('taskset', ['-c', '1', process.execPath, script], { stdio: ['pipe', 'pipe', 'inherit'] }) : spawn(process.execPath, [script], { stdio: ['pipe', 'pipe', 'inherit'] });
  for await (const line of createInterface({ input: child.stdout as NodeJS.ReadableStream })) {
    if (line.startsWith('{')) return { url: (JSON.parse(line) as { url: string }).url, child };
  }
  throw new Error('the FHIR server process ended before printing its URL');
}

/** What a finished migration leaves: resources on the target, their ids in the job's id map (not timed). */
async function migrate(store: JobStore, url: string): Promise<number> {
  const job = await store.createJob({ source: 'bench', mapSet: { id: 'bench', versionHash: 'h' }, scope: { kind: 'all' }, target: url, options: { dryRun: false, phases: [], thresholds: {} } });
  const target = new HttpTarget({ baseUrl: url, connections: CONCURRENCY });
  const profile = resolveTargetProfile('medplum');
  let next = 0;
  let written = 0;
  const worker = async (): Promise<void> => {
    while (next < PATIENTS) {
      const key = `export-${next++}`;
      const resources = patientResources(key, jobTag(job.id));
      const result = await target.write(buildPatientBundle(resources, { profile, extraEntries: lineageEntries(key, resources, job.id, false) }));
      if (!result.complete) throw new Error('bundle refused');
      await store.recordTaskResults(job.id, [], result.entries.map((e) => ({ source: 'bench', kind: 'patients', recordKey: key, resourceType: e.resourceType, targetId: e.id as string })));
      written += result.entries.length;
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  await target.close();
  await store.transitionJob(job.id, 'running');
  await store.transitionJob(job.id, 'completed');
  return written;
}

async function getJson(url: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: Record<string, unknown>; body: unknown }> {
  const response = await request(url, { headers });
  const text = await response.body.text();
  return { status: response.statusCode, headers: response.headers, body: text ? JSON.parse(text) : undefined };
}

/** Streams one file and counts its lines. */
async function countLines(url: string): Promise<number> {
  const response = await request(url);
  let lines = 0;
  for await (const chunk of response.body) for (const byte of chunk as Buffer) if (byte === 10) lines++;
  return lines;
}

export async function runExportBench(): Promise<ExportBenchResult> {
  const dir = mkdtempSync(join(tmpdir(), 'fhirmig-export-bench-'));
  const { url, child } = await startServerProcess();
  const store = openSqliteJobStore({ path: join(dir, 'jobs.sqlite') });
  const config = loadConfig({}, { logLevel: 'warn', auth: { mode: 'none' }, rateLimit: { enabled: false }, dataDir: dir, export: { retryAfterSeconds: 0 } });
  const app = await buildApp(config, { store, operations: UNUSED_OPERATIONS });
  try {
    const resources = await migrate(store, url);
    const base = await app.listen({ host: '127.0.0.1', port: 0 });
    const started = performance.now();
    const kick = await getJson(`${base}/fhir/$export`, { prefer: 'respond-async' });
    if (kick.status !== 202) throw new Error(`kick-off: ${kick.status}`);
    const status = String(kick.headers['content-location']);
    let manifest: ExportManifest | undefined;
    let polls = 0;
    while (!manifest) {
      polls++;
      const poll = await getJson(status);
      if (poll.status === 200) manifest = poll.body as ExportManifest;
      else if (poll.status === 202) await new Promise((resolve) => setTimeout(resolve, 10));
      else throw new Error(`status: ${poll.status}`);
    }
    const exported = performance.now();
    const counts = await Promise.all(manifest.output.map((file) => countLines(file.url)));
    const done = performance.now();
    const downloaded = counts.reduce((a, b) => a + b, 0);
    if (downloaded !== resources) throw new Error(`downloaded ${downloaded} of ${resources} resources`);
    return {
      name: 'export: $export kick-off → download',
      resourcesPerSecond: Math.round((downloaded / (done - started)) * 1000),
      resources: downloaded,
      files: manifest.output.length,
      statusPolls: polls,
      exportMs: Math.round(exported - started),
      downloadMs: Math.round(done - exported),
      elapsedMs: Math.round(done - started),
    };
  } finally {
    await app.close();
    await store.close();
    child.stdin?.end();
    child.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const result = await runExportBench();
  process.stdout.write(`${result.name}: ${result.resourcesPerSecond.toLocaleString('en-US')} resources/s (${JSON.stringify(result)})\n`);
}
