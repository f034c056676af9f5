import { parseProblem } from './parse-checks.ts';
import { BoundedCounter } from './patterns.ts';
import type { InvalidValues } from './report.ts';
import type { ColumnType } from './types.ts';

const SAMPLE_CAP = 5;
const PATTERN_CAP = 50;
const TOP_PATTERNS = 12;

/** Values of one column that do not parse as one type: count, reasons, shapes and where (no content). */
export class TypeCheck {
  readonly type: ColumnType;
  checked = 0;
  invalid = 0;
  readonly #reasons = new BoundedCounter(10);
  readonly #patterns = new BoundedCounter(PATTERN_CAP);
  readonly #samples: string[] = [];

  constructor(type: ColumnType) {
    this.type = type;
  }

  check(text: string, shape: string, locator: string): void {
    this.checked++;
    const problem = parseProblem(text, this.type);
    if (problem === undefined) return;
    this.invalid++;
    this.#reasons.add(problem);
    this.#patterns.add(shape);
    if (this.#samples.length < SAMPLE_CAP) this.#samples.push(locator);
  }

  report(): InvalidValues | undefined {
    if (this.invalid === 0) return undefined;
    return {
      count: this.invalid,
      reason: this.#reasons.top(3).map((r) => r.key).join('; '),
      patterns: this.#patterns.top(TOP_PATTERNS).map(({ key, count }) => ({ pattern: key, count })),
      samples: [...this.#samples],
    };
  }
}

/** Types tried on an undeclared text column, most specific first. */
export const INFERABLE_TYPES: readonly ColumnType[] = ['date', 'dateTime', 'decimal'];
const MIN_VALUES = 20;
const MIN_SHARE = 0.95;

/**
 * The type almost every value of an undeclared column has (≥ 95 % of at least 20 values): the
 * rest are then counted as values that do not parse.
 */
export function inferredCheck(checks: readonly TypeCheck[]): TypeCheck | undefined {
  return checks.find((c) => c.checked >= MIN_VALUES && (c.checked - c.invalid) / c.checked >= MIN_SHARE);
}
