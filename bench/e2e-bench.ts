/**
 * End to end (issue 5): the Synthea CSV folder cloned to at least 1,000 patients (new ids per
 * clone, as sources-bench does) migrated by the real job engine — planner, runner, a SQLite job
 * store in the temp folder, the Synthea map set, R4 + US Core 6.1.0 validation on every resource,
 * a Provenance per transaction — into the loopback Medplum-router server running in its own
 * process. That server records every transaction it receives; a fresh server then gets the very
 * same transactions posted raw (undici, response not parsed, the same number in flight), which
 * gives the ratio: how close the pipeline comes to what the target alone can take.
 *
 * Threads and pinning: mapping and validation run in the runner's thread by default, as the CLI's
 * default --threads 0; FHIRMIG_BENCH_THREADS=1 runs them in a worker thread (src/runtime/record-worker.ts),
 * and `npm run bench` (bench/run.ts) lets the pipeline process use cores 0 and 1 (FHIRMIG_BENCH_E2E_CORES
 * overrides it); the server processes are pinned to core 1 when `taskset` exists, so the target
 * shares core 1 with the pipeline's GC helper threads and worker (it needs about a third of a
 * core at 3,000 resources/s). Peak RSS is the pipeline process's, read before the raw replay starts.
 * FHIRMIG_BENCH_PATIENTS sets the cohort (default 1,000; rounded up to whole clones of the 11).
 * Run alone with `node bench/e2e-bench.ts`; `npm run bench` imports runE2eBench.
 */
