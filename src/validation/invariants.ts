import fhirpath from 'fhirpath';
import r4 from 'fhirpath/fhir-context/r4';
import type { IssueCollector } from './issues.ts';
import { nativeInvariantFor } from './native-invariants.ts';
import type { NativeCheck } from './native-invariants.ts';

/** Variables an invariant may use: %resource (the resource holding the element) and %rootResource. */
export interface InvariantScope {
  readonly resource: unknown;
  readonly rootResource: unknown;
  /**
   * Outcomes already computed in this validation, per value object and expression: a profile
   * repeats its base's invariants, and the value is checked against both.
   */
  readonly evaluated: WeakMap<object, Map<string, boolean | string>>;
  /** memberOf() offline: is the code / Coding / CodeableConcept in the ValueSet? undefined when unknown. */
  readonly memberOf?: (value: unknown, valueSet: string) => boolean | undefined;
}

/** The env variable carrying the memberOf callback into the FHIRPath user function. */
const MEMBER_OF_VAR = 'fhirmigMemberOf';

type Compiled = (data: unknown, env: Record<string, unknown>) => unknown[];
type CompileResult = { readonly fn: Compiled } | { readonly failure: string };

const compiled = new Map<string, CompileResult>();

/**
 * Invariants checked natively instead of through FHIRPath: ele-1 and ext-1 are on (nearly) every
 * element and the walker already knows the answer (`walker.ts`, `extensions.ts`); txt-1/txt-2
 * (`narrative.ts`) because fhirpath.js's htmlChecks() is stricter than the HL7 validator.
 */
const NATIVE = new Set(['ele-1', 'ext-1', 'txt-1', 'txt-2']);

/** A constraint the walker evaluates, with what is derived from it once per definition. */
interface ConstraintPlan {
  readonly constraint: fhir4.ElementDefinitionConstraint;
  readonly expression: string;
  /** Decides the invariant on the JSON when it can (native-invariants.ts). */
  readonly native: NativeCheck;
  /** When it returns true the invariant holds without evaluation (see TRIVIAL). */
  readonly trivial: ((value: Record<string, unknown>) => boolean) | undefined;
  /** Outcomes of this constraint per value are cached under this key (see evaluateOnce). */
  readonly outcomeKey: string;
  /** The compiled expression is cached under this key: the path without `[x]`, and the expression. */
  readonly base: string;
  readonly compileKey: string;
}

const plans = new WeakMap<fhir4.ElementDefinition, readonly ConstraintPlan[]>();

function constraintPlans(def: fhir4.ElementDefinition): readonly ConstraintPlan[] {
  let list = plans.get(def);
  if (!list) {
    list = (def.constraint ?? []).flatMap((constraint) => {
      const expression = constraint.expression;
      if (NATIVE.has(constraint.key) || !expression) return [];
      const base = def.path.replace(/\[x\]/g, '');
      const trivial = TRIVIAL.find(([prefix]) => expression.startsWith(prefix))?.[1];
      return [{ constraint, expression, native: nativeInvariantFor(expression, def.path), trivial, outcomeKey: `${def.path}\u0000${expression}`, base, compileKey: `${base}\u0000${expression}` }];
    });
    plans.set(def, list);
  }
  return list;
}

