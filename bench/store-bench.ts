/**
 * Job store throughput: ledger rows upserted in batches of BATCH inside one transaction each
 * (the runner's write pattern), on the embedded SQLite file (WAL) and on PostgreSQL; then the
 * same rows again (a re-run: every row an update); then claim + complete of per-patient tasks by
 * 4 concurrent loops (batches of 20 claimed, each completed on its own); then a migration's
 * shape on SQLite: PATIENT_TASKS patient tasks, each one recordTaskResults of ~360 ledger rows and
 * ~240 ids keyed by UUIDs (as at 1,000 Synthea patients: the store grows to ~0.5 GB, far past its
 * page cache, which is where random-key index writes used to cost 2–4× more).
 * PostgreSQL figures are null when it is unreachable. Run alone with `node bench/store-bench.ts`.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import pg from 'pg';
import { openPostgresJobStore, openSqliteJobStore } from '../src/jobs/index.ts';
import type { IdMapEntryInput, JobSpec, JobStore, LedgerEntryInput } from '../src/jobs/index.ts';

const ROWS = 100_000;
const BATCH = 1_000;
const TASKS = 5_000;
const CLAIM_BATCH = 20;
/** Concurrent claim loops on one store (a runner's bounded concurrency). */
const WORKERS = 4;
/** Patient tasks of the migration-shaped run, and each one's ledger rows (the first IDS_PER_TASK loaded, with an id each). */
const PATIENT_TASKS = Number(process.env.FHIRMIG_BENCH_STORE_TASKS ?? 1_500);
const ROWS_PER_TASK = 363;
const IDS_PER_TASK = 237;
const KINDS = ['observations', 'encounters', 'claims', 'claims_transactions', 'procedures', 'medications', 'conditions', 'immunizations'];
const PG_URL = process.env.FHIRMIG_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export interface StoreBenchResult {
  name: string;
  rowsPerSecond: number;
  sqliteRowsPerSecond: number;
  sqliteUpdateRowsPerSecond: number;
  sqliteTasksPerSecond: number;
  /** Ledger rows + ids per second over the migration-shaped run (UUID keys, one commit per patient task). */
  sqlitePatientTaskRowsPerSecond: number;
  patientTasks: number;
  postgresRowsPerSecond: number | null;
  postgresUpdateRowsPerSecond: number | null;
  postgresTasksPerSecond: number | null;
  rows: number;
  batch: number;
  tasks: number;
}

const SPEC: JobSpec = { source: 'csv:bench', mapSet: { id: 'bench', versionHash: 'h' }, scope: { kind: 'all' }, target: 'file:bench', options: { dryRun: false, phases: [], thresholds: {} } };
const ISSUE: fhir4.OperationOutcomeIssue = { severity: 'error', code: 'value', diagnostics: 'invalid date', expression: ['Observation.effectiveDateTime'] };

/** Realistic rows: 90 % loaded with target ids and a hash, 7 % rejected with an issue, 3 % skipped. */
function ledgerRows(): LedgerEntryInput[] {
  return Array.from({ length: ROWS }, (_, i) => {
    const ref = { source: 'synthea-csv', kind: i % 3 === 0 ? 'patients' : 'observations', locator: `observations.csv:${i + 2}` };
    const base = { ref, recordKey: `rec-${i}`, patientKey: `p-${Math.floor(i / 40)}`, resourceType: 'Observation' };
    if (i % 100 < 90) return { ...base, outcome: 'loaded', targetIds: [`Observation/${i.toString(16).padStart(32, '0')}`], contentHash: `sha256:${i.toString(16).padStart(64, '0')}` };
    if (i % 100 < 97) return { ...base, outcome: 'rejected', errorCode: 'FHIRMIG_ERR_SOURCE_VALUE', issues: [ISSUE] };
    return { ...base, outcome: 'skipped', errorCode: 'duplicate' };
  });
}

async function timeLedger(store: JobStore, jobId: string, rows: readonly LedgerEntryInput[]): Promise<number> {
  const start = performance.now();
  for (let i = 0; i < rows.length; i += BATCH) await store.recordTaskResults(jobId, rows.slice(i, i + BATCH), []);
  return Math.round((rows.length / (performance.now() - start)) * 1000);
}

async function timeTasks(store: JobStore): Promise<number> {
  const { id } = await store.createJob(SPEC);
  await store.addTasks(id, Array.from({ length: TASKS }, (_, i) => ({ patientKey: `p-${i}`, phase: 'critical' })));
  const start = performance.now();
  const worker = async (workerId: string): Promise<void> => {
    for (;;) {
      const tasks = await store.claimTasks(id, workerId, CLAIM_BATCH, 60_000);
      if (tasks.length === 0) return;
      for (const task of tasks) await store.completeTask(task.id, workerId);
    }
  };
  await Promise.all(Array.from({ length: WORKERS }, (_, i) => worker(`bench-${i}`)));
  return Math.round((TASKS / (performance.now() - start)) * 1000);
}

