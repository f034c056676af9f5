import type { SourceRef } from '../../core/index.ts';
import type { SourceItem } from '../source.ts';
import { applyTypesToFields, rowKey } from '../values.ts';
import type { CsvTable } from './csv-layout.ts';
import type { CsvParseError, CsvRow } from './csv-rows.ts';

/** Turns one parsed CSV row into a SourceRecord, or a located rejection (column count, types, key). */
export function csvRowToItem(source: string, table: CsvTable, header: readonly string[], row: CsvRow): SourceItem {
  const locator = `${table.fileName}:${row.line}`;
  const ref: SourceRef = { source, kind: table.kind, locator };
  if (row.fields.length !== header.length) {
    // The patient index files the row under the text in its patient column: so is its rejection (that patient's task records it).
    const patientKey = table.patientColumn === undefined ? undefined : row.fields[header.indexOf(table.patientColumn)] || undefined;
    return {
      ref,
      code: 'FHIRMIG_ERR_SOURCE_PARSE',
      message: `${locator}: the row has ${row.fields.length} fields, the header has ${header.length}`,
      ...(patientKey ? { patientKey } : {}),
    };
  }
  const { row: data, problems } = applyTypesToFields(header, row.fields, table.types);
  const patientKey = table.patientColumn === undefined ? undefined : optionalText(data[table.patientColumn]);
  const key = table.keyColumns.length === 0 ? locator : rowKey(data, table.keyColumns);
  const first = problems[0];
  if (first) {
    const message = `${locator}: ${problems.map((p) => p.message).join('; ')}`;
    return { ref, code: 'FHIRMIG_ERR_SOURCE_VALUE', message, field: first.column, ...(key ? { key } : {}), ...(patientKey ? { patientKey } : {}) };
  }
  if (key === undefined) {
    return { ref, code: 'FHIRMIG_ERR_SOURCE_VALUE', message: `${locator}: the key column ${table.keyColumns.join(' + ')} is empty`, field: table.keyColumns.join('|'), ...(patientKey ? { patientKey } : {}) };
  }
  return patientKey === undefined ? { ref, key, data } : { ref, key, patientKey, data };
}

export function csvErrorToItem(source: string, table: CsvTable, error: CsvParseError): SourceItem {
  const locator = `${table.fileName}:${error.line}`;
  return { ref: { source, kind: table.kind, locator }, code: 'FHIRMIG_ERR_SOURCE_PARSE', message: `${locator}: ${error.message}` };
}

function optionalText(value: unknown): string | undefined {
  return value === undefined ? undefined : String(value);
}
