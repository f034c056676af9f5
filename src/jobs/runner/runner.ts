import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import { MigrateError, isMigrateError } from '../../core/index.ts';
import { buildPatientBundle } from '../../target/index.ts';
import type { Job, JobError } from '../model/job.ts';
import type { JobState } from '../model/job-state.ts';
import type { Task } from '../model/task.ts';
import { selectPhases } from '../phases/phase-table.ts';
import { phaseTableOf } from '../phases/split.ts';
import { publishJobAudit, recordJobStep } from './audit.ts';
import { TaskLease } from './lease.ts';
import { runPatientTask } from './patient-task.ts';
import type { MigrationEnv } from './types.ts';

export interface RunJobOptions {
  /** Patients migrated at the same time. Default 4. */
  readonly concurrency?: number;
  /** How long a claimed task stays ours without renewal (a killed worker's tasks return after it). Default 30 s. */
  readonly leaseMs?: number;
  /** Cooperative cancel: checked between records. */
  readonly signal?: AbortSignal;
  /**
   * Graceful shutdown: once aborted, workers claim no new task, the tasks in hand finish, and a
   * job with work left is returned as it stands (still `running`) for a later runJob to continue.
   */
  readonly drain?: AbortSignal;
  readonly workerId?: string;
  readonly onProgress?: (job: Job) => void;
}

type Stop = { readonly state: 'paused' | 'cancelled' | 'stopped-threshold'; readonly error?: JobError };

const RESUMABLE: readonly JobState[] = ['queued', 'paused', 'failed', 'stopped-threshold', 'cancelled'];

/** Job-level faults that pause the job (resume continues it): the target stayed down, the mapping/validation thread died. */
const PAUSING: readonly string[] = ['FHIRMIG_ERR_TARGET_UNAVAILABLE', 'FHIRMIG_ERR_JOB_WORKER_FAILED'];

const pauses = (error: unknown): error is MigrateError => isMigrateError(error) && PAUSING.includes(error.code);

/**
 * Runs (or resumes) a job phase by phase (all patients' critical data, reconciled, before any
 * clinical history), each phase until no task of it is left, then settles the job: `completed`, `failed` (a task
 * failed), `paused` (the target stayed down, or the record processor's thread died), `cancelled` or `stopped-threshold`.
 */
export async function runJob(env: MigrationEnv, jobId: string, options: RunJobOptions = {}): Promise<Job> {
  const { store } = env;
  let job = await store.getJob(jobId);
  if (RESUMABLE.includes(job.state)) job = await store.transitionJob(jobId, 'running');
  else if (job.state !== 'running') throw new MigrateError('FHIRMIG_ERR_JOB_STATE', `Job ${jobId} is ${job.state}: nothing to run.`);
  const dryRun = job.spec.options.dryRun;
  await recordJobStep({ store, jobId, step: dryRun ? 'dry-run' : 'start', device: env.device, details: { source: job.spec.source, tasks: job.progress.tasksTotal }, ...(env.now ? { now: env.now } : {}) });
  const workerId = options.workerId ?? `${hostname()}-${process.pid}-${randomUUID().slice(0, 8)}`;
  const run: Run = { env, job, options, workerId, held: new Map(), stop: undefined };
  try {
    if (!dryRun) await writeServiceDevice(env);
    await publishAudit(run);
    // A job planned before phases has `all` tasks: the last, unfiltered pass takes them.
    for (const phase of [...selectPhases(phaseTableOf(env.mapSet), job.spec.options.phases), undefined]) {
      if (run.stop) break;
      await Promise.all(Array.from({ length: Math.max(1, options.concurrency ?? 4) }, (_, n) => workLoop(run, phase, `${run.workerId}/${n + 1}`)));
      if (phase !== undefined && !run.stop) {
        await recordPhaseDone(run, phase);
        await publishAudit(run);
      }
    }
  } catch (error) {
    if (!pauses(error)) throw error;
    run.stop = { state: 'paused', error: { code: error.code, message: error.message } };
  }
  if (!run.stop && options.drain?.aborted && (await hasWorkLeft(run))) return store.getJob(jobId);
  return settle(run);
}

