import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openJobStore } from '../../src/jobs/index.ts';
import { startServer } from '../../src/server.ts';
import type { RunningServer } from '../../src/server.ts';
import { startFaultProxy } from '../support/fault-proxy.ts';
import type { FaultProxy } from '../support/fault-proxy.ts';
import { startFhirServer } from '../support/fhir-server.ts';
import type { RunningFhirServer } from '../support/fhir-server.ts';
import { LogSink, ROOT, testConfig } from './support.ts';

/**
 * The migration API over real HTTP (DESIGN.md §4): the service listening on loopback migrates the
 * Synthea CSVs into the loopback FHIR server; polled to completion, its report read; cancel,
 * pause (target down) and $resume; and a restart in the middle on the same store file.
 */
jest.setTimeout(180_000);

const SHARED = join(ROOT, '..', 'shared', 'testdata');
const CSV = `csv:${join(SHARED, 'synthea', 'csv')}`;
const FAST_RETRIES = { retry: { maxAttempts: 2, baseDelayMs: 10, maxDelayMs: 20 } };

interface JobBody {
  id: string;
  state: string;
  percent: number;
  progress: Record<string, number>;
  error?: { code: string };
}

interface ReportBody {
  state: string;
  balanced: boolean;
  total: { read: number; loaded: number; rejected: number; skipped: number };
  targetCounts: Record<string, number>;
  targetMismatches: Record<string, unknown>;
  errors: { code: string; count: number; records: { ref: { kind: string; locator: string } }[] }[];
}

let fhir: RunningFhirServer;
/** Every log line of every service in this file (STYLE.md rule 10: no record content in them). */
const logs = new LogSink();
/** The whole extract's totals from the uninterrupted run, for the interrupted one to match. */
let uninterrupted: ReportBody['total'] | undefined;

beforeAll(async () => {
  fhir = await startFhirServer();
});
afterAll(() => fhir.close());

async function serve(dataDir: string, migrations: Record<string, unknown> = {}): Promise<RunningServer> {
  const config = testConfig({ host: '127.0.0.1', port: 0, dataDir, migrations: { allowedRoots: [SHARED], ...migrations }, rateLimit: { enabled: false } });
  return startServer(config, { logStream: logs, cwd: ROOT, packageRoot: ROOT, targetOptions: FAST_RETRIES }, false);
}

async function call<T>(server: RunningServer, method: string, path: string, body?: unknown): Promise<{ status: number; headers: Headers; body: T }> {
  const response = await fetch(`${server.address}${path}`, { method, ...(body === undefined ? {} : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }) });
  return { status: response.status, headers: response.headers, body: (await response.json()) as T };
}

/** Polls GET /migrations/{id} until `until` holds, honouring neither more nor less than what the test needs. */
async function poll(server: RunningServer, id: string, until: (job: JobBody) => boolean): Promise<JobBody> {
  for (;;) {
    const { body } = await call<JobBody>(server, 'GET', `/migrations/${id}`);
    if (until(body)) return body;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

const settled = (job: JobBody) => !['queued', 'running', 'cancelling', 'rolling-back'].includes(job.state);

async function tagCount(type: string, jobId: string): Promise<number> {
  const response = await fetch(`${fhir.url}/${type}?_summary=count&_tag=${encodeURIComponent(`https://fhir-migrate.dev/job|${jobId}`)}`);
  return ((await response.json()) as fhir4.Bundle).total ?? -1;
}

/** Every type the report counts on the target, checked against the target itself. */
async function expectTargetAgrees(report: ReportBody, jobId: string): Promise<void> {
  expect(report.targetMismatches).toEqual({});
  for (const [type, count] of Object.entries(report.targetCounts)) expect(await tagCount(type, jobId)).toBe(count);
}

describe('the whole Synthea extract over HTTP', () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await serve(mkdtempSync(join(tmpdir(), 'fhirmig-http-')));
  });
  afterAll(() => server.close());

  it('POST → 202, polled (X-Progress, Retry-After) to completed; the report balances and the target agrees', async () => {
    const started = await call<JobBody>(server, 'POST', '/migrations', { source: CSV, target: fhir.url });
    expect(started.status).toBe(202);
    const id = started.body.id;
    expect(started.headers.get('content-location')).toBe(`/migrations/${id}`);
    expect(started.body.progress['tasksTotal']).toBe(34); // 11 patients × 3 priority phases + the shared records (organizations, providers, payers)

    const running = await call<JobBody>(server, 'GET', `/migrations/${id}`);
    expect(running.headers.get('x-progress')).toMatch(/^(queued|running): \d+% \(\d+\/34 tasks\)$/);
    expect(running.headers.get('retry-after')).toBe('2');

    const done = await poll(server, id, settled);
    expect(done.state).toBe('completed');
    const report = await call<ReportBody>(server, 'GET', `/migrations/${id}/report`);
    expect(report.status).toBe(200);
    const { read, loaded, rejected, skipped } = report.body.total;
    expect(read).toBe(loaded + rejected + skipped);
    expect(report.body.balanced).toBe(true);
    expect(read).toBe(done.progress['recordsRead']);
    expect(loaded).toBe(done.progress['recordsLoaded']);
    expect(report.body.targetCounts['Patient']).toBe(11);
    await expectTargetAgrees(report.body, id);
    uninterrupted = report.body.total;
    const rejectedInGroups = report.body.errors.reduce((n, g) => n + g.count, 0);
    expect(rejectedInGroups).toBe(rejected);

    const listed = await call<{ jobs: JobBody[] }>(server, 'GET', '/migrations?state=completed');
    expect(listed.body.jobs.map((j) => j.id)).toContain(id);

    // Patient A's name, SSN and street from patients.csv never reach a log line.
    expect(logs.lines.length).toBeGreaterThan(5);
    for (const phi of ['Temika453', 'Wuckert783', '999-33-2827', 'Kirlin Village']) expect(logs.text).not.toContain(phi);
  });
});

