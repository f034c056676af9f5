/**
 * Column-with-default expressions answered without fhirpath.js (src/mapping/structuremap/fast-values.ts)
 * must give what fhirpath.js gives (FHIRPath N1 §5.4.1 `iif`, §5.1 empty collections): values
 * and their types, through the evaluator's public evaluateTyped. The reference is the same
 * expression with the criterion parenthesised, which the fast path does not take.
 */
import { FhirPathEvaluator } from '../../../src/mapping/structuremap/fhirpath-eval.ts';
import { compileFastValue } from '../../../src/mapping/structuremap/fast-values.ts';
import type { Value } from '../../../src/mapping/structuremap/values.ts';
import { Variables } from '../../../src/mapping/structuremap/variables.ts';

const notFhir = (): boolean => false;
const EXPRESSIONS: [string, string][] = [
  ["iif(DESCRIPTION.exists(), DESCRIPTION, '')", "iif((DESCRIPTION).exists(), DESCRIPTION, '')"],
  ["iif(NOTES.exists(), NOTES, 'none')", "iif((NOTES).exists(), NOTES, 'none')"],
  ["iif(CODE.exists(),CODE,'x y')", "iif((CODE).exists(),CODE,'x y')"],
];
const CELLS: unknown[] = [undefined, null, '', 'abc', 'with space', 12, 1.5, true, { a: 1 }, ['a', 'b']];

describe('fast column defaults agree with fhirpath.js', () => {
  const evaluator = new FhirPathEvaluator();

  it.each(EXPRESSIONS)('%s on a legacy row', (expression, reference) => {
    const name = /^iif\((\w+)/.exec(expression)?.[1] as string;
    const fast = compileFastValue(expression, notFhir);
    expect(fast).toBeDefined();
    let decided = 0;
    for (const cell of CELLS) {
      const row: Record<string, unknown> = { OTHER: 'o' };
      if (cell !== undefined) row[name] = cell;
      const focus: Value = { v: row, t: undefined };
      if (fast?.(focus, new Variables()) !== undefined) decided++;
      expect([cell, evaluator.evaluateTyped(expression, focus, new Variables())]).toEqual([cell, evaluator.evaluateTyped(reference, focus, new Variables())]);
    }
    expect(decided).toBe(5); // absent, null, and the three strings; numbers, booleans, objects, arrays go to fhirpath.js
  });

  it('leaves typed focus, variables of that name and other shapes to fhirpath.js', () => {
    const fast = compileFastValue("iif(given.exists(), given, '')", (t) => t === 'HumanName');
    expect(fast?.({ v: { given: ['A'] }, t: 'HumanName' }, new Variables())).toBeUndefined();
    const vars = new Variables();
    vars.setInput('given', { v: 'shadow', t: 'string' });
    expect(fast?.({ v: { given: 'A' }, t: undefined }, vars)).toBeUndefined();
    expect(evaluator.evaluateTyped("iif(given.exists(), given, '')", { v: { given: 'A' }, t: undefined }, vars)).toEqual([{ v: 'shadow', t: 'string' }]);
    for (const outside of ["iif(A.exists(), B, '')", "iif(A.exists(), A, 'it''s')", 'iif(A.exists(), A, 1)', "iif(true.exists(), true, '')", "A.exists()"]) {
      expect([outside, compileFastValue(outside, notFhir)]).toEqual([outside, undefined]);
    }
  });
});
