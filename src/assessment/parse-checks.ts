import type { ColumnType } from './types.ts';

const INTEGER = /^[+-]?\d+$/;
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/;
const BOOLEANS = new Set(['true', 't', '1', 'y', 'yes', 'false', 'f', '0', 'n', 'no']);

/** Why a text value does not parse as its declared type, or undefined when it does. */
export function parseProblem(value: string, type: ColumnType): string | undefined {
  switch (type) {
    case 'string':
      return undefined;
    case 'integer':
      return INTEGER.test(value) ? undefined : 'not an integer';
    case 'decimal':
      return DECIMAL.test(value.trim()) ? undefined : 'not a decimal number';
    case 'boolean':
      return BOOLEANS.has(value.trim().toLowerCase()) ? undefined : 'not a boolean';
    case 'date':
      return isRealDate(DATE.exec(value)) ? undefined : 'not a real date (YYYY-MM-DD)';
    case 'dateTime':
      return isRealDateTime(DATE_TIME.exec(value)) ? undefined : 'not a real date-time (ISO 8601)';
    default:
      throw new Error(`unknown column type ${String(type)}`);
  }
}

function isRealDate(match: RegExpExecArray | null): boolean {
  if (!match) return false;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  if (month < 1 || month > 12 || day < 1) return false;
  return day <= new Date(Date.UTC(year, month, 0)).getUTCDate();
}

function isRealDateTime(match: RegExpExecArray | null): boolean {
  if (!match || !isRealDate(match)) return false;
  return Number(match[4] ?? 0) <= 23 && Number(match[5] ?? 0) <= 59 && Number(match[6] ?? 0) <= 60;
}