describe('cancel, pause and resume', () => {
  let server: RunningServer;
  let proxy: FaultProxy;
  beforeAll(async () => {
    proxy = await startFaultProxy(fhir.url);
    server = await serve(mkdtempSync(join(tmpdir(), 'fhirmig-http-')), { patientConcurrency: 1 });
  });
  afterAll(async () => {
    await server.close();
    await proxy.close();
  });

  it('$cancel stops a running job between records (cancelled, part done); $resume then completes it, each task once', async () => {
    const { body } = await call<JobBody>(server, 'POST', '/migrations', { source: CSV, target: fhir.url, dryRun: true });
    await poll(server, body.id, (job) => job.progress['tasksDone'] !== undefined && job.progress['tasksDone'] >= 1);
    const cancel = await call<JobBody>(server, 'POST', `/migrations/${body.id}/$cancel`);
    expect(cancel.status).toBe(202);
    const job = await poll(server, body.id, settled);
    expect(job.state).toBe('cancelled');
    expect(job.progress['tasksDone']).toBeLessThan(job.progress['tasksTotal'] as number);
    const resume = await call<JobBody>(server, 'POST', `/migrations/${body.id}/$resume`);
    expect(resume.status).toBe(202);
    const done = await poll(server, body.id, settled);
    expect(done.state).toBe('completed');
    expect(done.progress['tasksDone']).toBe(done.progress['tasksTotal']);
    const report = await call<ReportBody>(server, 'GET', `/migrations/${body.id}/report`);
    expect(report.body.balanced).toBe(true);
    // Each record ends once: the ledger's total equals the job's counters, which count each task once.
    expect(report.body.total.read).toBe(done.progress['recordsRead']);
  });

  it('a target that stays down pauses the job (TARGET_UNAVAILABLE); $resume completes it with nothing twice', async () => {
    const patients = ['b37f7960-7e9e-f3f7-f891-79ae4f632406', '515991e2-40dd-22c1-c377-e0b71ad973b9'];
    proxy.down({ ms: 60_000 });
    const { body } = await call<JobBody>(server, 'POST', '/migrations', { source: CSV, target: proxy.url, scope: { kind: 'patients', patientIds: patients } });
    const paused = await poll(server, body.id, settled);
    expect(paused).toMatchObject({ state: 'paused', error: { code: 'FHIRMIG_ERR_TARGET_UNAVAILABLE' } });
    const metrics = await (await fetch(`${server.address}/metrics`)).text();
    expect(metrics).toMatch(/^fhirmig_target_retries_total\{method="POST"\} [1-9]\d*$/m);
    expect(metrics).toMatch(/^fhirmig_target_requests_total\{method="POST",status="0"\} [1-9]\d*$/m);
    proxy.reset();
    const resume = await call<JobBody>(server, 'POST', `/migrations/${body.id}/$resume`);
    expect(resume.status).toBe(202);
    const again = await call<fhir4.OperationOutcome>(server, 'POST', `/migrations/${body.id}/$resume`);
    expect(again.status).toBe(409);
    const done = await poll(server, body.id, settled);
    expect(done.state).toBe('completed');
    const report = await call<ReportBody>(server, 'GET', `/migrations/${body.id}/report`);
    expect(report.body.balanced).toBe(true);
    expect(report.body.targetCounts['Patient']).toBe(2);
    await expectTargetAgrees(report.body, body.id);
  });
});

it('a restart in the middle: the new service resumes the job on the same store and completes it, with no duplicate', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'fhirmig-restart-'));
  // Default leases (30 s): a graceful stop leaves no task claimed, so the restart need not wait for one to expire.
  const first = await serve(dataDir, { patientConcurrency: 1 });
  const { body } = await call<JobBody>(first, 'POST', '/migrations', { source: CSV, target: fhir.url });
  await poll(first, body.id, (job) => (job.progress['tasksDone'] ?? 0) >= 2);
  await first.close(); // graceful: the patient in hand finishes, the job stays running
  const store = await openJobStore({ backend: 'sqlite', path: join(dataDir, 'jobs.sqlite') });
  try {
    expect((await store.getJob(body.id)).state).toBe('running');
    expect(await store.countTasks(body.id)).toMatchObject({ claimed: 0, failed: 0 }); // nothing left half-done
  } finally {
    await store.close();
  }
  const second = await serve(dataDir, { patientConcurrency: 4 });
  try {
    const stopped = await call<JobBody>(second, 'GET', `/migrations/${body.id}`);
    expect(stopped.body.progress['tasksDone']).toBeLessThan(34);
    const done = await poll(second, body.id, settled);
    expect(done.state).toBe('completed');
    expect(done.progress['tasksDone']).toBe(34);
    const report = await call<ReportBody>(second, 'GET', `/migrations/${body.id}/report`);
    expect(report.body.balanced).toBe(true);
    expect(report.body.total.read).toBe(done.progress['recordsRead']);
    expect(report.body.total).toEqual(uninterrupted); // every record once: none lost, none counted twice
    expect(report.body.targetCounts['Patient']).toBe(11);
    await expectTargetAgrees(report.body, body.id);
  } finally {
    await second.close();
  }
});