interface Run {
  readonly env: MigrationEnv;
  job: Job;
  readonly options: RunJobOptions;
  readonly workerId: string;
  /** The leases of the tasks this run's loops are running, by task id. */
  readonly held: Map<number, TaskLease>;
  stop: Stop | undefined;
}

/** `auditToTarget`: the job's AuditEvents so far go to the target too (never in a dry run). */
async function publishAudit(run: Run): Promise<void> {
  const options = run.job.spec.options;
  if (options.auditToTarget === true && !options.dryRun) await publishJobAudit(run.env, run.job.id);
}

async function writeServiceDevice(env: MigrationEnv): Promise<void> {
  await env.target.write(buildPatientBundle([{ resource: env.device }], { profile: env.profile }));
}

/**
 * One of the run's parallel loops. Each has its own worker id (`<run worker>/<n>`): a task whose
 * lease a loop keeps is never claimed by a sibling, and one whose lease expired is the new
 * holder's alone (the old one can no longer renew, complete or fail it).
 */
async function workLoop(run: Run, phase: string | undefined, workerId: string): Promise<void> {
  const { store } = run.env;
  const leaseMs = run.options.leaseMs ?? 30_000;
  while (!run.stop && !run.options.drain?.aborted) {
    const [task] = await store.claimTasks(run.job.id, workerId, 1, leaseMs, phase === undefined ? {} : { phase });
    const sibling = task ? run.held.get(task.id) : undefined;
    if (sibling) {
      // Its lease expired while a sibling loop ran it (the event loop was blocked): it stays theirs.
      sibling.adopt(workerId);
      continue;
    }
    if (!task) {
      if (!(await heldElsewhere(run, phase))) return;
      await sleep(Math.min(500, leaseMs)); // another worker (maybe a dead one) holds the rest
      continue;
    }
    await runTask(run, task, leaseMs, workerId);
  }
}

/**
 * Whether tasks of the phase (of the job, when undefined) are still pending or held by another
 * worker — maybe a dead one, whose tasks come back when their leases expire. The tasks this run's
 * own loops hold are not waited for: their loops finish them (a phase's last tasks used to keep
 * every other loop sleeping half a second: 7% of a 110-patient e2e run idle).
 */
async function heldElsewhere(run: Run, phase: string | undefined): Promise<boolean> {
  const { store } = run.env;
  if (phase === undefined && (await store.countTasks(run.job.id)).pending > 0) return true;
  const claimed = await store.listTasks(run.job.id, { state: 'claimed' });
  return claimed.some((t) => (phase === undefined || t.phase === phase) && !run.held.has(t.id));
}

/** The `phase` audit step of a finished phase, with the phase's own ledger counts. */
async function recordPhaseDone(run: Run, phase: string): Promise<void> {
  const { store } = run.env;
  const count = async (outcome: 'loaded' | 'rejected' | 'skipped'): Promise<number> => (await store.listOutcomes(run.job.id, { phase, outcome, limit: 1 })).total;
  const [loaded, rejected, skipped] = [await count('loaded'), await count('rejected'), await count('skipped')];
  await recordJobStep({
    store, jobId: run.job.id, step: 'phase', device: run.env.device, outcome: 'success',
    description: `phase ${phase} done`,
    details: { phase, read: loaded + rejected + skipped, loaded, rejected, skipped },
    ...(run.env.now ? { now: run.env.now } : {}),
  });
}

