import type { Value } from './values.ts';
import type { Variables } from './variables.ts';

/**
 * Map expressions that pick a column with a default, answered without fhirpath.js. The Synthea
 * CSV maps write `iif(DESCRIPTION.exists(), DESCRIPTION, '')` for every optional text column —
 * the most evaluated expression of the set (17 µs each in fhirpath.js, about a tenth of mapping
 * time). On an untyped row (no R4 type: fhirpath.js sees plain JSON), a string column gives
 * itself (FHIRPath N1 §5.4.1 `iif`: `exists()` is true for any value, '' included), an absent or
 * null one the literal; both typed `string` (System.String), as fhirpath.js types them. Anything
 * else — another shape of expression, a typed focus, a variable of that name, a number, object or
 * array value — answers `undefined`: fhirpath.js then evaluates the expression.
 */
export type FastValue = (focus: Value | undefined, vars: Variables) => Value[] | undefined;

const IIF_DEFAULT = /^iif\(([A-Za-z_]\w*)\.exists\(\), ?\1, ?'([^'\\]*)'\)$/;
/** Names FHIRPath reads as literals or operators, not as a column. */
const KEYWORDS = new Set(['true', 'false', 'and', 'or', 'xor', 'implies', 'in', 'contains', 'is', 'as', 'div', 'mod', 'not']);

export function compileFastValue(expression: string, isFhirType: (type: string) => boolean): FastValue | undefined {
  const m = IIF_DEFAULT.exec(expression);
  if (!m || KEYWORDS.has(m[1] as string)) return undefined;
  const name = m[1] as string;
  const fallback = m[2] as string;
  return (focus, vars) => {
    if (!focus || (focus.t !== undefined && isFhirType(focus.t)) || vars.has(name)) return undefined;
    const row = focus.v;
    if (row === null || typeof row !== 'object' || Array.isArray(row)) return undefined;
    const value = (row as Record<string, unknown>)[name];
    if (value === undefined || value === null) return [{ v: fallback, t: 'string' }];
    return typeof value === 'string' ? [{ v: value, t: 'string' }] : undefined;
  };
}
