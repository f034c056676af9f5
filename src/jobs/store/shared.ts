import { MigrateError } from '../../core/index.ts';
import type { AuditEntry, JsonValue } from '../model/audit.ts';
import type { ExportFile } from '../model/export-file.ts';
import type { IdMapEntry, IdMapStatus } from '../model/id-map.ts';
import type { Job, JobProgress, JobProgressDelta, JobSpec } from '../model/job.ts';
import { PROGRESS_FIELDS } from '../model/job.ts';
import { isJobState } from '../model/job-state.ts';
import type { LedgerCountRow, LedgerEntry, LedgerOutcome, PreviousLoad } from '../model/ledger.ts';
import type { Task, TaskState } from '../model/task.ts';

/**
 * Row ↔ model mapping shared by both backends: the two schemas use the same column names, JSON
 * as text and times as epoch-millisecond integers (pg returns int8 as a string, hence Number()).
 */
export type Row = Record<string, unknown>;

/** One versioned schema step of a backend. */
export interface Migration {
  readonly version: number;
  readonly sql: string;
}

export const PROGRESS_COLUMNS: Readonly<Record<keyof JobProgress, string>> = {
  tasksTotal: 'tasks_total',
  tasksDone: 'tasks_done',
  tasksFailed: 'tasks_failed',
  recordsRead: 'records_read',
  recordsLoaded: 'records_loaded',
  recordsRejected: 'records_rejected',
  recordsSkipped: 'records_skipped',
  resourcesWritten: 'resources_written',
};

/** The non-zero deltas as [column, amount] pairs. */
export function progressDeltaColumns(delta: JobProgressDelta): [string, number][] {
  return PROGRESS_FIELDS.filter((field) => (delta[field] ?? 0) !== 0).map((field) => [PROGRESS_COLUMNS[field], delta[field] ?? 0]);
}

/** Empty lists are stored as NULL. */
export function jsonOrNull(list: readonly unknown[] | undefined): string | null {
  return list === undefined || list.length === 0 ? null : JSON.stringify(list);
}

function text(value: unknown): string | undefined {
  return value === null || value === undefined ? undefined : String(value);
}

/** The ledger and the id map key rows by patient first; `''` stands for none (a NULL would never conflict). */
export const NO_PATIENT = '';

function patientKeyOf(value: unknown): string | undefined {
  return value === NO_PATIENT ? undefined : text(value);
}

function int(value: unknown): number {
  return Number(value ?? 0);
}

function json<T>(value: unknown, fallback: T): T {
  return value === null || value === undefined ? fallback : (JSON.parse(String(value)) as T);
}

function iso(value: unknown): string {
  return new Date(int(value)).toISOString();
}

export function toJob(row: Row): Job {
  const state = String(row.state);
  if (!isJobState(state)) throw new MigrateError('FHIRMIG_ERR_CORE_INTERNAL', `The job store holds an unknown job state '${state}'.`);
  const progress = Object.fromEntries(PROGRESS_FIELDS.map((field) => [field, int(row[PROGRESS_COLUMNS[field]])])) as unknown as JobProgress;
  const code = text(row.error_code);
  return {
    id: String(row.id),
    state,
    spec: JSON.parse(String(row.spec)) as JobSpec,
    progress,
    error: code === undefined ? undefined : { code, message: text(row.error_message) ?? '' },
    createdAt: iso(row.created_at),
    updatedAt: iso(row.updated_at),
  };
}

export function toTask(row: Row): Task {
  const code = text(row.error_code);
  const lease = row.lease_expires_at;
  return {
    id: int(row.id),
    jobId: String(row.job_id),
    patientKey: String(row.patient_key),
    phase: String(row.phase),
    priority: int(row.priority),
    state: String(row.state) as TaskState,
    attempts: int(row.attempts),
    claimedBy: text(row.claimed_by),
    leaseExpiresAt: lease === null || lease === undefined ? undefined : int(lease),
    error: code === undefined ? undefined : { code, message: text(row.error_message) ?? '' },
  };
}

