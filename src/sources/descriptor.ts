import { MigrateError } from '../core/index.ts';

/** Column types a descriptor can declare; values are checked (and numbers converted) on read. */
export type ColumnType = 'string' | 'integer' | 'decimal' | 'boolean' | 'date' | 'dateTime';

const COLUMN_TYPES: readonly ColumnType[] = ['string', 'integer', 'decimal', 'boolean', 'date', 'dateTime'];

/** One kind (table, file or query) of a tabular source. */
export interface TableDescriptor {
  /** CSV: the file inside the folder (default `<kind>.csv`). */
  readonly file?: string;
  /** SQL: the table (default: the kind); or `query`, a SELECT whose rows are the records. */
  readonly table?: string;
  readonly query?: string;
  /** Key column(s); composite keys are joined with `|`. Without one, the key is the row position. */
  readonly key?: string | readonly string[];
  /** The column holding the patient key (absent: the kind belongs to no patient, e.g. providers). */
  readonly patient?: string;
  readonly types?: Readonly<Record<string, ColumnType>>;
  /** CSV only. */
  readonly delimiter?: string;
  readonly encoding?: CsvEncoding;
  readonly quote?: string;
}

export type CsvEncoding = 'utf8' | 'latin1' | 'windows-1252' | 'utf16le' | 'ascii';

/** What a tabular source holds: its kinds, their keys and patient columns (`source.json`). */
export interface SourceDescriptor {
  readonly tables: Readonly<Record<string, TableDescriptor>>;
  /** Defaults for every CSV file. */
  readonly delimiter?: string;
  readonly encoding?: CsvEncoding;
  /** The kind listing the patients (its key is the patient key), used by listPatients. */
  readonly patientTable?: string;
}

const ENCODING_ALIASES: Readonly<Record<string, CsvEncoding>> = {
  utf8: 'utf8', 'utf-8': 'utf8', latin1: 'latin1', 'latin-1': 'latin1', 'iso-8859-1': 'latin1', iso88591: 'latin1',
  'windows-1252': 'windows-1252', cp1252: 'windows-1252', utf16le: 'utf16le', 'utf-16le': 'utf16le', ascii: 'ascii', 'us-ascii': 'ascii',
};

export function normaliseEncoding(value: string, where: string): CsvEncoding {
  const encoding = ENCODING_ALIASES[value.toLowerCase()];
  if (!encoding) throw specError(`${where}: unsupported encoding "${value}" (use utf-8, latin1, windows-1252, utf-16le or ascii)`);
  return encoding;
}

/** Checks a descriptor read from JSON; every problem is listed at once. */
export function checkDescriptor(value: unknown, where: string): SourceDescriptor {
  const problems: string[] = [];
  if (!isObject(value) || !isObject(value.tables)) throw specError(`${where}: a descriptor needs a "tables" object`);
  for (const [kind, table] of Object.entries(value.tables)) problems.push(...checkTable(kind, table));
  if (value.patientTable !== undefined && (typeof value.patientTable !== 'string' || !(value.patientTable in value.tables))) {
    problems.push(`patientTable "${String(value.patientTable)}" is not one of the tables`);
  }
  if (typeof value.encoding === 'string') normaliseEncoding(value.encoding, where);
  if (problems.length > 0) throw new MigrateError('FHIRMIG_ERR_SOURCE_SPEC', `${where}: invalid descriptor`, { details: problems });
  return value as unknown as SourceDescriptor;
}

function checkTable(kind: string, table: unknown): string[] {
  if (!isObject(table)) return [`tables.${kind} is not an object`];
  const problems: string[] = [];
  for (const name of ['file', 'table', 'query', 'patient', 'delimiter', 'quote', 'encoding'] as const) {
    if (table[name] !== undefined && typeof table[name] !== 'string') problems.push(`tables.${kind}.${name} must be a string`);
  }
  const key = table.key;
  if (key !== undefined && typeof key !== 'string' && !(Array.isArray(key) && key.every((k) => typeof k === 'string'))) {
    problems.push(`tables.${kind}.key must be a column name or a list of them`);
  }
  if (table.types !== undefined) {
    if (!isObject(table.types)) problems.push(`tables.${kind}.types must be an object`);
    else for (const [column, type] of Object.entries(table.types)) {
      if (!COLUMN_TYPES.includes(type as ColumnType)) problems.push(`tables.${kind}.types.${column}: unknown type "${String(type)}" (${COLUMN_TYPES.join(', ')})`);
    }
  }
  return problems;
}

export function keyColumns(table: TableDescriptor): readonly string[] {
  if (table.key === undefined) return [];
  return typeof table.key === 'string' ? [table.key] : table.key;
}

export function specError(message: string): MigrateError {
  return new MigrateError('FHIRMIG_ERR_SOURCE_SPEC', message);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
