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
import { PostgresConnection, migratePostgres, queryRows } from './postgres-connection.ts';
import type { PostgresConnectionOptions, Queryable } from './postgres-connection.ts';
import * as exportRows from './postgres-exports.ts';
import * as records from './postgres-records.ts';
import * as tasks from './postgres-tasks.ts';

export interface PostgresJobStoreOptions extends JobStoreOptions, PostgresConnectionOptions {}

/** Connects, creates the schema when asked and migrates; the store is ready when this resolves. */
export async function openPostgresJobStore(options: PostgresJobStoreOptions): Promise<PostgresJobStore> {
  const store = new PostgresJobStore(options);
  try {
    await migratePostgres(store.connection, (options.now ?? Date.now)());
  } catch (error) {
    await store.close();
    throw error;
  }
  return store;
}

export class PostgresJobStore implements JobStore {
  readonly backend = 'postgres';
  readonly connection: PostgresConnection;
  private readonly now: () => number;

  /** Use openPostgresJobStore (it migrates). */
  constructor(options: PostgresJobStoreOptions) {
    this.now = options.now ?? Date.now;
    this.connection = new PostgresConnection(options);
  }

  async createJob(spec: JobSpec, options: CreateJobOptions = {}): Promise<Job> {
    const now = this.now();
    const rows = await this.connection.query("INSERT INTO jobs (id, state, dry_run, spec, created_at, updated_at) VALUES ($1, 'queued', $2, $3, $4, $4) RETURNING *", [
      options.id ?? randomUUID(),
      spec.options.dryRun ? 1 : 0,
      JSON.stringify(spec),
      now,
    ]);
    return toJob(rows[0] ?? {});
  }

  async getJob(jobId: string): Promise<Job> {
    return this.requireJob(this.connection.pool, jobId);
  }

  async listJobs(options: ListJobsOptions = {}): Promise<Job[]> {
    const states = options.states ?? [];
    const rows = await this.connection.query('SELECT * FROM jobs WHERE (cardinality($1::text[]) = 0 OR state = ANY($1::text[])) ORDER BY created_at, id LIMIT $2 OFFSET $3', [
      states,
      pageSize(options.limit),
      options.offset ?? 0,
    ]);
    return rows.map(toJob);
  }

  async transitionJob(jobId: string, to: JobState, options: TransitionOptions = {}): Promise<Job> {
    return this.connection.transaction(async (client) => {
      const job = await this.requireJob(client, jobId, ' FOR UPDATE');
      assertTransition(jobId, job.state, to);
      const error = options.error ?? (to === 'running' || to === 'rolling-back' ? undefined : job.error);
      const rows = await queryRows(client, 'UPDATE jobs SET state = $1, error_code = $2, error_message = $3, updated_at = $4 WHERE id = $5 RETURNING *', [
        to,
        error?.code ?? null,
        error?.message ?? null,
        this.now(),
        jobId,
      ]);
      return toJob(rows[0] ?? {});
    });
  }

  async incrementProgress(jobId: string, delta: JobProgressDelta): Promise<Job> {
    const columns = progressDeltaColumns(delta);
    const sets = columns.map(([column], i) => `${column} = ${column} + $${i + 3}`).concat('updated_at = $2');
    const rows = await this.connection.query(`UPDATE jobs SET ${sets.join(', ')} WHERE id = $1 RETURNING *`, [jobId, this.now(), ...columns.map(([, n]) => n)]);
    if (!rows[0]) throw jobNotFound(jobId);
    return toJob(rows[0]);
  }

  async addTasks(jobId: string, input: readonly TaskInput[]): Promise<number> {
    await this.requireJob(this.connection.pool, jobId);
    return tasks.addTasks(this.connection, jobId, input, this.now());
  }

  async claimTasks(jobId: string, workerId: string, n: number, leaseMs: number, options: ClaimOptions = {}): Promise<Task[]> {
    return tasks.claimTasks(this.connection, jobId, workerId, n, leaseMs, this.now(), options);
  }

  async renewLease(taskIds: readonly number[], workerId: string, leaseMs: number): Promise<number[]> {
    return tasks.renewLease(this.connection, taskIds, workerId, leaseMs, this.now());
  }

  async completeTask(taskId: number, workerId: string): Promise<void> {
    await tasks.completeTask(this.connection, taskId, workerId, this.now());
  }

  async failTask(taskId: number, workerId: string, error: { code: string; message: string }, options: FailTaskOptions = {}): Promise<void> {
    await tasks.failTask(this.connection, taskId, workerId, error, options, this.now());
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
    await this.requireJob(this.connection.pool, jobId);
    await records.recordTaskResults(this.connection, jobId, outcomes, ids, this.now());
  }

  async listIds(jobId: string, options: ListIdMapOptions = {}): Promise<IdMapEntry[]> {
    return records.listIds(this.connection, jobId, options);
  }

  async setIdStatus(jobId: string, seqs: readonly number[], status: IdMapStatus): Promise<void> {
    await records.setIdStatus(this.connection, jobId, seqs, status);
  }

  async savePhasePlan(jobId: string, patientKey: string, plan: JsonValue): Promise<void> {
    await this.connection.query('INSERT INTO phase_plans (job_id, patient_key, plan) VALUES ($1, $2, $3) ON CONFLICT (job_id, patient_key) DO UPDATE SET plan = excluded.plan', [jobId, patientKey, JSON.stringify(plan)]);
  }

  async loadPhasePlan(jobId: string, patientKey: string): Promise<JsonValue | undefined> {
    const rows = await this.connection.query('SELECT plan FROM phase_plans WHERE job_id = $1 AND patient_key = $2', [jobId, patientKey]);
    return rows[0] === undefined ? undefined : (JSON.parse(String(rows[0].plan)) as JsonValue);
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
    await this.connection.close();
  }

  private async requireJob(client: Queryable, jobId: string, lock = ''): Promise<Job> {
    const row = (await queryRows(client, `SELECT * FROM jobs WHERE id = $1${lock}`, [jobId]))[0];
    if (!row) throw jobNotFound(jobId);
    return toJob(row);
  }
}