export function toLedgerEntry(row: Row): LedgerEntry {
  return {
    jobId: String(row.job_id),
    ref: { source: String(row.source), kind: String(row.kind), locator: String(row.locator) },
    recordKey: String(row.record_key),
    patientKey: patientKeyOf(row.patient_key),
    outcome: String(row.outcome) as LedgerOutcome,
    resourceType: text(row.resource_type),
    errorCode: text(row.error_code),
    issues: json(row.issues, []),
    targetIds: json(row.target_ids, []),
    contentHash: text(row.content_hash),
    phase: text(row.phase),
    updatedAt: int(row.updated_at),
  };
}

export function toLedgerCountRow(row: Row): LedgerCountRow {
  return {
    kind: String(row.kind),
    resourceType: text(row.resource_type),
    outcome: String(row.outcome) as LedgerOutcome,
    errorCode: text(row.error_code),
    count: int(row.n),
  };
}

export function toPreviousLoad(row: Row): PreviousLoad {
  return {
    jobId: String(row.job_id),
    kind: String(row.kind),
    recordKey: String(row.record_key),
    contentHash: text(row.content_hash),
    targetIds: json(row.target_ids, []),
    updatedAt: int(row.updated_at),
  };
}

export function toIdMapEntry(row: Row): IdMapEntry {
  return {
    jobId: String(row.job_id),
    seq: int(row.seq),
    source: String(row.source),
    patientKey: patientKeyOf(row.patient_key),
    kind: String(row.kind),
    recordKey: String(row.record_key),
    resourceType: String(row.resource_type),
    targetId: String(row.target_id),
    versionId: text(row.version_id),
    lastUpdated: text(row.last_updated),
    phase: text(row.phase),
    status: String(row.status) as IdMapStatus,
  };
}

export function toAuditEntry(row: Row): AuditEntry {
  return {
    seq: int(row.seq),
    at: String(row.at),
    type: String(row.type),
    payload: json<JsonValue>(row.payload, null),
    prevHash: String(row.prev_hash),
    hash: String(row.hash),
  };
}

export function toExportFile(row: Row): ExportFile {
  return {
    id: int(row.id),
    exportId: String(row.export_id),
    jobId: text(row.job_id),
    type: String(row.type),
    path: String(row.path),
    count: int(row.count),
    createdAt: int(row.created_at),
  };
}

export function jobNotFound(jobId: string): MigrateError {
  return new MigrateError('FHIRMIG_ERR_JOB_NOT_FOUND', `No job '${jobId}' in the job store.`);
}

export function leaseLost(taskId: number, workerId: string): MigrateError {
  return new MigrateError('FHIRMIG_ERR_JOB_LEASE_LOST', `Worker '${workerId}' no longer holds task ${taskId} (lease expired and reclaimed, or already finished).`);
}

export function storeTooNew(found: number, known: number): MigrateError {
  return new MigrateError('FHIRMIG_ERR_STORE_VERSION', `The job store is at schema version ${found}; this release knows up to ${known}.`);
}

/**
 * SQL condition on `x` (the latest live `loaded` ledger row of a record, with `job_state`): its
 * resources are still on the target. Ids are deterministic, so a later job that loaded the record
 * wrote over the same resources — and a rollback of that job deleted them; hence only the latest
 * load counts, and it does not when its job is (being) rolled back or its rollback deleted any of
 * the record's resources (a rollback that failed half-way).
 */
export const STILL_ON_TARGET = `x.job_state NOT IN ('rolling-back', 'rolled-back')
  AND NOT EXISTS (SELECT 1 FROM id_map m WHERE m.job_id = x.job_id AND m.patient_key = x.patient_key AND m.kind = x.kind AND m.record_key = x.record_key AND m.source = x.source AND m.status = 'deleted')`;

export const DEFAULT_PAGE_SIZE = 100;
export const MAX_PAGE_SIZE = 10_000;

export function pageSize(limit: number | undefined): number {
  if (limit === undefined) return DEFAULT_PAGE_SIZE;
  return Math.max(0, Math.min(MAX_PAGE_SIZE, Math.floor(limit)));
}
