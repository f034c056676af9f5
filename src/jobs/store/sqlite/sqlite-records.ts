import type { AuditAppend, AuditEntry, ReadAuditOptions } from '../../model/audit.ts';
import { canonicalJson, nextAuditEntry } from '../../model/audit.ts';
import type { ExportFile, ExportFileInput } from '../../model/export-file.ts';
import type { IdMapEntry, IdMapEntryInput, IdMapStatus, ListIdMapOptions } from '../../model/id-map.ts';
import { dedupeIdMapBatch } from '../../model/id-map.ts';
import type { LedgerCounts, LedgerEntryInput, LedgerPage, ListLedgerOptions, PreviousLoad, RecordLookup } from '../../model/ledger.ts';
import { dedupeLedgerBatch, foldLedgerCounts } from '../../model/ledger.ts';
import { NO_PATIENT, STILL_ON_TARGET, jsonOrNull, pageSize, toAuditEntry, toExportFile, toIdMapEntry, toLedgerCountRow, toLedgerEntry, toPreviousLoad } from '../shared.ts';
import type { SqliteConnection } from './sqlite-connection.ts';

/** Ledger, id map, audit log and export files on SQLite: prepared statements inside one transaction per batch. */
const UPSERT_LEDGER = `INSERT INTO ledger (job_id, source, kind, locator, record_key, patient_key, outcome, resource_type, error_code, issues, target_ids, content_hash, updated_at, phase)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
  ON CONFLICT (source, patient_key, kind, record_key, job_id) DO UPDATE SET locator = excluded.locator,
    outcome = excluded.outcome, resource_type = excluded.resource_type, error_code = excluded.error_code, issues = excluded.issues,
    target_ids = excluded.target_ids, content_hash = excluded.content_hash, updated_at = excluded.updated_at, phase = excluded.phase`;

/** A task's ledger rows and the ids it wrote in one transaction (one commit, and never rows without their ids). */
export function recordTaskResults(connection: SqliteConnection, jobId: string, entries: readonly LedgerEntryInput[], ids: readonly IdMapEntryInput[], now: number): void {
  connection.transaction(() => {
    upsertOutcomes(connection, jobId, entries, now);
    upsertIds(connection, jobId, ids);
  });
}

function upsertOutcomes(connection: SqliteConnection, jobId: string, entries: readonly LedgerEntryInput[], now: number): void {
  const statement = connection.statement(UPSERT_LEDGER);
  for (const e of dedupeLedgerBatch(entries)) {
    statement.run(jobId, e.ref.source, e.ref.kind, e.ref.locator, e.recordKey, e.patientKey ?? NO_PATIENT, e.outcome, e.resourceType ?? null, e.errorCode ?? null, jsonOrNull(e.issues), jsonOrNull(e.targetIds), e.contentHash ?? null, now, e.phase ?? null);
  }
}

export function countOutcomes(connection: SqliteConnection, jobId: string): LedgerCounts {
  const rows = connection.all('SELECT kind, resource_type, outcome, error_code, COUNT(*) AS n FROM ledger WHERE job_id = ? GROUP BY kind, resource_type, outcome, error_code', jobId);
  return foldLedgerCounts(rows.map(toLedgerCountRow));
}

export function listOutcomes(connection: SqliteConnection, jobId: string, options: ListLedgerOptions): LedgerPage {
  const filters = ['job_id = ?'];
  const params: string[] = [jobId];
  if (options.outcome !== undefined) (filters.push('outcome = ?'), params.push(options.outcome));
  if (options.errorCode !== undefined) (filters.push('error_code = ?'), params.push(options.errorCode));
  if (options.kind !== undefined) (filters.push('kind = ?'), params.push(options.kind));
  if (options.phase !== undefined) (filters.push('phase = ?'), params.push(options.phase));
  const where = filters.join(' AND ');
  const total = Number(connection.get(`SELECT COUNT(*) AS n FROM ledger WHERE ${where}`, ...params)?.n ?? 0);
  const rows = connection.all(`SELECT * FROM ledger WHERE ${where} ORDER BY id LIMIT ? OFFSET ?`, ...params, pageSize(options.limit), options.offset ?? 0);
  return { entries: rows.map(toLedgerEntry), total };
}

