/**
 * Value shapes: letters become `A`, digits `9`, other characters stay (`2021-02-30` → `9999-99-99`,
 * `abc123` → `AAA999`). A token that alternates letters and digits more than twice (hex ids,
 * UUID parts) becomes `X`s, as does every hex digit of a UUID, so that ids share one shape; long
 * shapes are cut with `…`.
 */
const MAX_SHAPE = 24;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const UUID_SHAPE = `${'XXXXXXXX-XXXX-XXXX-XXXX-XXXXXXXXXXXX'.slice(0, MAX_SHAPE)}…`;
const OTHER = 0;
const LETTER = 1;
const DIGIT = 2;

/** One pass over the characters (this runs for every value of every column). */
export function valueShape(value: string): string {
  if (value.length === 36 && value[8] === '-' && UUID.test(value)) return UUID_SHAPE;
  let shape = '';
  let i = 0;
  while (i < value.length && shape.length <= MAX_SHAPE) {
    if (classOf(value.charCodeAt(i)) === OTHER) {
      shape += value[i];
      i++;
      continue;
    }
    const end = tokenEnd(value, i);
    shape += tokenShape(value, i, end);
    i = end;
  }
  return shape.length > MAX_SHAPE ? `${shape.slice(0, MAX_SHAPE)}…` : shape;
}

function tokenEnd(value: string, start: number): number {
  let end = start;
  while (end < value.length && classOf(value.charCodeAt(end)) !== OTHER) end++;
  return end;
}

function tokenShape(value: string, start: number, end: number): string {
  let shape = '';
  let switches = 0;
  let previous = OTHER;
  for (let i = start; i < end; i++) {
    const cls = classOf(value.charCodeAt(i));
    if (previous !== OTHER && cls !== previous) switches++;
    previous = cls;
    shape += cls === LETTER ? 'A' : '9';
  }
  return switches > 2 ? 'X'.repeat(end - start) : shape;
}

function classOf(code: number): number {
  if (code >= 48 && code <= 57) return DIGIT;
  if ((code >= 65 && code <= 90) || (code >= 97 && code <= 122)) return LETTER;
  return OTHER;
}

/** Counts per key, bounded: past `cap` keys, new keys are summed under `other`. */
export class BoundedCounter {
  readonly #cap: number;
  readonly #counts = new Map<string, number>();
  other = 0;

  constructor(cap: number) {
    this.#cap = cap;
  }

  add(key: string, by = 1): void {
    const current = this.#counts.get(key);
    if (current !== undefined) this.#counts.set(key, current + by);
    else if (this.#counts.size < this.#cap) this.#counts.set(key, by);
    else this.other += by;
  }

  get size(): number {
    return this.#counts.size;
  }

  /** The `limit` largest counts, largest first (ties by key). */
  top(limit: number): { key: string; count: number }[] {
    return [...this.#counts]
      .map(([key, count]) => ({ key, count }))
      .sort((a, b) => b.count - a.count || a.key.localeCompare(b.key))
      .slice(0, limit);
  }

  entries(): IterableIterator<[string, number]> {
    return this.#counts.entries();
  }
}
