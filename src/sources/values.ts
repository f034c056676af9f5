import type { ColumnType } from './descriptor.ts';

export type RowValue = string | number | boolean;
export type Row = Record<string, RowValue>;

/** A value that does not fit its declared type: the column and what was expected (no content). */
export interface ValueProblem {
  readonly column: string;
  readonly message: string;
}

const INTEGER = /^[+-]?\d+$/;
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/;
const TRUE_VALUES = new Set(['true', 't', '1', 'y', 'yes']);
const FALSE_VALUES = new Set(['false', 'f', '0', 'n', 'no']);

/**
 * Converts one text value to its declared type. Returns the value, or a ValueProblem message.
 * Dates stay text (ISO 8601, a space before the time becomes `T`) but must name a real day and time.
 */
export function convertValue(text: string, type: ColumnType): RowValue | { problem: string } {
  switch (type) {
    case 'string':
      return text;
    case 'integer':
      return INTEGER.test(text) ? Number(text) : { problem: 'is not an integer' };
    case 'decimal':
      return DECIMAL.test(text.trim()) ? Number(text) : { problem: 'is not a decimal number' };
    case 'boolean':
      return convertBoolean(text);
    case 'date':
      return isRealDate(DATE.exec(text)) ? text : { problem: 'is not a real date (YYYY-MM-DD)' };
    case 'dateTime':
      // SQL text (`2021-10-15 18:34:30`) and ISO 8601 arrive alike: the maps see ISO 8601.
      return isRealDateTime(DATE_TIME.exec(text)) ? text.replace(' ', 'T') : { problem: 'is not a real date-time (ISO 8601)' };
    default:
      throw new Error(`unknown column type ${String(type)}`);
  }
}

function convertBoolean(text: string): RowValue | { problem: string } {
  const lower = text.trim().toLowerCase();
  if (TRUE_VALUES.has(lower)) return true;
  if (FALSE_VALUES.has(lower)) return false;
  return { problem: 'is not a boolean' };
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function isRealDate(match: RegExpExecArray | null): boolean {
  if (!match) return false;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  if (month < 1 || month > 12 || day < 1) return false;
  const leap = month === 2 && year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  return day <= (DAYS_IN_MONTH[month - 1] as number) + (leap ? 1 : 0);
}

function isRealDateTime(match: RegExpExecArray | null): boolean {
  if (!match || !isRealDate(match)) return false;
  const [hour, minute, second] = [Number(match[4] ?? 0), Number(match[5] ?? 0), Number(match[6] ?? 0)];
  return hour <= 23 && minute <= 59 && second <= 60;
}

/**
 * Applies declared types to a row in place. Empty text and SQL NULL are left out of the row: an
 * absent column is what FHIRPath and the maps expect for "no value".
 */
export function applyTypes(row: Record<string, unknown>, types: Readonly<Record<string, ColumnType>> | undefined): { row: Row; problems: ValueProblem[] } {
  const out: Row = {};
  const problems: ValueProblem[] = [];
  for (const column in row) typeInto(out, problems, column, row[column], types);
  return { row: out, problems };
}

/** applyTypes over a header and a row's fields, without an intermediate object (the CSV connector's hot path). */
export function applyTypesToFields(header: readonly string[], fields: readonly string[], types: Readonly<Record<string, ColumnType>> | undefined): { row: Row; problems: ValueProblem[] } {
  if (hasRepeatedColumns(header)) {
    // The last of a repeated column wins, as in an object built from the row.
    const raw: Record<string, string | undefined> = {};
    for (let i = 0; i < header.length; i++) raw[header[i] as string] = fields[i];
    return applyTypes(raw, types);
  }
  const out: Row = {};
  const problems: ValueProblem[] = [];
  for (let i = 0; i < header.length; i++) typeInto(out, problems, header[i] as string, fields[i], types);
  return { row: out, problems };
}

const repeated = new WeakMap<readonly string[], boolean>();

function hasRepeatedColumns(header: readonly string[]): boolean {
  let answer = repeated.get(header);
  if (answer === undefined) {
    answer = new Set(header).size !== header.length;
    repeated.set(header, answer);
  }
  return answer;
}

function typeInto(out: Row, problems: ValueProblem[], column: string, raw: unknown, types: Readonly<Record<string, ColumnType>> | undefined): void {
  const value = normaliseRaw(raw);
  if (value === undefined) return;
  const type = types?.[column];
  if (!type || typeof value !== 'string') {
    out[column] = value;
    return;
  }
  const converted = convertValue(value, type);
  if (typeof converted === 'object') problems.push({ column, message: `column ${column} ${converted.problem}` });
  else out[column] = converted;
}

/** Driver values to JSON-friendly ones: Buffers become base64, Dates ISO text, bigints text. */
function normaliseRaw(raw: unknown): RowValue | undefined {
  if (raw === null || raw === undefined || raw === '') return undefined;
  if (typeof raw === 'string' || typeof raw === 'number' || typeof raw === 'boolean') return raw;
  if (typeof raw === 'bigint') return raw.toString();
  if (raw instanceof Date) return raw.toISOString();
  if (Buffer.isBuffer(raw) || raw instanceof Uint8Array) return Buffer.from(raw).toString('base64');
  return JSON.stringify(raw);
}

/** The record key from the key columns (composite keys joined with `|`), or undefined if one is empty. */
export function rowKey(row: Row, columns: readonly string[]): string | undefined {
  const parts: string[] = [];
  for (const column of columns) {
    const value = row[column];
    if (value === undefined) return undefined;
    parts.push(String(value));
  }
  return parts.join('|');
}
