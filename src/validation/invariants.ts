import fhirpath from 'fhirpath';
import r4 from 'fhirpath/fhir-context/r4';
import type { IssueCollector } from './issues.ts';

/** Variables an invariant may use: %resource (the resource holding the element) and %rootResource. */
export interface InvariantScope {
  readonly resource: unknown;
  readonly rootResource: unknown;
}

type Compiled = (data: unknown, env: Record<string, unknown>) => unknown[];
type CompileResult = { readonly fn: Compiled } | { readonly failure: string };

const compiled = new Map<string, CompileResult>();

/**
 * Invariants checked natively instead of through FHIRPath: ele-1 and ext-1 are on (nearly) every
 * element and the walker already knows the answer (`walker.ts`, `extensions.ts`); txt-1/txt-2
 * (`narrative.ts`) because fhirpath.js's htmlChecks() is stricter than the HL7 validator.
 */
const NATIVE = new Set(['ele-1', 'ext-1', 'txt-1', 'txt-2']);

/** Checks every constraint of an element definition against one value of it. */
export function checkConstraints(
  def: fhir4.ElementDefinition,
  value: unknown,
  expression: string,
  scope: InvariantScope,
  issues: IssueCollector,
  skip?: ReadonlySet<string>,
): void {
  for (const constraint of def.constraint ?? []) {
    if (NATIVE.has(constraint.key) || !constraint.expression || skip?.has(constraint.key)) continue;
    const outcome = evaluate(def.path, constraint.expression, value, scope);
    if (outcome === true) continue;
    if (outcome === false) {
      const severity = constraint.severity === 'error' ? 'error' : 'warning';
      const bestPractice = constraint.extension?.some((e) => e.url.endsWith('structuredefinition-best-practice') && e.valueBoolean);
      issues.add(bestPractice ? 'warning' : severity, 'invariant', expression,
        `Constraint failed: ${constraint.key}: '${constraint.human}' (${constraint.expression})${constraint.source ? ` defined in ${constraint.source}` : ''}`);
      continue;
    }
    issues.information('informational', expression, `Constraint ${constraint.key} was not checked: ${outcome}`);
  }
}

/** true / false, or the reason the expression could not be evaluated. */
function evaluate(basePath: string, expression: string, value: unknown, scope: InvariantScope): boolean | string {
  const base = basePath.replace(/\[x\]/g, '');
  const key = `${base}\u0000${expression}`;
  let entry = compiled.get(key);
  if (!entry) {
    entry = compile(base, expression);
    compiled.set(key, entry);
  }
  if ('failure' in entry) return entry.failure;
  try {
    const result = entry.fn(value, { resource: scope.resource, rootResource: scope.rootResource });
    // An empty result (e.g. comparing dates of different precision) is not a failure: no false errors.
    if (result.length === 0) return true;
    return result.length !== 1 || result[0] !== false;
  } catch (error) {
    return `evaluation failed (${error instanceof Error ? error.message : String(error)})`;
  }
}

function compile(base: string, expression: string): CompileResult {
  try {
    const options = { traceFn: () => undefined, userInvocationTable: USER_FUNCTIONS };
    const fn = fhirpath.compile({ base, expression: adaptExpression(expression) }, r4 as never, options as never) as unknown as Compiled;
    return { fn };
  } catch (error) {
    return { failure: `the expression is not supported by the FHIRPath engine (${error instanceof Error ? error.message.split('\n')[0] : String(error)})` };
  }
}

/**
 * The spec's invariants are written for the HL7 Java engine, which lets the `as()` function filter
 * a collection (dom-3 uses `descendants().as(canonical)`); fhirpath.js requires a singleton there.
 * `ofType()` is the collection form with the same meaning.
 */
function adaptExpression(expression: string): string {
  const adapted = expression.replace(/\bas\(/g, 'ofType(');
  // `telecom or endpoint` (US Core pd-1): the Java engine reads a collection operand as exists().
  const bare = /^([A-Za-z][\w.]*) (or|and) ([A-Za-z][\w.]*)$/.exec(adapted.trim());
  return bare ? `${bare[1]}.exists() ${bare[2]} ${bare[3]}.exists()` : adapted;
}

const regexes = new Map<string, RegExp>();

/** The spec's regexes (eld-16, eld-19) use escapes JavaScript rejects in unicode mode: retry without it. */
function toRegex(pattern: string): RegExp {
  let regex = regexes.get(pattern);
  if (!regex) {
    try {
      regex = new RegExp(pattern, 'su');
    } catch {
      regex = new RegExp(pattern, 's');
    }
    regexes.set(pattern, regex);
  }
  return regex;
}

/**
 * Functions replaced for offline validation: `matches()` with the regex fallback above, and
 * `resolve()`, which offline resolves nothing (the R4/US Core invariants using it, ctm-1 and
 * provenance-1, pass when the target is unknown, as the HL7 validator does for unresolvable targets).
 */
const USER_FUNCTIONS = {
  matches: {
    fn: (inputs: unknown[], pattern: unknown): boolean | unknown[] => {
      const text = inputs[0];
      if (inputs.length !== 1 || typeof text !== 'string' || typeof pattern !== 'string') return [];
      return toRegex(pattern).test(text);
    },
    arity: { 1: ['String'] },
  },
  resolve: { fn: (): unknown[] => [], arity: { 0: [] } },
};