async function runTask(run: Run, task: Task, leaseMs: number, workerId: string): Promise<void> {
  const { store } = run.env;
  const lease = new TaskLease(store, task.id, workerId, leaseMs);
  run.held.set(task.id, lease);
  try {
    const totals = await runPatientTask(run.env, run.job, task, run.options.signal, () => lease.keep());
    await store.completeTask(task.id, lease.workerId);
    // completeTask counts tasksDone (and failTask tasksFailed) in the store.
    const job = await store.incrementProgress(run.job.id, {
      recordsRead: totals.read,
      recordsLoaded: totals.loaded,
      recordsRejected: totals.rejected,
      recordsSkipped: totals.skipped,
      resourcesWritten: totals.resourcesWritten,
    });
    run.job = job;
    run.options.onProgress?.(job);
    checkThreshold(run, job);
  } catch (error) {
    await handleTaskError(run, task, lease.workerId, error);
  } finally {
    lease.stop();
    run.held.delete(task.id);
  }
}

async function handleTaskError(run: Run, task: Task, workerId: string, error: unknown): Promise<void> {
  const { store } = run.env;
  // Another worker holds the task now (our lease expired): it is theirs to run and record.
  if (isMigrateError(error) && error.code === 'FHIRMIG_ERR_JOB_LEASE_LOST') return;
  if (run.options.signal?.aborted) {
    run.stop ??= { state: 'cancelled' };
    await store.failTask(task.id, workerId, { code: 'FHIRMIG_ERR_JOB_STATE', message: 'cancelled' }, { retry: true });
    return;
  }
  const code = isMigrateError(error) ? error.code : 'FHIRMIG_ERR_CORE_INTERNAL';
  const message = error instanceof Error ? error.message : String(error);
  if (pauses(error)) {
    run.stop ??= { state: 'paused', error: { code, message } };
    await store.failTask(task.id, workerId, { code, message }, { retry: true });
    return;
  }
  await store.failTask(task.id, workerId, { code, message });
}

async function hasWorkLeft(run: Run): Promise<boolean> {
  const counts = await run.env.store.countTasks(run.job.id);
  return counts.pending + counts.claimed > 0;
}

function checkThreshold(run: Run, job: Job): void {
  const { maxRejectionRate, minRecords } = job.spec.options.thresholds;
  const { recordsRead, recordsRejected } = job.progress;
  if (maxRejectionRate === undefined || recordsRead === 0 || recordsRead < (minRecords ?? 0)) return;
  const rate = recordsRejected / recordsRead;
  if (rate > maxRejectionRate) {
    run.stop ??= { state: 'stopped-threshold', error: { code: 'FHIRMIG_ERR_VALIDATION_FAILED', message: `Rejection rate ${rate.toFixed(3)} passed the threshold ${maxRejectionRate} after ${recordsRead} records` } };
  }
}

async function settle(run: Run): Promise<Job> {
  const { store } = run.env;
  const jobId = run.job.id;
  const stop = run.stop;
  let job: Job;
  if (stop?.state === 'cancelled') {
    await store.transitionJob(jobId, 'cancelling');
    job = await store.transitionJob(jobId, 'cancelled');
  } else if (stop) {
    job = await store.transitionJob(jobId, stop.state, stop.error ? { error: stop.error } : {});
  } else {
    const current = await store.getJob(jobId);
    job = current.progress.tasksFailed > 0
      ? await store.transitionJob(jobId, 'failed', { error: { code: 'FHIRMIG_ERR_CORE_INTERNAL', message: `${current.progress.tasksFailed} task(s) failed` } })
      : await store.transitionJob(jobId, 'completed');
  }
  const p = job.progress;
  await recordJobStep({
    store, jobId, step: 'phase', device: run.env.device,
    outcome: job.state === 'completed' ? 'success' : 'serious-failure',
    description: `job ${job.state}`,
    details: { state: job.state, read: p.recordsRead, loaded: p.recordsLoaded, rejected: p.recordsRejected, skipped: p.recordsSkipped, written: p.resourcesWritten },
    ...(run.env.now ? { now: run.env.now } : {}),
  });
  try {
    await publishAudit({ ...run, job });
  } catch (error) {
    // The job's outcome stands and the event is in the store's log: the next publish of this
    // job (a resume, a rollback) sends it, being idempotent.
    if (!isMigrateError(error) || error.code !== 'FHIRMIG_ERR_TARGET_UNAVAILABLE') throw error;
  }
  return job;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
