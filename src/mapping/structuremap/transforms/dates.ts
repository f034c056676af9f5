import { failAt } from '../location.ts';
import { getParamString, requireParamString } from '../parameters.ts';
import { ownedValue } from '../values.ts';
import type { Value } from '../values.ts';
import type { TransformCall } from './types.ts';

const DATE_TIME = /^(\d{4})(?:-(\d{2})(?:-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(\.\d+)?)?(Z|[+-]\d{2}:\d{2})?)?)?)?$/;
const UNIT_ALIASES: Record<string, string> = {
  year: 'year', years: 'year', a: 'year', month: 'month', months: 'month', mo: 'month', week: 'week', weeks: 'week', wk: 'week',
  day: 'day', days: 'day', d: 'day', hour: 'hour', hours: 'hour', h: 'hour', minute: 'minute', minutes: 'minute', min: 'minute',
  second: 'second', seconds: 'second', s: 'second',
};

interface ParsedDate {
  readonly date: Date;
  /** Number of components present: 1 year … 3 day, 4 minute, 5 second. */
  readonly precision: number;
  readonly fraction: string;
  readonly zone: string;
}

function pad(n: number, width = 2): string {
  return String(n).padStart(width, '0');
}

function parseDate(call: TransformCall, text: string): ParsedDate {
  const m = DATE_TIME.exec(text.trim());
  if (!m) failAt(call.site, 'FHIRMIG_ERR_MAP_TRANSFORM_FAILED', `${call.name}(): "${text}" is not a FHIR date or dateTime.`);
  const [, y, mo, d, h, mi, s, frac, zone] = m;
  const precision = s !== undefined ? 5 : h !== undefined ? 4 : d !== undefined ? 3 : mo !== undefined ? 2 : 1;
  const date = new Date(Date.UTC(Number(y), Number(mo ?? 1) - 1, Number(d ?? 1), Number(h ?? 0), Number(mi ?? 0), Number(s ?? 0)));
  date.setUTCFullYear(Number(y));
  return { date, precision, fraction: frac ?? '', zone: zone ?? '' };
}

function formatDate(p: ParsedDate): string {
  const d = p.date;
  const parts = [pad(d.getUTCFullYear(), 4), `-${pad(d.getUTCMonth() + 1)}`, `-${pad(d.getUTCDate())}`, `T${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}`, `:${pad(d.getUTCSeconds())}${p.fraction}`];
  const text = parts.slice(0, p.precision).join('');
  return p.precision >= 4 ? text + p.zone : text;
}

function parseAmount(call: TransformCall, text: string): { n: number; unit: string } {
  const m = /^\s*([+-]?\d+)\s*'?([A-Za-z]*)'?\s*$/.exec(text);
  const unit = UNIT_ALIASES[(m?.[2] || 'day').toLowerCase()];
  if (!m || !unit) failAt(call.site, 'FHIRMIG_ERR_MAP_TRANSFORM_FAILED', `dateOp(): "${text}" is not an amount like "3 days".`);
  return { n: Number(m[1]), unit };
}

function shift(date: Date, n: number, unit: string): Date {
  const d = new Date(date.getTime());
  switch (unit) {
    case 'year':
      d.setUTCFullYear(d.getUTCFullYear() + n);
      break;
    case 'month':
      d.setUTCMonth(d.getUTCMonth() + n);
      break;
    case 'week':
      d.setUTCDate(d.getUTCDate() + 7 * n);
      break;
    case 'day':
      d.setUTCDate(d.getUTCDate() + n);
      break;
    case 'hour':
      d.setUTCHours(d.getUTCHours() + n);
      break;
    case 'minute':
      d.setUTCMinutes(d.getUTCMinutes() + n);
      break;
    default:
      d.setUTCSeconds(d.getUTCSeconds() + n);
  }
  return d;
}

/** dateOp(date, op, amount): op `add`/`+` or `subtract`/`-` an amount ("3 days", "1 'a'"); the precision is kept. */
export function dateOp(call: TransformCall): Value {
  const { site, vars, params } = call;
  if (params.length !== 3) failAt(site, 'FHIRMIG_ERR_MAP_TRANSFORM_FAILED', `dateOp() takes 3 parameters (date, op, amount), got ${params.length}.`);
  const parsed = parseDate(call, requireParamString(site, vars, params, 0, 'dateOp'));
  const op = requireParamString(site, vars, params, 1, 'dateOp');
  const amount = parseAmount(call, requireParamString(site, vars, params, 2, 'dateOp'));
  const sign = op === 'add' || op === '+' ? 1 : op === 'subtract' || op === '-' ? -1 : 0;
  if (sign === 0) failAt(site, 'FHIRMIG_ERR_MAP_TRANSFORM_FAILED', `dateOp(): unknown operation "${op}" (add, subtract).`);
  const result = formatDate({ ...parsed, date: shift(parsed.date, sign * amount.n, amount.unit) });
  return ownedValue(result, parsed.precision >= 4 ? 'dateTime' : 'date');
}

/** Legacy date spellings: YYYYMMDD[HHMM[SS]], MM/DD/YYYY, or FHIR forms. */
function normaliseLegacy(call: TransformCall, text: string): string {
  const t = text.trim();
  let m = /^(\d{4})(\d{2})(\d{2})(?:(\d{2})(\d{2})(\d{2})?)?$/.exec(t);
  if (m) return `${m[1]}-${m[2]}-${m[3]}${m[4] ? `T${m[4]}:${m[5]}:${m[6] ?? '00'}` : ''}`;
  m = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/.exec(t);
  if (m) return `${m[3]}-${pad(Number(m[1]))}-${pad(Number(m[2]))}`;
  if (DATE_TIME.test(t)) return t;
  failAt(call.site, 'FHIRMIG_ERR_MAP_TRANSFORM_FAILED', `${call.name}(): "${text}" is not a recognised date.`);
}

function singleText(call: TransformCall): string | undefined {
  if (call.params.length !== 1) failAt(call.site, 'FHIRMIG_ERR_MAP_TRANSFORM_FAILED', `${call.name}() takes 1 parameter, got ${call.params.length}.`);
  return getParamString(call.site, call.vars, call.params[0]);
}

export function toDate(call: TransformCall): Value | undefined {
  const text = singleText(call);
  return text === undefined || text === '' ? undefined : ownedValue(normaliseLegacy(call, text).slice(0, 10), 'date');
}

export function toDateTime(call: TransformCall): Value | undefined {
  const text = singleText(call);
  return text === undefined || text === '' ? undefined : ownedValue(normaliseLegacy(call, text), 'dateTime');
}

export function toTime(call: TransformCall): Value | undefined {
  const text = singleText(call)?.trim();
  if (text === undefined || text === '') return undefined;
  const m = /^(\d{2}):?(\d{2})(?::?(\d{2}))?$/.exec(text);
  if (!m) failAt(call.site, 'FHIRMIG_ERR_MAP_TRANSFORM_FAILED', `toTime(): "${text}" is not a time.`);
  return ownedValue(`${m[1]}:${m[2]}:${m[3] ?? '00'}`, 'time');
}