// CROSS JOIN keeps the wanted records as the outer loop (SQLite does not reorder it): each is one
// index probe on (source, patient_key, kind, record_key). A plain JOIN let the planner scan every ledger row of
// the source per call instead — quadratic over a migration (measured: 37% of an e2e run at 22 patients).
export const PREVIOUS_LOADS = `WITH wanted (patient_key, kind, record_key) AS (SELECT json_extract(value, '$[0]'), json_extract(value, '$[1]'), json_extract(value, '$[2]') FROM json_each(?)),
  latest AS (
    SELECT l.*, j.state AS job_state, ROW_NUMBER() OVER (PARTITION BY l.kind, l.record_key ORDER BY l.updated_at DESC, l.id DESC) AS rn
    FROM wanted w CROSS JOIN ledger l ON l.source = ? AND l.patient_key = w.patient_key AND l.kind = w.kind AND l.record_key = w.record_key
    JOIN jobs j ON j.id = l.job_id
    WHERE l.outcome = 'loaded' AND j.dry_run = 0)
  SELECT job_id, kind, record_key, content_hash, target_ids, updated_at FROM latest x
  WHERE rn = 1 AND ${STILL_ON_TARGET}`;

export function findPreviousLoads(connection: SqliteConnection, source: string, records: readonly RecordLookup[]): PreviousLoad[] {
  if (records.length === 0) return [];
  const wanted = JSON.stringify(records.map((r) => [r.patientKey ?? NO_PATIENT, r.kind, r.recordKey]));
  return connection.all(PREVIOUS_LOADS, wanted, source).map(toPreviousLoad);
}

const UPSERT_ID = `INSERT INTO id_map (job_id, source, patient_key, kind, record_key, resource_type, target_id, version_id, last_updated, phase, status)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'written')
    ON CONFLICT (job_id, patient_key, resource_type, target_id) DO UPDATE SET source = excluded.source, kind = excluded.kind, record_key = excluded.record_key,
      version_id = excluded.version_id, last_updated = excluded.last_updated, phase = excluded.phase, status = 'written'`;

function upsertIds(connection: SqliteConnection, jobId: string, entries: readonly IdMapEntryInput[]): void {
  const statement = connection.statement(UPSERT_ID);
  for (const e of dedupeIdMapBatch(entries)) statement.run(jobId, e.source, e.patientKey ?? NO_PATIENT, e.kind, e.recordKey, e.resourceType, e.targetId, e.versionId ?? null, e.lastUpdated ?? null, e.phase ?? null);
}

export function listIds(connection: SqliteConnection, jobId: string, options: ListIdMapOptions): IdMapEntry[] {
  const filters = ['job_id = ?'];
  const params: string[] = [jobId];
  if (options.status !== undefined) (filters.push('status = ?'), params.push(options.status));
  if (options.phase !== undefined) (filters.push('phase = ?'), params.push(options.phase));
  const direction = options.order === 'reverse' ? 'DESC' : 'ASC';
  const limit = options.limit === undefined ? -1 : Math.floor(options.limit);
  return connection.all(`SELECT * FROM id_map WHERE ${filters.join(' AND ')} ORDER BY seq ${direction} LIMIT ? OFFSET ?`, ...params, limit, options.offset ?? 0).map(toIdMapEntry);
}

export function setIdStatus(connection: SqliteConnection, jobId: string, seqs: readonly number[], status: IdMapStatus): void {
  connection.transaction(() => {
    for (const seq of seqs) connection.run('UPDATE id_map SET status = ? WHERE seq = ? AND job_id = ?', status, seq, jobId);
  });
}

export function appendAudit(connection: SqliteConnection, append: AuditAppend, now: number): AuditEntry {
  return connection.transaction(() => {
    const last = connection.get('SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1');
    const previous = last === undefined ? undefined : { seq: Number(last.seq), hash: String(last.hash) };
    const entry = nextAuditEntry(previous, append, append.at ?? new Date(now).toISOString());
    connection.run('INSERT INTO audit_log (seq, at, type, payload, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?)', entry.seq, entry.at, entry.type, canonicalJson(entry.payload), entry.prevHash, entry.hash);
    return entry;
  });
}

export function readAudit(connection: SqliteConnection, options: ReadAuditOptions): AuditEntry[] {
  const limit = options.limit === undefined ? -1 : Math.floor(options.limit);
  return connection.all('SELECT * FROM audit_log WHERE seq > ? ORDER BY seq LIMIT ?', options.afterSeq ?? 0, limit).map(toAuditEntry);
}

export function registerExportFile(connection: SqliteConnection, file: ExportFileInput, now: number): ExportFile {
  const row = connection.get(
    'INSERT INTO export_files (export_id, job_id, type, path, count, created_at) VALUES (?, ?, ?, ?, ?, ?) RETURNING *',
    file.exportId,
    file.jobId ?? null,
    file.type,
    file.path,
    file.count,
    now,
  );
  return toExportFile(row ?? {});
}

export function listExportFiles(connection: SqliteConnection, exportId: string): ExportFile[] {
  return connection.all('SELECT * FROM export_files WHERE export_id = ? ORDER BY id', exportId).map(toExportFile);
}