import { createReadStream, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { pathToFileURL } from 'node:url';
import { Agent, request } from 'undici';
import { RecordWorker, buildValidator, DEFAULT_RECORD_THREADS, loadMapSet } from '../src/runtime/index.ts';
import { openJobStore, planMigration, runJob } from '../src/jobs/index.ts';
import type { JobSpec, MigrationEnv, ResourceValidator } from '../src/jobs/index.ts';
import { buildServiceDevice } from '../src/provenance/index.ts';
import { createSource } from '../src/sources/index.ts';
import { createTarget, resolveTargetProfile } from '../src/target/index.ts';
import type { Target } from '../src/target/index.ts';
import { startServerProcess, stopServerProcess } from './load-bench.ts';
import { cloneSynthea } from './sources-bench.ts';

const REPO = join(import.meta.dirname, '..');
const SHARED = join(REPO, '..', 'shared');
const US_CORE = join(SHARED, 'fhir-packages', 'hl7.fhir.us.core');
const SYNTHEA_PATIENTS = 11;
const CONCURRENCY = Number(process.env.FHIRMIG_BENCH_CONCURRENCY ?? 8);
const THREADS = Number(process.env.FHIRMIG_BENCH_THREADS ?? DEFAULT_RECORD_THREADS);
/** The server keeps every resource (and its history) in memory. */
const SERVER_NODE_ARGS = ['--max-old-space-size=16384'];

export interface E2eBenchResult {
  name: string;
  resourcesPerSecond: number;
  recordsPerSecond: number;
  /** Resources per CPU second of the pipeline process: steadier than wall time on a busy machine. */
  cpuResourcesPerSecond: number;
  rawResourcesPerSecond: number;
  ratioVsRaw: number;
  pipelinePeakRssMb: number;
  patients: number;
  recordsRead: number;
  recordsLoaded: number;
  recordsRejected: number;
  recordsSkipped: number;
  resourcesWritten: number;
  transactions: number;
  /** Worker threads mapping and validating (0: in the runner's thread). */
  threads: number;
  /** Share of the pipeline's wall time spent in validation (in-thread runs only) / waiting on target writes (both overlap across patients). */
  validateMs: number;
  targetWriteMs: number;
  planMs: number;
  pipelineMs: number;
  pipelineCpuMs: number;
  /** CPU of the runner's thread alone (the rest of pipelineCpuMs: the record worker, GC and I/O threads). */
  mainThreadCpuMs: number;
  rawMs: number;
  concurrency: number;
  cloneMs: number;
}

interface PipelineRun {
  readonly records: { read: number; loaded: number; rejected: number; skipped: number };
  readonly resourcesWritten: number;
  readonly planMs: number;
  readonly pipelineMs: number;
  readonly pipelineCpuMs: number;
  readonly mainThreadCpuMs: number;
  readonly validateMs: number;
  readonly targetWriteMs: number;
}

/** The target, its write() timed (every other member passes through). */
function timed(target: Target, timing: { targetWriteMs: number }): Target {
  const write: Target['write'] = async (bundle, session) => {
    const started = performance.now();
    try {
      return await target.write(bundle, session);
    } finally {
      timing.targetWriteMs += performance.now() - started;
    }
  };
  return new Proxy(target, {
    get(t, prop) {
      if (prop === 'write') return write;
      const value: unknown = Reflect.get(t, prop, t);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(t) : value;
    },
  });
}

async function runPipeline(dir: string, csvDir: string, url: string): Promise<PipelineRun> {
  const store = await openJobStore({ backend: 'sqlite', path: join(dir, 'jobs.sqlite') });
  const source = createSource(`csv:${csvDir}`);
  const target = createTarget(url, { connections: CONCURRENCY });
  const timing = { validateMs: 0, targetWriteMs: 0 };
  const mapsDir = join(REPO, 'maps', 'synthea-csv');
  const conceptMapDirs = [join(REPO, 'conceptmaps')];
  const mapSet = loadMapSet(mapsDir, conceptMapDirs, REPO);
  const worker = THREADS > 0 ? new RecordWorker({ mapsDir, conceptMapDirs, igs: [US_CORE], cwd: REPO, packageRoot: REPO, versionHash: mapSet.versionHash }) : undefined;
  try {
    await worker?.ready();
    const env: MigrationEnv = {
      store, source, mapSet,
      target: timed(target, timing),
      ...(worker ? { processor: worker.processor() } : { validate: timedValidator(timing) }),
      profile: resolveTargetProfile('medplum'),
      device: buildServiceDevice({ version: '0.1.0' }),
    };
    const spec: JobSpec = {
      source: `csv:${csvDir}`, target: url, mapSet: { id: mapSet.id, versionHash: mapSet.versionHash },
      scope: { kind: 'all' }, options: { dryRun: false, phases: [], thresholds: {} },
    };
    const started = performance.now();
    const cpuStarted = process.cpuUsage();
    const mainCpuStarted = process.threadCpuUsage();
    const planned = await planMigration(store, spec, source);
    const planMs = performance.now() - started;
    const job = await runJob(env, planned.id, { concurrency: CONCURRENCY });
    const pipelineMs = performance.now() - started;
    const cpu = process.cpuUsage(cpuStarted);
    const pipelineCpuMs = (cpu.user + cpu.system) / 1000;
    const mainCpu = process.threadCpuUsage(mainCpuStarted);
    const mainThreadCpuMs = (mainCpu.user + mainCpu.system) / 1000;
    if (job.state !== 'completed') throw new Error(`the e2e job ended ${job.state}: ${JSON.stringify(job.error)}`);
    const p = job.progress;
    return {
      records: { read: p.recordsRead, loaded: p.recordsLoaded, rejected: p.recordsRejected, skipped: p.recordsSkipped },
      resourcesWritten: p.resourcesWritten, planMs, pipelineMs, pipelineCpuMs, mainThreadCpuMs, ...timing,
    };
  } finally {
    await worker?.close();
    await source.close();
    await target.close();
    await store.close();
  }
}

function timedValidator(timing: { validateMs: number }): ResourceValidator {
  const validate = buildValidator([US_CORE], REPO);
  return (resource) => {
    const started = performance.now();
    const outcome = validate(resource);
    timing.validateMs += performance.now() - started;
    return outcome;
  };
}

/** Posts every recorded transaction line to `url`, CONCURRENCY in flight; returns ms and entry count. */
async function replayRaw(file: string, url: string): Promise<{ ms: number; transactions: number; entries: number }> {
  const dispatcher = new Agent({ connections: CONCURRENCY });
  const headers = { 'content-type': 'application/fhir+json', accept: 'application/fhir+json' };
  const lines = createInterface({ input: createReadStream(file), crlfDelay: Infinity })[Symbol.asyncIterator]();
  let transactions = 0;
  let entries = 0;
  const started = performance.now();
  const worker = async (): Promise<void> => {
    for (let next = await lines.next(); !next.done; next = await lines.next()) {
      const body = next.value;
      transactions++;
      entries += countEntries(body);
      const response = await request(url, { method: 'POST', headers, body, dispatcher });
      await response.body.dump();
      if (response.statusCode !== 200) throw new Error(`raw post got ${response.statusCode}`);
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  const ms = performance.now() - started;
  await dispatcher.close();
  return { ms, transactions, entries };
}

/** Entries of a serialised transaction, by their `"request":` members (one per entry). */
function countEntries(body: string): number {
  let n = 0;
  for (let at = body.indexOf('"request":'); at >= 0; at = body.indexOf('"request":', at + 10)) n++;
  return n;
}

export async function runE2eBench(): Promise<E2eBenchResult> {
  const wanted = Number(process.env.FHIRMIG_BENCH_PATIENTS ?? 1_000);
  const scale = Math.max(1, Math.ceil(wanted / SYNTHEA_PATIENTS));
  const dir = mkdtempSync(join(tmpdir(), 'fhirmig-e2e-'));
  const recorded = join(dir, 'transactions.ndjson');
  const cloneStarted = performance.now();
  const csvDir = await cloneSynthea(scale);
  const cloneMs = performance.now() - cloneStarted;
  try {
    const first = await startServerProcess({ FHIRMIG_RECORD_TRANSACTIONS: recorded }, SERVER_NODE_ARGS);
    let run: PipelineRun;
    try {
      run = await runPipeline(dir, csvDir, first.url);
    } finally {
      await stopServerProcess(first.child);
    }
    const pipelinePeakRssMb = Math.round(process.resourceUsage().maxRSS / 1024);
    const fresh = await startServerProcess({}, SERVER_NODE_ARGS);
    let raw: Awaited<ReturnType<typeof replayRaw>>;
    try {
      raw = await replayRaw(recorded, fresh.url);
    } finally {
      await stopServerProcess(fresh.child);
    }
    // The job writes the service Device once, outside the per-patient count.
    if (raw.entries !== run.resourcesWritten + 1) throw new Error(`recorded ${raw.entries} entries, the job wrote ${run.resourcesWritten} and its Device`);
    const perSecond = (count: number, ms: number): number => Math.round((count / ms) * 1000);
    const resourcesPerSecond = perSecond(raw.entries, run.pipelineMs);
    const rawResourcesPerSecond = perSecond(raw.entries, raw.ms);
    return {
      name: 'e2e: synthea csv → job → target',
      resourcesPerSecond,
      recordsPerSecond: perSecond(run.records.read, run.pipelineMs),
      cpuResourcesPerSecond: perSecond(raw.entries, run.pipelineCpuMs),
      rawResourcesPerSecond,
      ratioVsRaw: Math.round((resourcesPerSecond / rawResourcesPerSecond) * 100) / 100,
      pipelinePeakRssMb,
      patients: scale * SYNTHEA_PATIENTS,
      recordsRead: run.records.read,
      recordsLoaded: run.records.loaded,
      recordsRejected: run.records.rejected,
      recordsSkipped: run.records.skipped,
      resourcesWritten: run.resourcesWritten,
      transactions: raw.transactions,
      threads: THREADS,
      validateMs: Math.round(run.validateMs),
      targetWriteMs: Math.round(run.targetWriteMs),
      planMs: Math.round(run.planMs),
      pipelineMs: Math.round(run.pipelineMs),
      pipelineCpuMs: Math.round(run.pipelineCpuMs),
      mainThreadCpuMs: Math.round(run.mainThreadCpuMs),
      rawMs: Math.round(raw.ms),
      concurrency: CONCURRENCY,
      cloneMs: Math.round(cloneMs),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
    rmSync(csvDir, { recursive: true, force: true });
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const result = await runE2eBench();
  process.stdout.write(`${result.name}: ${result.resourcesPerSecond.toLocaleString('en-US')} resources/s (${JSON.stringify(result, null, 2)})\n`);
}
