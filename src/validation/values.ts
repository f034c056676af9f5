import { isObject } from './context.ts';

/** Deep equality of JSON values, ignoring key order (fixed[x] checks). */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => deepEqual(x, b[i]));
  if (isObject(a) && isObject(b)) {
    const keys = Object.keys(a);
    return keys.length === Object.keys(b).length && keys.every((k) => deepEqual(a[k], b[k]));
  }
  return false;
}

/** Whether a value carries everything a pattern[x] states (arrays: each pattern item matches some value item). */
export function matchesPattern(pattern: unknown, value: unknown): boolean {
  if (Array.isArray(pattern)) {
    const values = Array.isArray(value) ? value : [value];
    return pattern.every((p) => values.some((v) => matchesPattern(p, v)));
  }
  if (Array.isArray(value)) return value.some((v) => matchesPattern(pattern, v));
  if (isObject(pattern)) {
    if (!isObject(value)) return false;
    return Object.keys(pattern).every((k) => matchesPattern(pattern[k], value[k]));
  }
  return pattern === value;
}

const FIXED_PREFIX = 'fixed';
const PATTERN_PREFIX = 'pattern';

export interface FixedValue {
  readonly kind: 'fixed' | 'pattern';
  readonly value: unknown;
}

const fixedValues = new WeakMap<fhir4.ElementDefinition, FixedValue | null>();

/** The fixed[x] or pattern[x] value of an element definition, if any (looked up once per definition). */
export function fixedOrPattern(def: fhir4.ElementDefinition): FixedValue | undefined {
  let found = fixedValues.get(def);
  if (found === undefined) {
    found = null;
    for (const key of Object.keys(def)) {
      const value = (def as unknown as Record<string, unknown>)[key];
      if (key.startsWith(FIXED_PREFIX) && key.length > FIXED_PREFIX.length) found = { kind: 'fixed', value };
      else if (key.startsWith(PATTERN_PREFIX) && key.length > PATTERN_PREFIX.length) found = { kind: 'pattern', value };
      if (found) break;
    }
    fixedValues.set(def, found);
  }
  return found ?? undefined;
}

/** Property values along a simple dotted path (`code.coding.system`), flattening arrays and choice types. */
export function navigate(value: unknown, path: string): unknown[] {
  if (path === '$this' || path === '') return value === undefined ? [] : [value];
  let current: unknown[] = [value];
  for (const rawSegment of path.split('.')) {
    const segment = rawSegment.replace(/\[x\]$/, '');
    if (segment === '$this') continue;
    const next: unknown[] = [];
    for (const item of current) {
      if (!isObject(item)) continue;
      for (const v of propertyValues(item, segment)) next.push(v);
    }
    current = next;
  }
  return current;
}

function propertyValues(item: Record<string, unknown>, name: string): unknown[] {
  const direct = item[name];
  if (direct !== undefined) return Array.isArray(direct) ? direct : [direct];
  for (const key of Object.keys(item)) {
    if (key.length > name.length && key.startsWith(name) && /[A-Z]/.test(key.charAt(name.length))) {
      const v = item[key];
      return Array.isArray(v) ? v : [v];
    }
  }
  return [];
}

export function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
