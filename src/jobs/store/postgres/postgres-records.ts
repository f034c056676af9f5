import type { AuditAppend, AuditEntry, ReadAuditOptions } from '../../model/audit.ts';
import { canonicalJson, nextAuditEntry } from '../../model/audit.ts';
import type { ExportFile, ExportFileInput } from '../../model/export-file.ts';
import type { IdMapEntry, IdMapEntryInput, IdMapStatus, ListIdMapOptions } from '../../model/id-map.ts';
import { dedupeIdMapBatch } from '../../model/id-map.ts';
import type { LedgerCounts, LedgerEntryInput, LedgerPage, ListLedgerOptions, PreviousLoad, RecordLookup } from '../../model/ledger.ts';
import { dedupeLedgerBatch, foldLedgerCounts } from '../../model/ledger.ts';
import { NO_PATIENT, STILL_ON_TARGET, jsonOrNull, pageSize, toAuditEntry, toExportFile, toIdMapEntry, toLedgerCountRow, toLedgerEntry, toPreviousLoad } from '../shared.ts';
import { queryRows } from './postgres-connection.ts';
import type { PostgresConnection } from './postgres-connection.ts';

/** Ledger, id map, audit log and export files on PostgreSQL: batches as column arrays through unnest. */
const STATEMENT_ROWS = 5_000;

function chunks<T>(items: readonly T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += STATEMENT_ROWS) out.push(items.slice(i, i + STATEMENT_ROWS));
  return out;
}

const UPSERT_LEDGER = `INSERT INTO ledger (job_id, source, kind, locator, record_key, patient_key, outcome, resource_type, error_code, issues, target_ids, content_hash, phase, updated_at)
  SELECT $1::text, u.*, $14::bigint FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[], $11::text[], $12::text[], $13::text[]) AS u
  ON CONFLICT (source, patient_key, kind, record_key, job_id) DO UPDATE SET locator = excluded.locator,
    outcome = excluded.outcome, resource_type = excluded.resource_type, error_code = excluded.error_code, issues = excluded.issues,
    target_ids = excluded.target_ids, content_hash = excluded.content_hash, phase = excluded.phase, updated_at = excluded.updated_at`;

function ledgerColumns(entries: readonly LedgerEntryInput[]): unknown[] {
  return [
    entries.map((e) => e.ref.source),
    entries.map((e) => e.ref.kind),
    entries.map((e) => e.ref.locator),
    entries.map((e) => e.recordKey),
    entries.map((e) => e.patientKey ?? NO_PATIENT),
    entries.map((e) => e.outcome),
    entries.map((e) => e.resourceType ?? null),
    entries.map((e) => e.errorCode ?? null),
    entries.map((e) => jsonOrNull(e.issues)),
    entries.map((e) => jsonOrNull(e.targetIds)),
    entries.map((e) => e.contentHash ?? null),
    entries.map((e) => e.phase ?? null),
  ];
}

/** A task's ledger rows and the ids it wrote in one transaction (never rows without their ids). */
export async function recordTaskResults(connection: PostgresConnection, jobId: string, entries: readonly LedgerEntryInput[], ids: readonly IdMapEntryInput[], now: number): Promise<void> {
  const outcomes = dedupeLedgerBatch(entries);
  const written = dedupeIdMapBatch(ids);
  if (outcomes.length === 0 && written.length === 0) return;
  await connection.transaction(async (client) => {
    for (const chunk of chunks(outcomes)) await queryRows(client, UPSERT_LEDGER, [jobId, ...ledgerColumns(chunk), now]);
    for (const chunk of chunks(written)) await queryRows(client, UPSERT_IDS, [jobId, ...idColumns(chunk)]);
  });
}

export async function countOutcomes(connection: PostgresConnection, jobId: string): Promise<LedgerCounts> {
  const rows = await connection.query('SELECT kind, resource_type, outcome, error_code, COUNT(*) AS n FROM ledger WHERE job_id = $1 GROUP BY kind, resource_type, outcome, error_code', [jobId]);
  return foldLedgerCounts(rows.map(toLedgerCountRow));
}

const LEDGER_FILTER = 'job_id = $1 AND ($2::text IS NULL OR outcome = $2) AND ($3::text IS NULL OR error_code = $3) AND ($4::text IS NULL OR kind = $4) AND ($5::text IS NULL OR phase = $5)';

export async function listOutcomes(connection: PostgresConnection, jobId: string, options: ListLedgerOptions): Promise<LedgerPage> {
  const filter = [jobId, options.outcome ?? null, options.errorCode ?? null, options.kind ?? null, options.phase ?? null];
  const total = Number((await connection.query(`SELECT COUNT(*) AS n FROM ledger WHERE ${LEDGER_FILTER}`, filter))[0]?.n ?? 0);
  const rows = await connection.query(`SELECT * FROM ledger WHERE ${LEDGER_FILTER} ORDER BY id LIMIT $6 OFFSET $7`, [...filter, pageSize(options.limit), options.offset ?? 0]);
  return { entries: rows.map(toLedgerEntry), total };
}

