/**
 * Source-level rewriting of map FHIRPath before it is compiled, for HAPI compatibility:
 * - as in HAPI's mapping host services, a name at the start of a path that is a map variable
 *   refers to that variable (`a.length()` with variable `a` means `%a.length()`);
 * - variables holding FHIR dates/times are plain strings to fhirpath.js, so in expressions that do
 *   date arithmetic or comparisons they are converted (`%d.toDate()`), as HAPI's typed values are.
 */

const KEYWORDS = new Set(['and', 'or', 'xor', 'implies', 'div', 'mod', 'in', 'contains', 'is', 'as', 'true', 'false']);
const TEMPORAL_EXPRESSION = /[<>]|\btoday\(|\bnow\(|[+-]\s*\d+(\.\d+)?\s*('[a-z]+'|(years?|months?|weeks?|days?|hours?|minutes?|seconds?|milliseconds?)\b)/;
const CONVERSIONS: Readonly<Record<string, string>> = { date: '.toDate()', dateTime: '.toDateTime()', instant: '.toDateTime()', time: '.toTime()' };

export interface Reference {
  readonly name: string;
  readonly start: number;
  readonly end: number;
  /** Written `%name` (as opposed to a bare name at a path entry). */
  readonly percent: boolean;
}

function skipQuoted(expr: string, start: number, quote: string): number {
  let i = start + 1;
  while (i < expr.length && expr[i] !== quote) i += expr[i] === '\\' ? 2 : 1;
  return i + 1;
}

function previousSignificant(expr: string, index: number): string {
  let i = index - 1;
  while (i >= 0 && /\s/.test(expr[i] ?? '')) i--;
  return i >= 0 ? (expr[i] ?? '') : '';
}

function nextSignificant(expr: string, index: number): string {
  let i = index;
  while (i < expr.length && /\s/.test(expr[i] ?? '')) i++;
  return expr[i] ?? '';
}

function readWord(expr: string, start: number): number {
  let i = start;
  while (i < expr.length && /\w/.test(expr[i] ?? '')) i++;
  return i;
}

/** Bare identifiers at path entries (not after '.', not function names, not keywords) and `%name`s. */
export function findReferences(expr: string): Reference[] {
  const found: Reference[] = [];
  let i = 0;
  while (i < expr.length) {
    const ch = expr[i] ?? '';
    if (ch === "'" || ch === '`' || ch === '"') {
      i = skipQuoted(expr, i, ch);
    } else if (ch === '%') {
      const start = i;
      const end = readWord(expr, i + 1);
      if (end > i + 1) found.push({ name: expr.slice(i + 1, end), start, end, percent: true });
      i = expr[i + 1] === '`' ? skipQuoted(expr, i + 1, '`') : Math.max(end, i + 1);
    } else if (ch === '$' || ch === '@') {
      i++;
      while (i < expr.length && /[\w:.\-+]/.test(expr[i] ?? '')) i++;
    } else if (/[A-Za-z_]/.test(ch)) {
      const start = i;
      i = readWord(expr, i);
      const name = expr.slice(start, i);
      if (previousSignificant(expr, start) !== '.' && nextSignificant(expr, i) !== '(' && !KEYWORDS.has(name)) found.push({ name, start, end: i, percent: false });
    } else if (/\d/.test(ch)) {
      while (i < expr.length && /[\d.]/.test(expr[i] ?? '')) i++;
    } else {
      i++;
    }
  }
  return found;
}

export function isTemporalExpression(expr: string): boolean {
  return TEMPORAL_EXPRESSION.test(expr);
}

/** The FHIRPath conversion a variable of this FHIR type needs in temporal expressions. */
export function temporalConversion(type: string | undefined): string | undefined {
  return type === undefined ? undefined : CONVERSIONS[type];
}

function variableReference(name: string): string {
  return /^[A-Za-z_]\w*$/.test(name) ? `%${name}` : `%\`${name}\``;
}

const QUOTED_CALENDAR_UNIT = /(\d)\s*'(years?|months?|weeks?|days?|hours?|minutes?|seconds?|milliseconds?)'/g;

/** `6 'days'` is not a UCUM unit; calendar durations are written unquoted (`6 days`). */
export function unquoteCalendarUnits(expr: string): string {
  return expr.replace(QUOTED_CALENDAR_UNIT, '$1 $2');
}

/**
 * Rewrites `bare` names into variable references and appends a conversion to every reference
 * listed in `conversions`.
 */
export function rewriteExpression(expr: string, refs: readonly Reference[], bare: ReadonlySet<string>, conversions: ReadonlyMap<string, string>): string {
  let out = '';
  let last = 0;
  for (const ref of refs) {
    const rewritten = !ref.percent && bare.has(ref.name);
    const conversion = (ref.percent || rewritten) ? conversions.get(ref.name) : undefined;
    if (!rewritten && conversion === undefined) continue;
    out += expr.slice(last, ref.start) + (rewritten ? variableReference(ref.name) : expr.slice(ref.start, ref.end)) + (conversion ?? '');
    last = ref.end;
  }
  return out + expr.slice(last);
}

/**
 * HAPI (and so Matchbox) answers `.value` on a primitive with the primitive itself
 * (`linkId.value in ('x')`); fhirpath.js has no such child. Every member access `.value` becomes
 * "the item itself when it is a primitive with a value, else its `value` child", which leaves
 * `Quantity.value` and choice elements (`answer.value`) unchanged.
 */
export const PRIMITIVE_VALUE = '.select(iif(hasValue(), $this, value))';

export function rewritePrimitiveValue(expr: string): string {
  let out = '';
  let i = 0;
  while (i < expr.length) {
    const ch = expr[i] ?? '';
    if (ch === "'" || ch === '`' || ch === '"') {
      const end = skipQuoted(expr, i, ch);
      out += expr.slice(i, end);
      i = end;
    } else if (ch === '.' && expr.startsWith('value', i + 1) && !/\w/.test(expr[i + 6] ?? '') && nextSignificant(expr, i + 6) !== '(') {
      out += PRIMITIVE_VALUE;
      i += 6;
    } else {
      out += ch;
      i++;
    }
  }
  return out;
}
