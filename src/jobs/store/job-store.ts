import type { AuditAppend, AuditEntry, JsonValue, ReadAuditOptions } from '../model/audit.ts';
import type { ExportFile, ExportFileInput } from '../model/export-file.ts';
import type { CreateExportInput, ExportRecord, ExportUpdate, ListExportsOptions } from '../model/export.ts';
import type { IdMapEntry, IdMapEntryInput, IdMapStatus, ListIdMapOptions } from '../model/id-map.ts';
import type { CreateJobOptions, Job, JobProgressDelta, JobSpec, ListJobsOptions, TransitionOptions } from '../model/job.ts';
import type { JobState } from '../model/job-state.ts';
import type { LedgerCounts, LedgerEntryInput, LedgerPage, ListLedgerOptions, PreviousLoad, RecordLookup } from '../model/ledger.ts';
import type { ClaimOptions, FailTaskOptions, ListTasksOptions, Task, TaskCounts, TaskInput } from '../model/task.ts';

/**
 * The one job store interface (STYLE.md: the kysely dialect shape). Backends: `sqlite/`
 * (embedded default, a file) and `postgres/` (several workers share the work). Both pass
 * test/jobs/store/job-store.contract.ts. Every method is atomic on its own; batch methods
 * (addTasks, recordTaskResults) write their whole batch in one transaction.
 */
export interface JobStore {
  readonly backend: 'sqlite' | 'postgres';

  // Jobs
  createJob(spec: JobSpec, options?: CreateJobOptions): Promise<Job>;
  /** Throws FHIRMIG_ERR_JOB_NOT_FOUND (404). */
  getJob(jobId: string): Promise<Job>;
  listJobs(options?: ListJobsOptions): Promise<Job[]>;
  /** Compare-and-set against the state machine; a forbidden move throws FHIRMIG_ERR_JOB_STATE (409). */
  transitionJob(jobId: string, to: JobState, options?: TransitionOptions): Promise<Job>;
  /** Adds the deltas to the job's counters atomically (concurrent workers lose nothing). */
  incrementProgress(jobId: string, delta: JobProgressDelta): Promise<Job>;

  // Tasks
  /** Idempotent per (job, patient key, phase); returns how many were new. Counts them in tasksTotal. */
  addTasks(jobId: string, tasks: readonly TaskInput[]): Promise<number>;
  /**
   * Claims up to `n` tasks that are pending or whose lease expired, for `leaseMs`, atomically:
   * no task is handed to two workers at once (SQLite: one write transaction; PostgreSQL:
   * `FOR UPDATE SKIP LOCKED`). Lower priority first, then insertion order.
   */
  claimTasks(jobId: string, workerId: string, n: number, leaseMs: number, options?: ClaimOptions): Promise<Task[]>;
  /** Extends the lease of tasks this worker still holds; returns the ids it still holds. */
  renewLease(taskIds: readonly number[], workerId: string, leaseMs: number): Promise<number[]>;
  /** Throws FHIRMIG_ERR_JOB_LEASE_LOST when the worker no longer holds the task. */
  completeTask(taskId: number, workerId: string): Promise<void>;
  failTask(taskId: number, workerId: string, error: { code: string; message: string }, options?: FailTaskOptions): Promise<void>;
  countTasks(jobId: string): Promise<TaskCounts>;
  listTasks(jobId: string, options?: ListTasksOptions): Promise<Task[]>;

  // Ledger and id map
  /**
   * A task's end, in one transaction (a crash never leaves `loaded` rows whose ids are missing from
   * the id map, which rollback reads). Ledger rows upsert per (job, source, patient, kind, record
   * key): a resumed or retried task updates its rows; ids upsert per (job, patient, resource type,
   * target id), keeping the first write's seq. (Patient first: a task's rows share index pages.)
   */
  recordTaskResults(jobId: string, outcomes: readonly LedgerEntryInput[], ids: readonly IdMapEntryInput[]): Promise<void>;
  countOutcomes(jobId: string): Promise<LedgerCounts>;
  listOutcomes(jobId: string, options?: ListLedgerOptions): Promise<LedgerPage>;
  /**
   * Delta detection: for each record, its latest `loaded` row across live (not dry-run) jobs of
   * this source, when its resources are still on the target (that job not rolled back, none of
   * the record's resources deleted by a rollback). Records without one are absent from the result.
   * A record is looked up under the patient it was recorded with (a record that moved to another
   * patient counts as new: its resources, deterministic ids, are written over once).
   */
  findPreviousLoads(source: string, records: readonly RecordLookup[]): Promise<PreviousLoad[]>;

  // Id map (written by recordTaskResults)
  listIds(jobId: string, options?: ListIdMapOptions): Promise<IdMapEntry[]>;
  /** Marks id map rows (by their `seq`) deleted or changed on the target. */
  setIdStatus(jobId: string, seqs: readonly number[], status: IdMapStatus): Promise<void>;

  // Phase plans (priority phases: a patient's record → phase, computed once per job)
  /** Upserts the patient's plan (JSON). */
  savePhasePlan(jobId: string, patientKey: string, plan: JsonValue): Promise<void>;
  loadPhasePlan(jobId: string, patientKey: string): Promise<JsonValue | undefined>;

  // Audit log (hash chain; see model/audit.ts for the hash)
  appendAudit(entry: AuditAppend): Promise<AuditEntry>;
  readAudit(options?: ReadAuditOptions): Promise<AuditEntry[]>;

  // Export files
  registerExportFile(file: ExportFileInput): Promise<ExportFile>;
  listExportFiles(exportId: string): Promise<ExportFile[]>;
  /** Forgets an export's files (a restarted export writes them again); returns how many. */
  deleteExportFiles(exportId: string): Promise<number>;

  // Bulk Data exports (state survives a restart)
  createExport(input: CreateExportInput): Promise<ExportRecord>;
  /** Throws FHIRMIG_ERR_BULK_NOT_FOUND (404). */
  getExport(exportId: string): Promise<ExportRecord>;
  /** Throws FHIRMIG_ERR_BULK_NOT_FOUND when the export was deleted. */
  updateExport(exportId: string, update: ExportUpdate): Promise<ExportRecord>;
  listExports(options?: ListExportsOptions): Promise<ExportRecord[]>;
  /** Deletes the export and its file rows; false when it was not there. */
  deleteExport(exportId: string): Promise<boolean>;

  close(): Promise<void>;
}

/** Options both backends share. */
export interface JobStoreOptions {
  /** Epoch-millisecond clock (leases, timestamps). Workers sharing a store need synced clocks. */
  readonly now?: () => number;
}
