import { randomUUID } from 'node:crypto';
import type { AuditAppend, AuditEntry, JsonValue, ReadAuditOptions } from '../../model/audit.ts';
import type { ExportFile, ExportFileInput } from '../../model/export-file.ts';
import type { CreateExportInput, ExportRecord, ExportUpdate, ListExportsOptions } from '../../model/export.ts';
import type { IdMapEntry, IdMapEntryInput, IdMapStatus, ListIdMapOptions } from '../../model/id-map.ts';
import type { CreateJobOptions, Job, JobProgressDelta, JobSpec, ListJobsOptions, TransitionOptions } from '../../model/job.ts';
import type { JobState } from '../../model/job-state.ts';
import { assertTransition } from '../../model/job-state.ts';
import type { LedgerCounts, LedgerEntryInput, LedgerPage, ListLedgerOptions, PreviousLoad, RecordLookup } from '../../model/ledger.ts';
import type { ClaimOptions, FailTaskOptions, ListTasksOptions, Task, TaskCounts, TaskInput } from '../../model/task.ts';
import type { JobStore, JobStoreOptions } from '../job-store.ts';
import { jobNotFound, pageSize, progressDeltaColumns, toJob } from '../shared.ts';
import { SqliteConnection, migrateSqlite } from './sqlite-connection.ts';
import * as exportRows from './sqlite-exports.ts';
import * as records from './sqlite-records.ts';
import * as tasks from './sqlite-tasks.ts';

export interface SqliteJobStoreOptions extends JobStoreOptions {
  /** The store file (created with its folder's permissions), or `:memory:` for tests. */
  readonly path: string;
  /** How long a writer waits for another process's write lock before giving up (ms). */
  readonly busyTimeoutMs?: number;
}

/** Opens (creating and migrating) the embedded job store. */
export function openSqliteJobStore(options: SqliteJobStoreOptions): SqliteJobStore {
  return new SqliteJobStore(options);
}

export class SqliteJobStore implements JobStore {
  readonly backend = 'sqlite';
  private readonly connection: SqliteConnection;
  private readonly now: () => number;

  constructor(options: SqliteJobStoreOptions) {
    this.now = options.now ?? Date.now;
    this.connection = new SqliteConnection(options.path, options.busyTimeoutMs ?? 5_000);
    try {
      migrateSqlite(this.connection, this.now());
    } catch (error) {
      this.connection.close();
      throw error;
    }
  }

  async createJob(spec: JobSpec, options: CreateJobOptions = {}): Promise<Job> {
    const now = this.now();
    const row = this.connection.get(
      "INSERT INTO jobs (id, state, dry_run, spec, created_at, updated_at) VALUES (?, 'queued', ?, ?, ?, ?) RETURNING *",
      options.id ?? randomUUID(),
      spec.options.dryRun ? 1 : 0,
      JSON.stringify(spec),
      now,
      now,
    );
    return toJob(row ?? {});
  }

  async getJob(jobId: string): Promise<Job> {
    return this.requireJob(jobId);
  }

  async listJobs(options: ListJobsOptions = {}): Promise<Job[]> {
    const states = options.states ?? [];
    const stateFilter = states.length === 0 ? '' : `WHERE state IN (${states.map(() => '?').join(', ')})`;
    const sql = `SELECT * FROM jobs ${stateFilter} ORDER BY created_at, id LIMIT ? OFFSET ?`;
    return this.connection.all(sql, ...states, pageSize(options.limit), options.offset ?? 0).map(toJob);
  }

  async transitionJob(jobId: string, to: JobState, options: TransitionOptions = {}): Promise<Job> {
    return this.connection.transaction(() => {
      const job = this.requireJob(jobId);
      assertTransition(jobId, job.state, to);
      const error = options.error ?? (to === 'running' || to === 'rolling-back' ? undefined : job.error);
      const row = this.connection.get(
        'UPDATE jobs SET state = ?, error_code = ?, error_message = ?, updated_at = ? WHERE id = ? RETURNING *',
        to,
        error?.code ?? null,
        error?.message ?? null,
        this.now(),
        jobId,
      );
      return toJob(row ?? {});
    });
  }

  async incrementProgress(jobId: string, delta: JobProgressDelta): Promise<Job> {
    const columns = progressDeltaColumns(delta);
    const sets = columns.map(([column]) => `${column} = ${column} + ?`).concat('updated_at = ?');
    const row = this.connection.get(`UPDATE jobs SET ${sets.join(', ')} WHERE id = ? RETURNING *`, ...columns.map(([, n]) => n), this.now(), jobId);
    if (!row) throw jobNotFound(jobId);
    return toJob(row);
  }

