import { MigrateError } from '../../core/index.ts';
import type { ExportRecord, ExportState, ExportUpdate } from '../model/export.ts';
import type { Row } from './shared.ts';

/** Row mapping and update columns for the `exports` table, shared by both backends. */
export function toExportRecord(row: Row): ExportRecord {
  const errorCode = row.error_code;
  return {
    id: String(row.id),
    state: String(row.state) as ExportState,
    request: JSON.parse(String(row.request)) as Record<string, unknown>,
    transactionTime: String(row.transaction_time),
    progress: {
      resourcesWritten: Number(row.resources_written ?? 0),
      resourcesPlanned: Number(row.resources_planned ?? 0),
      currentType: row.current_type === null || row.current_type === undefined ? undefined : String(row.current_type),
    },
    error: errorCode === null || errorCode === undefined ? undefined : { code: String(errorCode), message: String(row.error_message ?? '') },
    attempts: Number(row.attempts ?? 0),
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
  };
}

/** `[column, value]` pairs an update sets (updated_at is added by the backend). */
export function exportUpdateColumns(update: ExportUpdate): [string, string | number | null][] {
  const columns: [string, string | number | null][] = [];
  if (update.state !== undefined) columns.push(['state', update.state]);
  if (update.progress !== undefined) {
    columns.push(['resources_written', update.progress.resourcesWritten], ['resources_planned', update.progress.resourcesPlanned], ['current_type', update.progress.currentType ?? null]);
  }
  if (update.error !== undefined) columns.push(['error_code', update.error?.code ?? null], ['error_message', update.error?.message ?? null]);
  return columns;
}

export function exportNotFound(exportId: string): MigrateError {
  return new MigrateError('FHIRMIG_ERR_BULK_NOT_FOUND', `No export '${exportId}' (never started, or deleted).`);
}

/** The same table on both backends (BIGINT on PostgreSQL for times and counters). */
export function exportsTableSql(bigint: 'INTEGER' | 'BIGINT'): string {
  return `
CREATE TABLE exports (
  id TEXT PRIMARY KEY,
  state TEXT NOT NULL,
  request TEXT NOT NULL,
  transaction_time TEXT NOT NULL,
  resources_written ${bigint} NOT NULL DEFAULT 0,
  resources_planned ${bigint} NOT NULL DEFAULT 0,
  current_type TEXT,
  error_code TEXT,
  error_message TEXT,
  attempts INTEGER NOT NULL DEFAULT 0,
  created_at ${bigint} NOT NULL,
  updated_at ${bigint} NOT NULL
);
CREATE INDEX exports_state ON exports (state, created_at);
`;
}
