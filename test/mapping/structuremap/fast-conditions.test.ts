/**
 * Map conditions answered without fhirpath.js (src/mapping/structuremap/fast-conditions.ts) must
 * give what fhirpath.js gives (FHIRPath N1 §5.1 empty propagation, §6.5 Boolean logic, with
 * HAPI's evaluateToBoolean on the result): every expression × every binding is compared with the
 * evaluator's fhirpath.js path, over variables and over an untyped focus row.
 */
import { compileFastCondition } from '../../../src/mapping/structuremap/fast-conditions.ts';
import { FhirPathEvaluator } from '../../../src/mapping/structuremap/fhirpath-eval.ts';
import type { Value } from '../../../src/mapping/structuremap/values.ts';
import { Variables } from '../../../src/mapping/structuremap/variables.ts';

const EXPRESSIONS = [
  "(VALUE != '')",
  "(TYPE = 'numeric')",
  "((TYPE = 'numeric') and (VALUE != ''))",
  "((TYPE != 'numeric') and (TYPE != 'text'))",
  "(VALUE.exists() and (VALUE != '')).not()",
  "VALUE.matches('^-?[0-9]+(\\\\.[0-9]+)?$')",
  "(VALUE.matches('^-?[0-9]+(\\\\.[0-9]+)?$') and ((TYPE = 'numeric') or (UNITS.exists() and (UNITS != ''))))",
  "((VALUE != '') and (VALUE.matches('^-?[0-9]+(\\\\.[0-9]+)?$') and ((TYPE = 'numeric') or (UNITS.exists() and (UNITS != '')))).not())",
  "VALUE.empty() or UNITS = 'cm'",
  "TYPE = 'numeric' or VALUE = '' and UNITS = 'cm'",
  "(UNITS.exists() and (UNITS != '') and (UNITS != '0')).not()",
  "$this = 'cm'",
  "%VALUE = 'abc'",
  // Calls without a receiver apply to $this (the focus).
  "(matches('^[0-9]{1,3}$').not() and matches('^[0-9]{5,}(00|10)[0-9]$').not())",
  "matches('^c') or exists().not()",
  "empty()",
  "VALUE.startsWith('1')",
  "((VALUE != '') and VALUE.startsWith('-1').not())",
  "VALUE.startsWith('')",
  "startsWith('c')",
];

const VALUES = [undefined, '', '12', '-1.5', 'abc', 'cm'];
const TYPES = [undefined, 'numeric', 'text'];
const UNITS = [undefined, '', 'cm', '0'];

function bindings(): Record<string, string | undefined>[] {
  const out: Record<string, string | undefined>[] = [];
  for (const VALUE of VALUES) for (const TYPE of TYPES) for (const UNITS_ of UNITS) out.push({ VALUE, TYPE, UNITS: UNITS_ });
  return out;
}

/** HAPI evaluateToBoolean over fhirpath.js's result. */
function reference(evaluator: FhirPathEvaluator, expression: string, focus: Value | undefined, vars: Variables): boolean | 'error' {
  try {
    const result = evaluator.evaluate(expression, focus, vars);
    return result.length === 1 && typeof result[0] === 'boolean' ? result[0] : result.length > 0;
  } catch {
    return 'error';
  }
}

const notFhir = (): boolean => false;

describe('fast map conditions agree with fhirpath.js', () => {
  const evaluator = new FhirPathEvaluator();

  it.each(EXPRESSIONS)('%s, as variables', (expression) => {
    const condition = compileFastCondition(expression, notFhir);
    expect(condition).toBeDefined();
    let decided = 0;
    for (const binding of bindings()) {
      const vars = new Variables();
      for (const [name, v] of Object.entries(binding)) if (v !== undefined) vars.setInput(name, { v, t: 'string' });
      const focus: Value = { v: binding.UNITS ?? '', t: 'string' };
      const fast = condition?.(focus, vars);
      if (fast === undefined) continue;
      decided++;
      expect([binding, fast]).toEqual([binding, reference(evaluator, expression, focus, vars)]);
    }
    expect(decided).toBeGreaterThan(0);
  });

  it.each(EXPRESSIONS.filter((e) => !e.includes('%') && !e.includes('$this') && !/^\(?(matches|empty|startsWith)\(/.test(e)))('%s, on a legacy row', (expression) => {
    const condition = compileFastCondition(expression, notFhir);
    for (const binding of bindings()) {
      const row = Object.fromEntries(Object.entries(binding).filter(([, v]) => v !== undefined));
      const focus: Value = { v: row, t: undefined };
      const fast = condition?.(focus, new Variables());
      expect(fast).toBeDefined(); // strings and absent columns are always decided
      expect([binding, fast]).toEqual([binding, reference(evaluator, expression, focus, new Variables())]);
    }
  });

  it('leaves what it cannot decide to fhirpath.js', () => {
    const vars = new Variables();
    vars.setInput('n', { v: 5, t: 'integer' });
    expect(compileFastCondition("(n != '')", notFhir)?.(undefined, vars)).toBeUndefined(); // a number
    expect(compileFastCondition("(value.exists())", () => true)?.({ v: { valueString: 'x' }, t: 'Observation' }, new Variables())).toBeUndefined(); // value[x] on a FHIR type
    for (const outside of ['n > 5', "a.b = 'x'", "a ~ 'x'", "a = 'x' implies b = 'y'", "a.where(b = 'x').exists()", "a = 'x\\u0041'", 'a = true', "iif(a.exists(), a, '')"]) {
      expect([outside, compileFastCondition(outside, notFhir)]).toEqual([outside, undefined]);
    }
  });
});
