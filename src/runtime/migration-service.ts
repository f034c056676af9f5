import { MigrateError, isMigrateError } from '../core/index.ts';
import { assertTransition, isSettled, planMigration, reconcileJob, rollbackJob } from '../jobs/index.ts';
import type { Job, JobState, JobStore, MapSet, MigrationEnv, MigrationRequest, ReconciliationReport, ResourceValidator, RollbackReport } from '../jobs/index.ts';
import type { UnmappedCodeInfo } from '../mapping/index.ts';
import { createSource, redactUrl } from '../sources/index.ts';
import type { FhirClientOptions, Target } from '../target/index.ts';
import { edgeOf, specFromRequest } from './migration-request.ts';
import type { MigrationEdge, RequestContext, ServiceJobSpec } from './migration-request.ts';
import { buildValidator, loadMapSet, openTarget, targetProfileFor } from './migration-env.ts';
import { jobErrors } from './migration-report.ts';
import { RecordWorker, DEFAULT_RECORD_THREADS } from './record-worker.ts';
import { MigrationRuns, RESUMABLE } from './migration-runs.ts';
import { checkTarget, collectStats } from './migration-stats.ts';
import type { MigrationReadiness, MigrationStats } from './migration-stats.ts';
import type { MigrationErrorGroup } from './migration-report.ts';

export interface MigrationServiceOptions extends RequestContext {
  readonly store: JobStore;
  /** The Device authoring Provenance and AuditEvents. */
  readonly device: fhir4.Device;
  /** Jobs running at once in this process; more wait `queued`. Default 2. */
  readonly maxConcurrentJobs?: number;
  /** Patients in parallel within a job. Default 4. */
  readonly patientConcurrency?: number;
  readonly leaseMs?: number;
  /** Passed to every HTTP target's FhirClient (the metrics' request hook). */
  readonly targetOptions?: Omit<FhirClientOptions, 'baseUrl'>;
  /** 1: jobs map and validate in a worker thread (one per map set and IGs, kept until close); 0: in the runner's thread. Default: 1 on 2+ cores. */
  readonly recordThreads?: number;
  /** Job-level failures of background runs (codes and ids only: no PHI). */
  readonly onRunError?: (jobId: string, error: MigrateError) => void;
}

export interface MigrationPage {
  readonly jobs: readonly Job[];
  /** Whether a page follows this one. */
  readonly hasMore: boolean;
}

export interface UnmappedCodeCount {
  readonly conceptMap: string;
  readonly system?: string;
  readonly code: string;
  readonly rule: string;
  readonly count: number;
}

/** The reconciliation plus what the migration team works from: rejections by code with their SourceRefs, unmapped codes. */
export interface MigrationReport extends ReconciliationReport {
  readonly errors: readonly MigrationErrorGroup[];
  /** Codes no ConceptMap translated, as seen by this process's runs of the job (not kept across restarts). */
  readonly unmappedCodes: readonly UnmappedCodeCount[];
  /** Why the target's counts are missing, when it could not be asked. */
  readonly targetError?: { readonly code: string; readonly message: string };
}


const PAGE = 500;

/**
 * The migration jobs of the service (shared engine and store with the CLI): plans a request, runs
 * jobs in the background with bounded concurrency, and answers get / list / report / cancel /
 * resume / rollback. Restart-safe: `resumeUnfinished()` picks up what a stopped process left
 * `running` or `queued` (task leases expire); `close()` drains (no new task; the patient in hand
 * finishes) and leaves unfinished jobs `running` for the next start.
 */
export class MigrationService {
  readonly #options: MigrationServiceOptions;
  readonly #runs: MigrationRuns;
  readonly #unmapped = new Map<string, Map<string, UnmappedCodeCount>>();
  readonly #validators = new Map<string, ResourceValidator>();
  /** Record workers by map set (and its version) and IGs: shared by the jobs that use the same ones. */
  readonly #workers = new Map<string, RecordWorker>();
  /** Map sets loaded to plan or check a job, handed to its next run. */
  readonly #prepared = new Map<string, MapSet>();
  /** Rejections by code of settled jobs: their ledger no longer changes. */
  readonly #settledRejections = new Map<string, Readonly<Record<string, number>>>();