/** One patient task's results as the runner records them: every record keyed by a UUID, of the task's patient. */
function patientTaskRows(source: string): { ledger: LedgerEntryInput[]; ids: IdMapEntryInput[] } {
  const patientKey = randomUUID();
  const ledger: LedgerEntryInput[] = [];
  const ids: IdMapEntryInput[] = [];
  for (let i = 0; i < ROWS_PER_TASK; i++) {
    const kind = KINDS[i % KINDS.length] as string;
    const recordKey = randomUUID();
    const ref = { source, kind, locator: `${kind}.csv:${i + 2}` };
    const targetId = randomUUID();
    const loaded = i < IDS_PER_TASK;
    ledger.push({ ref, recordKey, patientKey, outcome: loaded ? 'loaded' : 'skipped', resourceType: 'Observation', contentHash: `sha256:${randomBytes(32).toString('hex')}`, phase: 'clinical', ...(loaded ? { targetIds: [`Observation/${targetId}`] } : { errorCode: 'unchanged-since-previous-load' }) });
    if (loaded) ids.push({ source, patientKey, kind, recordKey, resourceType: 'Observation', targetId, versionId: randomUUID(), lastUpdated: new Date().toISOString(), phase: 'clinical' });
  }
  return { ledger, ids };
}

async function timePatientTasks(store: JobStore): Promise<number> {
  const source = `csv:${tmpdir()}/fhirmig-e2e-bench/synthea-x91/csv`;
  const { id } = await store.createJob({ ...SPEC, source });
  let ms = 0;
  for (let t = 0; t < PATIENT_TASKS; t++) {
    const { ledger, ids } = patientTaskRows(source);
    const start = performance.now();
    await store.recordTaskResults(id, ledger, ids);
    ms += performance.now() - start;
  }
  return Math.round((PATIENT_TASKS * (ROWS_PER_TASK + IDS_PER_TASK)) / ms * 1000);
}

async function measure(store: JobStore, rows: readonly LedgerEntryInput[]): Promise<[number, number, number]> {
  const { id } = await store.createJob(SPEC);
  const insert = await timeLedger(store, id, rows);
  const update = await timeLedger(store, id, rows);
  if ((await store.countOutcomes(id)).total.read !== rows.length) throw new Error('the ledger lost or doubled rows');
  return [insert, update, await timeTasks(store)];
}

async function measurePostgres(rows: readonly LedgerEntryInput[]): Promise<[number, number, number] | null> {
  const schema = `fhirmig_bench_${randomBytes(4).toString('hex')}`;
  let store: JobStore;
  try {
    store = await openPostgresJobStore({ connectionString: PG_URL, schema });
  } catch {
    return null;
  }
  try {
    return await measure(store, rows);
  } finally {
    await store.close();
    const admin = new pg.Client({ connectionString: PG_URL });
    await admin.connect();
    await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await admin.end();
  }
}

export async function runStoreBench(): Promise<StoreBenchResult> {
  const rows = ledgerRows();
  const dir = mkdtempSync(join(tmpdir(), 'fhirmig-store-bench-'));
  let sqlite: [number, number, number];
  let patientTaskRows: number;
  try {
    const store = openSqliteJobStore({ path: join(dir, 'jobs.db') });
    sqlite = await measure(store, rows);
    await store.close();
    const shaped = openSqliteJobStore({ path: join(dir, 'shaped.db') });
    patientTaskRows = await timePatientTasks(shaped);
    await shaped.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const postgres = await measurePostgres(rows);
  return {
    name: 'store: ledger upserts (batches of 1000)',
    rowsPerSecond: sqlite[0],
    sqliteRowsPerSecond: sqlite[0],
    sqliteUpdateRowsPerSecond: sqlite[1],
    sqliteTasksPerSecond: sqlite[2],
    sqlitePatientTaskRowsPerSecond: patientTaskRows,
    patientTasks: PATIENT_TASKS,
    postgresRowsPerSecond: postgres?.[0] ?? null,
    postgresUpdateRowsPerSecond: postgres?.[1] ?? null,
    postgresTasksPerSecond: postgres?.[2] ?? null,
    rows: ROWS,
    batch: BATCH,
    tasks: TASKS,
  };
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const result = await runStoreBench();
  process.stdout.write(`${result.name}: ${result.rowsPerSecond.toLocaleString('en-US')} rows/s (${JSON.stringify(result)})\n`);
}
