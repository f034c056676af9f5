import { randomUUID } from 'node:crypto';
import type { CreateExportInput, ExportRecord, ExportUpdate, ListExportsOptions } from '../../model/export.ts';
import { exportNotFound, exportUpdateColumns, toExportRecord } from '../export-rows.ts';
import type { SqliteConnection } from './sqlite-connection.ts';

/** Bulk Data export state on SQLite. */
export function createExport(connection: SqliteConnection, input: CreateExportInput, now: number): ExportRecord {
  const row = connection.get(
    "INSERT INTO exports (id, state, request, transaction_time, attempts, created_at, updated_at) VALUES (?, 'in-progress', ?, ?, 0, ?, ?) RETURNING *",
    input.id ?? randomUUID(),
    JSON.stringify(input.request),
    input.transactionTime,
    now,
    now,
  );
  return toExportRecord(row ?? {});
}

export function getExport(connection: SqliteConnection, exportId: string): ExportRecord {
  const row = connection.get('SELECT * FROM exports WHERE id = ?', exportId);
  if (!row) throw exportNotFound(exportId);
  return toExportRecord(row);
}

export function updateExport(connection: SqliteConnection, exportId: string, update: ExportUpdate, now: number): ExportRecord {
  const columns = exportUpdateColumns(update);
  const sets = columns.map(([column]) => `${column} = ?`).concat('attempts = attempts + ?', 'updated_at = ?');
  const row = connection.get(`UPDATE exports SET ${sets.join(', ')} WHERE id = ? RETURNING *`, ...columns.map(([, v]) => v), update.addAttempts ?? 0, now, exportId);
  if (!row) throw exportNotFound(exportId);
  return toExportRecord(row);
}

export function listExports(connection: SqliteConnection, options: ListExportsOptions): ExportRecord[] {
  const states = options.states ?? [];
  const filter = states.length === 0 ? '' : `WHERE state IN (${states.map(() => '?').join(', ')})`;
  return connection.all(`SELECT * FROM exports ${filter} ORDER BY created_at, id`, ...states).map(toExportRecord);
}

export function deleteExportFiles(connection: SqliteConnection, exportId: string): number {
  return connection.run('DELETE FROM export_files WHERE export_id = ?', exportId);
}

export function deleteExport(connection: SqliteConnection, exportId: string): boolean {
  return connection.transaction(() => {
    deleteExportFiles(connection, exportId);
    return connection.run('DELETE FROM exports WHERE id = ?', exportId) > 0;
  });
}