export async function findPreviousLoads(connection: PostgresConnection, source: string, records: readonly RecordLookup[]): Promise<PreviousLoad[]> {
  if (records.length === 0) return [];
  return (
    await connection.query(
      `SELECT x.job_id, x.kind, x.record_key, x.content_hash, x.target_ids, x.updated_at FROM (
         SELECT DISTINCT ON (l.kind, l.record_key) l.*, j.state AS job_state
         FROM unnest($2::text[], $3::text[], $4::text[]) AS w (patient_key, kind, record_key)
         JOIN ledger l ON l.source = $1 AND l.patient_key = w.patient_key AND l.kind = w.kind AND l.record_key = w.record_key
         JOIN jobs j ON j.id = l.job_id
         WHERE l.outcome = 'loaded' AND j.dry_run = 0
         ORDER BY l.kind, l.record_key, l.updated_at DESC, l.id DESC) x
       WHERE ${STILL_ON_TARGET}`,
      [source, records.map((r) => r.patientKey ?? NO_PATIENT), records.map((r) => r.kind), records.map((r) => r.recordKey)],
    )
  ).map(toPreviousLoad);
}

const UPSERT_IDS = `INSERT INTO id_map (job_id, source, patient_key, kind, record_key, resource_type, target_id, version_id, last_updated, phase, status)
    SELECT $1::text, u.*, 'written' FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[]) AS u
    ON CONFLICT (job_id, patient_key, resource_type, target_id) DO UPDATE SET source = excluded.source, kind = excluded.kind, record_key = excluded.record_key,
      version_id = excluded.version_id, last_updated = excluded.last_updated, phase = excluded.phase, status = 'written'`;

const idColumns = (c: readonly IdMapEntryInput[]): (string | null)[][] => [
  c.map((e) => e.source), c.map((e) => e.patientKey ?? NO_PATIENT), c.map((e) => e.kind), c.map((e) => e.recordKey), c.map((e) => e.resourceType), c.map((e) => e.targetId),
  c.map((e) => e.versionId ?? null), c.map((e) => e.lastUpdated ?? null), c.map((e) => e.phase ?? null),
];

export async function listIds(connection: PostgresConnection, jobId: string, options: ListIdMapOptions): Promise<IdMapEntry[]> {
  const direction = options.order === 'reverse' ? 'DESC' : 'ASC';
  const limit = options.limit === undefined ? null : Math.floor(options.limit);
  const rows = await connection.query(`SELECT * FROM id_map WHERE job_id = $1 AND ($2::text IS NULL OR status = $2) AND ($5::text IS NULL OR phase = $5) ORDER BY seq ${direction} LIMIT $3 OFFSET $4`, [
    jobId,
    options.status ?? null,
    limit,
    options.offset ?? 0,
    options.phase ?? null,
  ]);
  return rows.map(toIdMapEntry);
}

export async function setIdStatus(connection: PostgresConnection, jobId: string, seqs: readonly number[], status: IdMapStatus): Promise<void> {
  if (seqs.length === 0) return;
  await connection.query('UPDATE id_map SET status = $2 WHERE seq = ANY($3::bigint[]) AND job_id = $1', [jobId, status, seqs]);
}

/** EXCLUSIVE mode serialises appenders (the chain needs the previous hash) and still lets readers read. */
export async function appendAudit(connection: PostgresConnection, append: AuditAppend, now: number): Promise<AuditEntry> {
  return connection.transaction(async (client) => {
    await queryRows(client, 'LOCK TABLE audit_log IN EXCLUSIVE MODE');
    const last = (await queryRows(client, 'SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1'))[0];
    const previous = last === undefined ? undefined : { seq: Number(last.seq), hash: String(last.hash) };
    const entry = nextAuditEntry(previous, append, append.at ?? new Date(now).toISOString());
    await queryRows(client, 'INSERT INTO audit_log (seq, at, type, payload, prev_hash, hash) VALUES ($1, $2, $3, $4, $5, $6)', [entry.seq, entry.at, entry.type, canonicalJson(entry.payload), entry.prevHash, entry.hash]);
    return entry;
  });
}

export async function readAudit(connection: PostgresConnection, options: ReadAuditOptions): Promise<AuditEntry[]> {
  const limit = options.limit === undefined ? null : Math.floor(options.limit);
  return (await connection.query('SELECT * FROM audit_log WHERE seq > $1 ORDER BY seq LIMIT $2', [options.afterSeq ?? 0, limit])).map(toAuditEntry);
}

export async function registerExportFile(connection: PostgresConnection, file: ExportFileInput, now: number): Promise<ExportFile> {
  const rows = await connection.query('INSERT INTO export_files (export_id, job_id, type, path, count, created_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING *', [
    file.exportId,
    file.jobId ?? null,
    file.type,
    file.path,
    file.count,
    now,
  ]);
  return toExportFile(rows[0] ?? {});
}

export async function listExportFiles(connection: PostgresConnection, exportId: string): Promise<ExportFile[]> {
  return (await connection.query('SELECT * FROM export_files WHERE export_id = $1 ORDER BY id', [exportId])).map(toExportFile);
}