  constructor(options: MigrationServiceOptions) {
    this.#options = options;
    this.#runs = new MigrationRuns({
      store: options.store,
      maxConcurrentJobs: options.maxConcurrentJobs ?? 2,
      patientConcurrency: options.patientConcurrency ?? 4,
      leaseMs: options.leaseMs ?? 30_000,
      openEnv: (job) => this.#openEnv(job),
      onRunEnd: (jobId) => this.#prepared.delete(jobId),
      ...(options.onRunError ? { onRunError: options.onRunError } : {}),
    });
  }

  get store(): JobStore {
    return this.#options.store;
  }

  /** Plans the job (checks the request, lists the scope's patients) and queues it; answers once planned. */
  async start(request: MigrationRequest): Promise<Job> {
    const spec = specFromRequest(request, this.#options);
    const edge = edgeOf(spec, this.#options.packageRoot);
    const counts = new Map<string, UnmappedCodeCount>();
    const mapSet = this.#loadMapSet(counts, edge);
    const source = createSource(spec.source);
    try {
      const planned: ServiceJobSpec = { ...spec, mapSet: { id: mapSet.id, versionHash: mapSet.versionHash } };
      const job = await planMigration(this.store, planned, source, mapSet.phases ? { phaseTable: mapSet.phases } : {}).catch((error: unknown) => {
        throw isMigrateError(error) && error.code === 'FHIRMIG_ERR_CONFIG_INVALID' ? new MigrateError('FHIRMIG_ERR_MIGRATION_REQUEST', `scope: ${error.message}`) : error;
      });
      this.#unmapped.set(job.id, counts);
      this.#prepared.set(job.id, mapSet); // its first run needs not load the maps again
      this.#runs.enqueue(job.id);
      return job;
    } finally {
      await source.close();
    }
  }

  get(jobId: string): Promise<Job> {
    return this.store.getJob(jobId);
  }

  async list(options: { readonly states?: readonly JobState[]; readonly count: number; readonly offset: number }): Promise<MigrationPage> {
    const jobs = await this.store.listJobs({ ...(options.states ? { states: options.states } : {}), limit: options.count + 1, offset: options.offset });
    return { jobs: jobs.slice(0, options.count), hasMore: jobs.length > options.count };
  }

  async report(jobId: string): Promise<MigrationReport> {
    const job = await this.store.getJob(jobId);
    const extra = { errors: await jobErrors(this.store, jobId), unmappedCodes: [...(this.#unmapped.get(jobId)?.values() ?? [])].sort((a, b) => b.count - a.count) };
    const redacted = (report: ReconciliationReport) => ({ ...report, source: redactUrl(report.source), target: redactUrl(report.target), ...extra });
    if (job.spec.options.dryRun) return redacted(await reconcileJob(this.store, jobId));
    const target = this.#openTarget(job.spec.target);
    try {
      return redacted(await reconcileJob(this.store, jobId, target));
    } catch (error) {
      if (!isMigrateError(error) || !error.code.startsWith('FHIRMIG_ERR_TARGET_')) throw error;
      return { ...redacted(await reconcileJob(this.store, jobId)), targetError: { code: error.code, message: error.message } };
    } finally {
      await target.close();
    }
  }

  /** Cooperative: a job running here stops between records (then `cancelled`); a queued or paused one is cancelled at once. */
  async cancel(jobId: string): Promise<Job> {
    const job = await this.store.getJob(jobId);
    const running = this.#runs.cancel(jobId);
    if (running === 'running') return job;
    if (job.state === 'running') {
      // Left running by a stopped process and queued here to resume: ours to cancel. Else another worker runs it.
      if (running === 'none') throw new MigrateError('FHIRMIG_ERR_JOB_STATE', `Job ${jobId} is running in another worker; cancel it there.`);
      await this.store.transitionJob(jobId, 'cancelling');
      return this.store.transitionJob(jobId, 'cancelled');
    }
    assertTransition(jobId, job.state, 'cancelled');
    return this.store.transitionJob(jobId, 'cancelled');
  }

  /** Continues a paused, failed or threshold-stopped job (or one a dead worker left running). */
  async resume(jobId: string): Promise<Job> {
    const job = await this.store.getJob(jobId);
    if (this.#runs.has(jobId)) throw new MigrateError('FHIRMIG_ERR_JOB_STATE', `Job ${jobId} is already running in this service.`);
    if (!RESUMABLE.includes(job.state) && job.state !== 'running' && job.state !== 'queued') assertTransition(jobId, job.state, 'running');
    this.#prepared.set(jobId, this.#checkedMapSet(job));
    this.#runs.enqueue(jobId);
    return job;
  }

  /** Deletes what the job wrote (newest first); answers with the rollback report once done. */
  async rollback(jobId: string, phase?: string): Promise<RollbackReport> {
    const job = await this.store.getJob(jobId);
    if (this.#runs.has(jobId)) throw new MigrateError('FHIRMIG_ERR_JOB_STATE', `Job ${jobId} is running; cancel it before rolling it back.`);
    // A phase rollback keeps the job's state (it can run on); a whole-job rollback moves it to rolled-back.
    if (phase === undefined && job.state !== 'rolling-back') assertTransition(jobId, job.state, 'rolling-back');
    const target = this.#openTarget(job.spec.target);
    const profile = targetProfileFor(job.spec.target, edgeOf(job.spec as ServiceJobSpec, this.#options.packageRoot).targetProfile);
    try {
      return await rollbackJob({ store: this.store, target, device: this.#options.device, profile }, jobId, phase === undefined ? {} : { phase });
    } finally {
      await target.close();
    }
  }

  /**
   * Start-up: queues every job this store has `running` or `queued` (a stopped or crashed
   * process's work), and settles a `cancelling` one whose runner died as `cancelled`.
   */
  async resumeUnfinished(): Promise<string[]> {
    const ids: string[] = [];
    for (const job of await this.#jobsIn(['cancelling'])) await this.store.transitionJob(job.id, 'cancelled').catch(() => undefined);
    for (const job of await this.#jobsIn(['running', 'queued'])) ids.push(job.id);
    for (const id of ids) if (!this.isActive(id)) this.#runs.enqueue(id);
    return ids;
  }

  async #jobsIn(states: readonly JobState[]): Promise<Job[]> {
    const jobs: Job[] = [];
    for (let offset = 0; ; offset += PAGE) {
      const page = await this.store.listJobs({ states, limit: PAGE, offset });
      jobs.push(...page);
      if (page.length < PAGE) return jobs;
    }
  }

  /** Jobs by state and summed counters over every job of the store (for /metrics). */
  stats(): Promise<MigrationStats> {
    return collectStats(this.store, (id, state) => this.#rejections(id, state));
  }

  async #rejections(jobId: string, state: JobState): Promise<Readonly<Record<string, number>>> {
    const cached = this.#settledRejections.get(jobId);
    if (cached) return cached;
    const { rejectedByCode } = await this.store.countOutcomes(jobId);
    if (isSettled(state) && !this.isActive(jobId)) this.#settledRejections.set(jobId, rejectedByCode);
    return rejectedByCode;
  }

  /** For /ready: the store answers, and the configured default target (if any) is reachable. */
  async readiness(): Promise<MigrationReadiness[]> {
    const checks: MigrationReadiness[] = [];
    try {
      await this.store.listJobs({ limit: 1 });
      checks.push({ name: 'store', ok: true, detail: `${this.store.backend} job store answers` });
    } catch (error) {
      checks.push({ name: 'store', ok: false, detail: `job store: ${isMigrateError(error) ? error.code : 'unreachable'}` });
    }
    const target = this.#options.defaultTarget;
    if (target) checks.push(await checkTarget(target, this.#options.cwd));
    return checks;
  }

  /** Whether the job has a run in this process (running or waiting for a slot). */
  isActive(jobId: string): boolean {
    return this.#runs.has(jobId);
  }

  /** Graceful shutdown: no new job or task starts; the patients in hand finish; unfinished jobs stay resumable. Then the record workers end. */
  async close(): Promise<void> {
    await this.#runs.close();
    const workers = [...this.#workers.values()];
    this.#workers.clear();
    await Promise.all(workers.map((w) => w.close()));
  }

  #openEnv(job: Job): MigrationEnv {
    const spec = job.spec as ServiceJobSpec;
    const edge = edgeOf(spec, this.#options.packageRoot);
    const mapSet = this.#prepared.get(job.id) ?? this.#checkedMapSet(job);
    this.#prepared.delete(job.id);
    return {
      store: this.store,
      source: createSource(spec.source),
      mapSet,
      target: this.#openTarget(spec.target),
      ...(this.#options.recordThreads ?? DEFAULT_RECORD_THREADS) > 0
        ? { processor: this.#worker(edge, mapSet.versionHash).processor(this.#unmappedCounter(this.#countsFor(job.id))) }
        : { validate: this.#validator(edge.igs) },
      validationPolicy: edge.validation,
      profile: targetProfileFor(spec.target, edge.targetProfile),
      device: this.#options.device,
    };
  }

  /** The job's map set as on disk now; refused (409) when it differs from the one the job was planned with. */
  #checkedMapSet(job: Job): MapSet {
    const edge = edgeOf(job.spec as ServiceJobSpec, this.#options.packageRoot);
    const mapSet = this.#loadMapSet(this.#countsFor(job.id), edge);
    if (mapSet.versionHash !== job.spec.mapSet.versionHash) throw mapSetChanged(job.id, job.spec.mapSet.versionHash, mapSet.versionHash);
    return mapSet;
  }

  /** The map set with its unmapped-code counter (`counts`, kept per job for the report). */
  #loadMapSet(counts: Map<string, UnmappedCodeCount>, edge: MigrationEdge): MapSet {
    return asRequestError(() => loadMapSet(edge.maps, edge.conceptMaps, this.#options.cwd, { onUnmappedCode: this.#unmappedCounter(counts) }));
  }

  #unmappedCounter(counts: Map<string, UnmappedCodeCount>): (info: UnmappedCodeInfo) => void {
    return (info) => {
      const key = JSON.stringify([info.conceptMap, info.system ?? '', info.code ?? '', info.rule]);
      const seen = counts.get(key);
      counts.set(key, { conceptMap: info.conceptMap, ...(info.system ? { system: info.system } : {}), code: info.code ?? '', rule: info.rule, count: (seen?.count ?? 0) + 1 });
    };
  }

  /** The live worker for these maps and IGs; a dead one is replaced (its jobs paused, a resume gets the new one). */
  #worker(edge: MigrationEdge, versionHash: string): RecordWorker {
    const key = JSON.stringify([edge.maps, edge.conceptMaps, edge.igs, versionHash]);
    const known = this.#workers.get(key);
    if (known && !known.failed) return known;
    void known?.close();
    const { cwd, packageRoot } = this.#options;
    const worker = new RecordWorker({ mapsDir: edge.maps, conceptMapDirs: edge.conceptMaps, igs: edge.igs, cwd, packageRoot, versionHash });
    this.#workers.set(key, worker);
    return worker;
  }

  #countsFor(jobId: string): Map<string, UnmappedCodeCount> {
    const counts = this.#unmapped.get(jobId) ?? new Map<string, UnmappedCodeCount>();
    this.#unmapped.set(jobId, counts);
    return counts;
  }

  #validator(igs: readonly string[]): ResourceValidator {
    const key = JSON.stringify(igs);
    let validate = this.#validators.get(key);
    if (!validate) this.#validators.set(key, (validate = buildValidator(igs, this.#options.cwd)));
    return validate;
  }

  #openTarget(spec: string): Target {
    return openTarget(spec, this.#options.cwd, this.#options.targetOptions);
  }
}

function mapSetChanged(jobId: string, was: string, now: string): MigrateError {
  return new MigrateError('FHIRMIG_ERR_JOB_STATE', `The map set changed since job ${jobId} was planned (${was} → ${now}); it cannot be resumed with different maps.`);
}

/** Map set folders the request named that do not load are the request's fault (400), not the service's. */
function asRequestError<T>(load: () => T): T {
  try {
    return load();
  } catch (error) {
    if (isMigrateError(error) && (error.code === 'FHIRMIG_ERR_CONFIG_INVALID' || error.code === 'FHIRMIG_ERR_CLI_USAGE')) {
      throw new MigrateError('FHIRMIG_ERR_MIGRATION_REQUEST', `maps: ${error.message}`);
    }
    throw error;
  }
}
