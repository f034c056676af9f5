import { MigrateError, isMigrateError } from '../core/index.ts';
import { isSettled, runJob } from '../jobs/index.ts';
import type { Job, JobState, JobStore, MigrationEnv } from '../jobs/index.ts';

export interface MigrationRunsOptions {
  readonly store: JobStore;
  /** Jobs running at once; more wait. */
  readonly maxConcurrentJobs: number;
  readonly patientConcurrency: number;
  readonly leaseMs: number;
  /** Builds a job's environment when its run starts (throws: the job fails with the cause). */
  readonly openEnv: (job: Job) => MigrationEnv;
  /** A run ended (completed, settled, drained or failed). */
  readonly onRunEnd?: (jobId: string) => void;
  readonly onRunError?: (jobId: string, error: MigrateError) => void;
}

interface ActiveRun {
  readonly cancel: AbortController;
  readonly drain: AbortController;
  done: Promise<void>;
}

/** States a run picks a job up from (runJob moves them to `running`). */
export const RESUMABLE: readonly JobState[] = ['paused', 'failed', 'stopped-threshold', 'cancelled'];

/**
 * The background runs of one process: a FIFO of job ids, at most `maxConcurrentJobs` running,
 * each through the engine's runJob with a cancel signal (cooperative, between records) and a
 * drain signal (graceful shutdown: no new task, the one in hand finishes, the job stays running).
 */
export class MigrationRuns {
  readonly #options: MigrationRunsOptions;
  readonly #active = new Map<string, ActiveRun>();
  readonly #waiting: string[] = [];
  #closing = false;

  constructor(options: MigrationRunsOptions) {
    this.#options = options;
  }

  enqueue(jobId: string): void {
    this.#waiting.push(jobId);
    this.#pump();
  }

  /** Running here, or waiting for a slot. */
  has(jobId: string): boolean {
    return this.#active.has(jobId) || this.#waiting.includes(jobId);
  }

  /** Aborts a running job (`running`), or takes a waiting one off the queue (`dequeued`). */
  cancel(jobId: string): 'running' | 'dequeued' | 'none' {
    const active = this.#active.get(jobId);
    if (active) {
      active.cancel.abort(new MigrateError('FHIRMIG_ERR_JOB_STATE', 'cancelled by request'));
      return 'running';
    }
    const waiting = this.#waiting.indexOf(jobId);
    if (waiting < 0) return 'none';
    this.#waiting.splice(waiting, 1);
    this.#options.onRunEnd?.(jobId);
    return 'dequeued';
  }

  /** Graceful shutdown: nothing new starts; the runs drain. */
  async close(): Promise<void> {
    this.#closing = true;
    for (const jobId of this.#waiting.splice(0)) this.#options.onRunEnd?.(jobId);
    for (const run of this.#active.values()) run.drain.abort();
    await Promise.all([...this.#active.values()].map((run) => run.done));
  }

  #pump(): void {
    while (!this.#closing && this.#active.size < this.#options.maxConcurrentJobs && this.#waiting.length > 0) {
      const jobId = this.#waiting.shift() as string;
      const run: ActiveRun = { cancel: new AbortController(), drain: new AbortController(), done: Promise.resolve() };
      this.#active.set(jobId, run);
      run.done = this.#run(jobId, run).finally(() => {
        this.#active.delete(jobId);
        this.#pump();
      });
    }
  }

  async #run(jobId: string, run: ActiveRun): Promise<void> {
    const { store } = this.#options;
    let env: MigrationEnv | undefined;
    try {
      const job = await store.getJob(jobId);
      if (isSettled(job.state) && !RESUMABLE.includes(job.state)) return;
      env = this.#options.openEnv(job);
      await runJob(env, jobId, { signal: run.cancel.signal, drain: run.drain.signal, concurrency: this.#options.patientConcurrency, leaseMs: this.#options.leaseMs });
    } catch (error) {
      await this.#fail(jobId, error);
    } finally {
      this.#options.onRunEnd?.(jobId);
      await env?.source.close().catch(() => undefined);
      await env?.target.close().catch(() => undefined);
    }
  }

  /** A run that could not start or broke off: the job fails with the cause (code and message, no PHI). */
  async #fail(jobId: string, error: unknown): Promise<void> {
    const { store } = this.#options;
    const failure = isMigrateError(error) ? error : new MigrateError('FHIRMIG_ERR_CORE_INTERNAL', 'A background migration run failed unexpectedly.', { cause: error });
    this.#options.onRunError?.(jobId, failure);
    const job = await store.getJob(jobId).catch(() => undefined);
    if (job && (job.state === 'running' || job.state === 'queued')) {
      await store.transitionJob(jobId, 'failed', { error: { code: failure.code, message: failure.message } }).catch(() => undefined);
    }
  }
}
