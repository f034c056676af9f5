import { randomUUID } from 'node:crypto';
import type { CreateExportInput, ExportRecord, ExportUpdate, ListExportsOptions } from '../../model/export.ts';
import { exportNotFound, exportUpdateColumns, toExportRecord } from '../export-rows.ts';
import { queryRows } from './postgres-connection.ts';
import type { PostgresConnection } from './postgres-connection.ts';

/** Bulk Data export state on PostgreSQL. */
export async function createExport(connection: PostgresConnection, input: CreateExportInput, now: number): Promise<ExportRecord> {
  const rows = await connection.query(
    "INSERT INTO exports (id, state, request, transaction_time, attempts, created_at, updated_at) VALUES ($1, 'in-progress', $2, $3, 0, $4, $4) RETURNING *",
    [input.id ?? randomUUID(), JSON.stringify(input.request), input.transactionTime, now],
  );
  return toExportRecord(rows[0] ?? {});
}

export async function getExport(connection: PostgresConnection, exportId: string): Promise<ExportRecord> {
  const row = (await connection.query('SELECT * FROM exports WHERE id = $1', [exportId]))[0];
  if (!row) throw exportNotFound(exportId);
  return toExportRecord(row);
}

export async function updateExport(connection: PostgresConnection, exportId: string, update: ExportUpdate, now: number): Promise<ExportRecord> {
  const columns = exportUpdateColumns(update);
  const sets = columns.map(([column], i) => `${column} = $${i + 4}`).concat('attempts = attempts + $2', 'updated_at = $3');
  const sql = `UPDATE exports SET ${sets.join(', ')} WHERE id = $1 RETURNING *`;
  const row = (await connection.query(sql, [exportId, update.addAttempts ?? 0, now, ...columns.map(([, v]) => v)]))[0];
  if (!row) throw exportNotFound(exportId);
  return toExportRecord(row);
}

export async function listExports(connection: PostgresConnection, options: ListExportsOptions): Promise<ExportRecord[]> {
  const rows = await connection.query('SELECT * FROM exports WHERE (cardinality($1::text[]) = 0 OR state = ANY($1::text[])) ORDER BY created_at, id', [options.states ?? []]);
  return rows.map(toExportRecord);
}

export async function deleteExportFiles(connection: PostgresConnection, exportId: string): Promise<number> {
  const rows = await connection.query('DELETE FROM export_files WHERE export_id = $1 RETURNING id', [exportId]);
  return rows.length;
}

export async function deleteExport(connection: PostgresConnection, exportId: string): Promise<boolean> {
  return connection.transaction(async (client) => {
    await queryRows(client, 'DELETE FROM export_files WHERE export_id = $1', [exportId]);
    return (await queryRows(client, 'DELETE FROM exports WHERE id = $1 RETURNING id', [exportId])).length > 0;
  });
}
