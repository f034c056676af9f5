import type { TableDescriptor } from '../descriptor.ts';
import { keyColumns } from '../descriptor.ts';
import { quoteQualified } from './sql-driver.ts';
import type { SqlDialect } from './sql-driver.ts';

export interface SqlStatement {
  readonly sql: string;
  readonly params: readonly unknown[];
}

/** A kind's rows: its table, or its query as a derived table. */
function fromClause(dialect: SqlDialect, kind: string, table: TableDescriptor): string {
  if (table.query) return `(${table.query.trim().replace(/;$/, '')}) ${dialect.quoteIdentifier('q')}`;
  return quoteQualified(dialect, table.table ?? kind);
}

/**
 * `SELECT * FROM t [WHERE patient IN (…)] [ORDER BY key]`: patient keys are parameters, never
 * spliced into the text; the key order makes row-position locators of keyless kinds stable.
 */
export function selectRows(dialect: SqlDialect, kind: string, table: TableDescriptor, patients?: readonly string[]): SqlStatement {
  let sql = `SELECT * FROM ${fromClause(dialect, kind, table)}`;
  const params: unknown[] = [];
  if (patients) {
    const column = dialect.quoteIdentifier(table.patient as string);
    sql += ` WHERE ${column} IN (${patients.map((p) => dialect.placeholder(params.push(p))).join(', ')})`;
  }
  const keys = keyColumns(table);
  if (keys.length > 0) sql += ` ORDER BY ${keys.map((k) => dialect.quoteIdentifier(k)).join(', ')}`;
  return { sql, params };
}

/** `SELECT DISTINCT patient FROM t WHERE field IN (…)`: the values are parameters. */
export function selectPatientsWhere(dialect: SqlDialect, kind: string, table: TableDescriptor, field: string, values: readonly string[]): SqlStatement {
  const p = dialect.quoteIdentifier('patient_key');
  const patient = dialect.quoteIdentifier(table.patient as string);
  const params: unknown[] = [];
  const list = values.map((v) => dialect.placeholder(params.push(v))).join(', ');
  return { sql: `SELECT DISTINCT ${patient} AS ${p} FROM ${fromClause(dialect, kind, table)} WHERE ${dialect.quoteIdentifier(field)} IN (${list}) AND ${patient} IS NOT NULL ORDER BY 1`, params };
}

/** Every patient key: the patient table's, or the union of every kind's patient column. */
export function selectPatients(dialect: SqlDialect, tables: Readonly<Record<string, TableDescriptor>>, patientTable?: string): SqlStatement {
  const p = dialect.quoteIdentifier('patient_key');
  const entries = Object.entries(tables).filter(([kind, t]) => t.patient !== undefined && (patientTable === undefined || kind === patientTable));
  const parts = entries.map(([kind, t]) => `SELECT DISTINCT ${dialect.quoteIdentifier(t.patient as string)} AS ${p} FROM ${fromClause(dialect, kind, t)} WHERE ${dialect.quoteIdentifier(t.patient as string)} IS NOT NULL`);
  if (parts.length === 0) return { sql: `SELECT NULL AS ${p} WHERE 1 = 0`, params: [] };
  return { sql: `SELECT ${p} FROM (${parts.join(' UNION ')}) ${dialect.quoteIdentifier('u')} ORDER BY 1`, params: [] };
}