  async addTasks(jobId: string, input: readonly TaskInput[]): Promise<number> {
    this.requireJob(jobId);
    return tasks.addTasks(this.connection, jobId, input, this.now());
  }

  async claimTasks(jobId: string, workerId: string, n: number, leaseMs: number, options: ClaimOptions = {}): Promise<Task[]> {
    return tasks.claimTasks(this.connection, jobId, workerId, n, leaseMs, this.now(), options);
  }

  async renewLease(taskIds: readonly number[], workerId: string, leaseMs: number): Promise<number[]> {
    return tasks.renewLease(this.connection, taskIds, workerId, leaseMs, this.now());
  }

  async completeTask(taskId: number, workerId: string): Promise<void> {
    tasks.completeTask(this.connection, taskId, workerId, this.now());
  }

  async failTask(taskId: number, workerId: string, error: { code: string; message: string }, options: FailTaskOptions = {}): Promise<void> {
    tasks.failTask(this.connection, taskId, workerId, error, options, this.now());
  }

  async countTasks(jobId: string): Promise<TaskCounts> {
    return tasks.countTasks(this.connection, jobId);
  }

  async listTasks(jobId: string, options: ListTasksOptions = {}): Promise<Task[]> {
    return tasks.listTasks(this.connection, jobId, options);
  }

  async countOutcomes(jobId: string): Promise<LedgerCounts> {
    return records.countOutcomes(this.connection, jobId);
  }

  async listOutcomes(jobId: string, options: ListLedgerOptions = {}): Promise<LedgerPage> {
    return records.listOutcomes(this.connection, jobId, options);
  }

  async findPreviousLoads(source: string, lookups: readonly RecordLookup[]): Promise<PreviousLoad[]> {
    return records.findPreviousLoads(this.connection, source, lookups);
  }

  async recordTaskResults(jobId: string, outcomes: readonly LedgerEntryInput[], ids: readonly IdMapEntryInput[]): Promise<void> {
    this.requireJob(jobId);
    records.recordTaskResults(this.connection, jobId, outcomes, ids, this.now());
  }

  async listIds(jobId: string, options: ListIdMapOptions = {}): Promise<IdMapEntry[]> {
    return records.listIds(this.connection, jobId, options);
  }

  async setIdStatus(jobId: string, seqs: readonly number[], status: IdMapStatus): Promise<void> {
    records.setIdStatus(this.connection, jobId, seqs, status);
  }

  async savePhasePlan(jobId: string, patientKey: string, plan: JsonValue): Promise<void> {
    this.connection.run('INSERT INTO phase_plans (job_id, patient_key, plan) VALUES (?, ?, ?) ON CONFLICT (job_id, patient_key) DO UPDATE SET plan = excluded.plan', jobId, patientKey, JSON.stringify(plan));
  }

  async loadPhasePlan(jobId: string, patientKey: string): Promise<JsonValue | undefined> {
    const row = this.connection.get('SELECT plan FROM phase_plans WHERE job_id = ? AND patient_key = ?', jobId, patientKey);
    return row === undefined ? undefined : (JSON.parse(String(row.plan)) as JsonValue);
  }

  async appendAudit(entry: AuditAppend): Promise<AuditEntry> {
    return records.appendAudit(this.connection, entry, this.now());
  }

  async readAudit(options: ReadAuditOptions = {}): Promise<AuditEntry[]> {
    return records.readAudit(this.connection, options);
  }

  async registerExportFile(file: ExportFileInput): Promise<ExportFile> {
    return records.registerExportFile(this.connection, file, this.now());
  }

  async listExportFiles(exportId: string): Promise<ExportFile[]> {
    return records.listExportFiles(this.connection, exportId);
  }

  async deleteExportFiles(exportId: string): Promise<number> {
    return exportRows.deleteExportFiles(this.connection, exportId);
  }

  async createExport(input: CreateExportInput): Promise<ExportRecord> {
    return exportRows.createExport(this.connection, input, this.now());
  }

  async getExport(exportId: string): Promise<ExportRecord> {
    return exportRows.getExport(this.connection, exportId);
  }

  async updateExport(exportId: string, update: ExportUpdate): Promise<ExportRecord> {
    return exportRows.updateExport(this.connection, exportId, update, this.now());
  }

  async listExports(options: ListExportsOptions = {}): Promise<ExportRecord[]> {
    return exportRows.listExports(this.connection, options);
  }

  async deleteExport(exportId: string): Promise<boolean> {
    return exportRows.deleteExport(this.connection, exportId);
  }

  async close(): Promise<void> {
    this.connection.close();
  }

  private requireJob(jobId: string): Job {
    const row = this.connection.get('SELECT * FROM jobs WHERE id = ?', jobId);
    if (!row) throw jobNotFound(jobId);
    return toJob(row);
  }
}
