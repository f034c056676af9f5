import type { SourceRef } from '../../core/index.ts';
import { checkDescriptor, keyColumns, specError } from '../descriptor.ts';
import type { SourceDescriptor, TableDescriptor } from '../descriptor.ts';
import { noPatientColumn, patientFilter, unknownField, unknownKind, wantsKind } from '../source.ts';
import type { FieldFilter, LegacySource, ReadOptions, SourceItem, SourceType } from '../source.ts';
import { applyTypes, rowKey } from '../values.ts';
import type { DriverRow, SqlDriver } from './sql-driver.ts';
import { selectPatients, selectPatientsWhere, selectRows } from './sql-queries.ts';

/** Patient keys per statement (IN-list size), so huge cohorts stay within parameter limits. */
const PATIENTS_PER_QUERY = 500;

/** `sqlite:FILE`, `postgres://…`, `mysql://…` — the kinds a descriptor names, streamed through cursors. */
export class SqlSource implements LegacySource {
  readonly name: string;
  readonly type: SourceType;
  readonly descriptor: SourceDescriptor;
  readonly #driver: SqlDriver;

  constructor(type: 'sqlite' | 'postgres' | 'mysql', driver: SqlDriver, name: string, descriptor: SourceDescriptor | undefined) {
    if (!descriptor) throw specError(`a ${type} source needs a descriptor naming its tables or queries, keys and patient columns`);
    this.descriptor = checkDescriptor(descriptor, `${type} source descriptor`);
    for (const [kind, table] of Object.entries(this.descriptor.tables)) {
      if (table.query !== undefined && table.table !== undefined) throw specError(`descriptor table "${kind}" has both "table" and "query"`);
    }
    this.type = type;
    this.name = name;
    this.#driver = driver;
  }

  async listKinds(): Promise<string[]> {
    return Object.keys(this.descriptor.tables);
  }

  async listPatients(): Promise<string[]> {
    const statement = selectPatients(this.#driver.dialect, this.descriptor.tables, this.descriptor.patientTable);
    const patients: string[] = [];
    for await (const row of this.#driver.stream(statement.sql, statement.params)) {
      const value = row.patient_key;
      if (value !== null && value !== undefined) patients.push(String(value));
    }
    return patients.sort();
  }

  async *read(options?: ReadOptions): AsyncGenerator<SourceItem> {
    const patients = patientFilter(options);
    for (const [kind, table] of Object.entries(this.descriptor.tables)) {
      if (!wantsKind(options, kind)) continue;
      if (!patients) {
        yield* this.readStatement(kind, table, undefined, options?.signal);
        continue;
      }
      if (table.patient === undefined) continue;
      const list = [...patients];
      for (let i = 0; i < list.length; i += PATIENTS_PER_QUERY) {
        yield* this.readStatement(kind, table, list.slice(i, i + PATIENTS_PER_QUERY), options?.signal);
      }
    }
  }

  async listColumns(kind: string): Promise<string[] | undefined> {
    const table = this.descriptor.tables[kind];
    if (!table) return undefined;
    return this.#driver.columns(selectRows(this.#driver.dialect, kind, table).sql);
  }

  /** One parameterised `SELECT DISTINCT patient … WHERE field IN (…)`; the field is checked against the kind's columns first. */
  async patientsWhere(filter: FieldFilter): Promise<string[]> {
    const table = this.descriptor.tables[filter.kind];
    if (!table) throw unknownKind(await this.listKinds(), filter.kind);
    if (table.patient === undefined) throw noPatientColumn(filter.kind);
    const columns = (await this.listColumns(filter.kind)) ?? [];
    if (!columns.includes(filter.field)) throw unknownField(columns, filter.kind, filter.field);
    if (filter.values.length === 0) return [];
    const statement = selectPatientsWhere(this.#driver.dialect, filter.kind, table, filter.field, filter.values);
    const patients = new Set<string>();
    for await (const row of this.#driver.stream(statement.sql, statement.params)) {
      if (row.patient_key !== null && row.patient_key !== undefined) patients.add(String(row.patient_key));
    }
    return [...patients].sort();
  }

  async close(): Promise<void> {
    await this.#driver.close();
  }

  private async *readStatement(kind: string, table: TableDescriptor, patients: readonly string[] | undefined, signal?: AbortSignal): AsyncGenerator<SourceItem> {
    const statement = selectRows(this.#driver.dialect, kind, table, patients);
    let position = 0;
    for await (const row of this.#driver.stream(statement.sql, statement.params, signal)) {
      signal?.throwIfAborted();
      yield this.rowToItem(kind, table, row, ++position);
    }
  }

  private rowToItem(kind: string, table: TableDescriptor, raw: DriverRow, position: number): SourceItem {
    const { row, problems } = applyTypes(raw, table.types);
    const keys = keyColumns(table);
    const key = keys.length === 0 ? `row${position}` : rowKey(row, keys);
    const locator = `${kind}#${key ?? `row${position}`}`;
    const ref: SourceRef = { source: this.name, kind, locator };
    const patientValue = table.patient === undefined ? undefined : row[table.patient];
    const patientKey = patientValue === undefined ? undefined : String(patientValue);
    const first = problems[0];
    if (first) {
      const message = `${locator}: ${problems.map((p) => p.message).join('; ')}`;
      return { ref, code: 'FHIRMIG_ERR_SOURCE_VALUE', message, field: first.column, ...(key ? { key } : {}), ...(patientKey ? { patientKey } : {}) };
    }
    if (key === undefined) return { ref, code: 'FHIRMIG_ERR_SOURCE_VALUE', message: `${locator}: the key column ${keys.join(' + ')} is empty`, field: keys.join('|') };
    return patientKey === undefined ? { ref, key, data: row } : { ref, key, patientKey, data: row };
  }
}
