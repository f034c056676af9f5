import fhirpath from 'fhirpath';
import r4 from 'fhirpath/fhir-context/r4';
import type { InvariantScope } from './invariants.ts';

/**
 * FHIRPath for extension contexts of use (FHIR R4 StructureDefinition.context, type `fhirpath`;
 * `contextInvariant`). Kept apart from invariants.ts: these need the engine's nodes (to know
 * *which* element a result is), not just true / false.
 */
interface Node {
  readonly data?: unknown;
  readonly _data?: unknown;
}

type Compiled = (data: unknown, env: Record<string, unknown>) => unknown[];
type CompileResult = { readonly fn: Compiled } | { readonly failure: string };

const compiledNodes = new Map<string, CompileResult>();
const compiledValues = new Map<string, CompileResult>();

function compile(cache: Map<string, CompileResult>, base: string, expression: string, nodes: boolean): CompileResult {
  const key = `${base}\u0000${expression}`;
  let entry = cache.get(key);
  if (!entry) {
    try {
      const options = { traceFn: () => undefined, resolveInternalTypes: !nodes };
      entry = { fn: fhirpath.compile({ base, expression }, r4 as never, options as never) as unknown as Compiled };
    } catch (error) {
      entry = { failure: `the expression is not supported by the FHIRPath engine (${error instanceof Error ? error.message.split('\n')[0] : String(error)})` };
    }
    cache.set(key, entry);
  }
  return entry;
}

function run(entry: CompileResult, focus: unknown, scope: InvariantScope): unknown[] | string {
  if ('failure' in entry) return entry.failure;
  try {
    return entry.fn(focus, { resource: scope.resource, rootResource: scope.rootResource });
  } catch (error) {
    return `evaluation failed (${error instanceof Error ? error.message : String(error)})`;
  }
}

/**
 * A `fhirpath` context (R4 §StructureDefinition.context.type: "The context is all elements
 * matching a particular FHIRPath query"): the expression is evaluated on the resource holding the
 * extension, as the HL7 validator does, and the context admits the element when it is one of the
 * results. `element` is the JSON object whose `extension` holds it (for a primitive, its `_name`
 * object). Returns the reason when the expression cannot be evaluated.
 */
export function fhirpathContextSelects(expression: string, element: unknown, scope: InvariantScope): boolean | string {
  const resource = scope.resource;
  const type = typeof resource === 'object' && resource !== null ? (resource as Record<string, unknown>)['resourceType'] : undefined;
  if (typeof type !== 'string') return 'the extension is not inside a resource';
  let byResource = selected.get(scope.evaluated);
  if (!byResource) {
    byResource = new WeakMap();
    selected.set(scope.evaluated, byResource);
  }
  let byExpression = byResource.get(resource as object);
  if (!byExpression) {
    byExpression = new Map();
    byResource.set(resource as object, byExpression);
  }
  let elements = byExpression.get(expression);
  if (elements === undefined) {
    const result = run(compile(compiledNodes, type, expression, true), resource, scope);
    elements = typeof result === 'string' ? result : new Set(result.flatMap((n) => (typeof n === 'object' && n !== null ? [n, (n as Node).data, (n as Node)._data] : [])).filter((x) => typeof x === 'object' && x !== null));
    byExpression.set(expression, elements);
  }
  return typeof elements === 'string' ? elements : elements.has(element);
}

/**
 * The elements a context expression selects, per validation run (keyed by the run's `evaluated`
 * map) and resource: evaluated once however many extensions the resource has.
 */
const selected = new WeakMap<object, WeakMap<object, Map<string, Set<unknown> | string>>>();

/**
 * A `contextInvariant` (R4 StructureDefinition.contextInvariant: "A set of rules as FHIRPath
 * Invariants about when the extension can be used"), evaluated with the element carrying the
 * extension as focus (`basePath` its definition path, e.g. `Patient.contact`). An empty result is
 * not a failure (as for invariants: no false errors).
 */
export function contextInvariantHolds(expression: string, basePath: string, element: unknown, scope: InvariantScope): boolean | string {
  const result = run(compile(compiledValues, basePath.replace(/\[x\]/g, ''), expression, false), element, scope);
  if (typeof result === 'string') return result;
  return result.length !== 1 || result[0] !== false;
}
