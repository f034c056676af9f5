import { DistinctCounter } from './distinct.ts';
import { BoundedCounter, valueShape } from './patterns.ts';
import type { ColumnReport } from './report.ts';
import { INFERABLE_TYPES, TypeCheck, inferredCheck } from './type-check.ts';
import type { CodeSet, ColumnType } from './types.ts';

const PATTERN_CAP = 200;
const TOP_PATTERNS = 12;
const CODE_CAP = 500;

/**
 * One column of one kind, profiled value by value with bounded memory. Text values are checked
 * against the declared type; without one, against the types it could have (the report keeps the
 * one almost every value has).
 */
export class ColumnProfiler {
  readonly kind: string;
  readonly column: string;
  present = 0;
  readonly #type: ColumnType | undefined;
  readonly #checks: readonly TypeCheck[];
  readonly #codeSet: CodeSet | undefined;
  readonly #distinct: DistinctCounter;
  readonly #patterns = new BoundedCounter(PATTERN_CAP);
  readonly #outsideCodes = new BoundedCounter(CODE_CAP);

  constructor(kind: string, column: string, distinctCap: number, type?: ColumnType, codeSet?: CodeSet) {
    this.kind = kind;
    this.column = column;
    this.#type = type;
    this.#checks = type ? [new TypeCheck(type)] : INFERABLE_TYPES.map((t) => new TypeCheck(t));
    this.#codeSet = codeSet;
    this.#distinct = new DistinctCounter(distinctCap);
  }

  add(value: unknown, locator: string): void {
    const text = textOf(value);
    if (text === undefined) return;
    this.present++;
    this.#distinct.add(text);
    const shape = valueShape(text);
    this.#patterns.add(shape);
    // Values a database already typed (numbers, booleans) need no parse check.
    if (typeof value === 'string') for (const check of this.#checks) check.check(text, shape, locator);
    if (this.#codeSet && !this.#codeSet.codes.has(text)) this.#outsideCodes.add(text);
  }

  report(records: number): ColumnReport {
    const empty = Math.max(0, records - this.present);
    const outside = [...this.#outsideCodes.entries()].reduce((sum, [, n]) => sum + n, 0) + this.#outsideCodes.other;
    const patterns = this.#patterns.top(TOP_PATTERNS).map(({ key, count }) => ({ pattern: key, count }));
    const check = this.#type ? this.#checks[0] : inferredCheck(this.#checks);
    const invalid = check?.report();
    return {
      kind: this.kind,
      column: this.column,
      present: this.present,
      empty,
      emptyRate: records === 0 ? 0 : round(empty / records),
      distinct: this.#distinct.count,
      distinctExact: this.#distinct.exact,
      patterns,
      otherPatterns: this.present - patterns.reduce((sum, p) => sum + p.count, 0),
      ...(this.#type ? { declaredType: this.#type } : check ? { inferredType: check.type } : {}),
      ...(invalid ? { invalid } : {}),
      ...(this.#codeSet ? { codeSystem: { conceptMap: this.#codeSet.conceptMap, outside, codes: this.#outsideCodes.top(50).map(({ key, count }) => ({ code: key, count })) } } : {}),
    };
  }
}

/** A record value as text; empty text, null and undefined are "no value". */
export function textOf(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (value instanceof Date) return value.toISOString();
  const text = typeof value === 'object' ? JSON.stringify(value) : String(value);
  return text.trim() === '' ? undefined : text;
}

function round(value: number): number {
  return Math.round(value * 10000) / 10000;
}