/** Checks every constraint of an element definition against one value of it. */
export function checkConstraints(
  def: fhir4.ElementDefinition,
  value: unknown,
  expression: string,
  scope: InvariantScope,
  issues: IssueCollector,
  skip?: ReadonlySet<string>,
): void {
  for (const plan of constraintPlans(def)) {
    const { constraint } = plan;
    if (skip?.has(constraint.key)) continue;
    if (plan.trivial && typeof value === 'object' && value !== null && plan.trivial(value as Record<string, unknown>)) continue;
    const outcome = plan.native(value, scope.rootResource) ?? evaluateOnce(plan, value, scope);
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

/**
 * Preconditions of frequent core invariants: when the element they test is absent the invariant
 * holds, so the FHIRPath evaluation (the bulk of validation time) is skipped. Keyed by the start
 * of the expression (the first prefix that matches decides), so a profile reusing a key with
 * another expression is still evaluated.
 */
const TRIVIAL: readonly [string, (value: Record<string, unknown>) => boolean][] = [
  ["reference.startsWith('#').not()", (v) => typeof v['reference'] !== 'string' || !v['reference'].startsWith('#')],
  ['start.hasValue().not() or end.hasValue().not()', (v) => v['start'] === undefined || v['end'] === undefined],
  ['contained.contained.empty()', (v) => v['contained'] === undefined],
  ['contained.where(', (v) => v['contained'] === undefined],
  ['contained.meta.versionId.empty()', (v) => v['contained'] === undefined],
  ['contained.meta.security.empty()', (v) => v['contained'] === undefined],
];

const DOM_3 = "contained.where((('#'+id in (%resource.descendants().reference";

/**
 * dom-3 natively: its `%resource.descendants()` over a resource with contained resources was a
 * third of all validation time. Every contained resource with an id must be referenced (`#id`)
 * from somewhere in the container, or itself refer to the container (`#`). Any string `#id` counts
 * as a reference here (the invariant looks at reference, canonical, uri and url values): that can
 * only accept more, never report a false error.
 */
function containedAreReferenced(resource: Record<string, unknown>): boolean {
  const contained = Array.isArray(resource['contained']) ? (resource['contained'] as unknown[]) : [];
  const localRefs = new Set<string>();
  collectLocalReferences(resource, localRefs);
  return contained.every((c) => {
    if (typeof c !== 'object' || c === null) return true;
    const id = (c as Record<string, unknown>)['id'];
    if (typeof id !== 'string') return true;
    if (localRefs.has(`#${id}`)) return true;
    const own = new Set<string>();
    collectLocalReferences(c, own);
    return own.has('#');
  });
}

function collectLocalReferences(value: unknown, into: Set<string>): void {
  if (typeof value === 'string') {
    if (value.startsWith('#')) into.add(value);
    // narrative links (`<img src="#id">`, `<a href="#id">`) count too, as in the HL7 validator since 2024
    else if (value.startsWith('<')) for (const m of value.matchAll(/(?:src|href)\s*=\s*["'](#[^"']+)["']/g)) if (m[1]) into.add(m[1]);
  } else if (Array.isArray(value)) {
    for (const item of value) collectLocalReferences(item, into);
  } else if (typeof value === 'object' && value !== null) {
    for (const item of Object.values(value)) collectLocalReferences(item, into);
  }
}

function evaluateOnce(plan: ConstraintPlan, value: unknown, scope: InvariantScope): boolean | string {
  if (typeof value !== 'object' || value === null) return evaluate(plan, value, scope);
  if (plan.expression.startsWith(DOM_3)) return containedAreReferenced(value as Record<string, unknown>);
  let done = scope.evaluated.get(value);
  if (!done) {
    done = new Map();
    scope.evaluated.set(value, done);
  }
  let outcome = done.get(plan.outcomeKey);
  if (outcome === undefined) {
    outcome = evaluate(plan, value, scope);
    done.set(plan.outcomeKey, outcome);
  }
  return outcome;
}

/** true / false, or the reason the expression could not be evaluated. */
function evaluate(plan: ConstraintPlan, value: unknown, scope: InvariantScope): boolean | string {
  let entry = compiled.get(plan.compileKey);
  if (!entry) {
    entry = compile(plan.base, plan.expression);
    compiled.set(plan.compileKey, entry);
  }
  if ('failure' in entry) return entry.failure;
  try {
    const result = entry.fn(value, { resource: scope.resource, rootResource: scope.rootResource, [MEMBER_OF_VAR]: scope.memberOf });
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
 * Functions replaced for offline validation: `matches()` with the regex fallback above;
 * `resolve()`, which offline resolves nothing (the R4/US Core invariants using it, ctm-1 and
 * provenance-1, pass when the target is unknown, as the HL7 validator does for unresolvable targets);
 * `memberOf()` against the locally expanded ValueSets (empty, i.e. not failed, when unknown).
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
  memberOf: {
    // internalStructures: called with the engine's context as `this` (for the env variable) and ResourceNodes.
    internalStructures: true,
    fn: function memberOf(this: { vars?: Record<string, unknown> }, inputs: unknown[], valueSet: unknown): boolean | unknown[] {
      const check = this.vars?.[MEMBER_OF_VAR] as InvariantScope['memberOf'];
      if (!check || inputs.length !== 1 || typeof valueSet !== 'string') return [];
      const node = inputs[0];
      const data = typeof node === 'object' && node !== null && 'data' in node ? (node as { data: unknown }).data : node;
      return check(data, valueSet) ?? [];
    },
    arity: { 1: ['String'] },
  },
};
