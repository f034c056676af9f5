/**
 * Invariants made only of `path.exists()` / `path.empty()` terms joined by `or` (or by `and`),
 * with plain element names on the path (`data.empty() or contentType.exists()`, att-1, ctm-1,
 * cpt-2, dom-4…), answered on the JSON instead of through fhirpath.js. Each term is true or false
 * in FHIRPath, so a chain is decided as soon as one term decides it. Only paths whose every step
 * is a known element that is not a choice type in fhirpath.js's R4 model (choice elements are read
 * by type: `valueQuantity`, never a bare `value`) are compiled. A term is left undecided (and the
 * invariant to FHIRPath when the chain needs it) where JSON and FHIRPath could still differ: a
 * `_name` companion (a primitive with only extensions exists), nulls, or a step into a primitive.
 */
import r4 from 'fhirpath/fhir-context/r4';

type Json = Record<string, unknown>;
export type PathNative = (value: Json) => boolean | undefined;

const TERM = /^([a-z][A-Za-z0-9]*(?:\.[a-z][A-Za-z0-9]*)*)\.(exists|empty)\(\)$/;

const compiled = new Map<string, PathNative | null>();

/** The native form of an invariant of that shape on an element (`Attachment`, `Patient.contact`); undefined for any other. */
export function pathNative(expression: string, basePath: string): PathNative | undefined {
  const key = `${basePath}\u0000${expression}`;
  let native = compiled.get(key);
  if (native === undefined) {
    native = compilePathNative(expression, basePath);
    compiled.set(key, native);
  }
  return native ?? undefined;
}

function compilePathNative(expression: string, basePath: string): PathNative | null {
  const operator = expression.includes(' or ') ? 'or' : 'and';
  const parts = expression.split(` ${operator} `);
  const terms: { readonly path: string[]; readonly exists: boolean }[] = [];
  for (const part of parts) {
    const match = TERM.exec(part);
    if (!match?.[1] || !plainElements(basePath, match[1].split('.'))) return null;
    terms.push({ path: match[1].split('.'), exists: match[2] === 'exists' });
  }
  // `a or b and c` mixes precedences: not this shape.
  if (terms.length === 0 || (operator === 'or' && expression.includes(' and '))) return null;
  const decisive = operator === 'or';
  return (value) => {
    let undecided = false;
    for (const term of terms) {
      const found = pathExists(value, term.path);
      if (found === undefined) undecided = true;
      // `or`: one true term decides; `and`: one false term.
      else if ((found === term.exists) === decisive) return decisive;
    }
    return undecided ? undefined : !decisive;
  };
}

/** Whether `path` selects anything from `value`; undefined where the JSON alone does not tell. */
function pathExists(value: Json, path: readonly string[]): boolean | undefined {
  let current: readonly unknown[] = [value];
  for (const name of path) {
    const next: unknown[] = [];
    for (const item of current) {
      if (typeof item !== 'object' || item === null || Array.isArray(item)) return undefined;
      const json = item as Json;
      if (json[`_${name}`] !== undefined) return undefined;
      const child = json[name];
      if (child === null) return undefined;
      if (Array.isArray(child)) {
        for (const element of child) {
          if (element === null) return undefined;
          next.push(element);
        }
      } else if (child !== undefined) next.push(child);
    }
    current = next;
  }
  return current.length > 0;
}

const model = r4 as unknown as {
  readonly path2Type: Record<string, string>;
  readonly choiceTypePaths: Record<string, string[]>;
  readonly pathsDefinedElsewhere: Record<string, string>;
  readonly type2Parent: Record<string, string>;
};

/** Choice element names of resources (`Observation.value` → `value`): a contained resource may be any of them. */
const RESOURCE_CHOICES = new Set(Object.keys(model.choiceTypePaths).filter((p) => p.split('.').length === 2).map((p) => p.slice(p.indexOf('.') + 1)));

/** Whether each step of `path` from the element at `basePath` is a known, non-choice element of the model. */
function plainElements(basePath: string, path: readonly string[]): boolean {
  let type: string | undefined = typeOfPath(basePath);
  for (const name of path) {
    if (type === undefined) return false;
    if (type === 'Resource' && RESOURCE_CHOICES.has(name)) return false;
    type = childType(type === 'Resource' ? 'DomainResource' : type, name);
  }
  return type !== undefined;
}

/** The type (or, for a backbone element, the defining path) of the element at a model path. */
function typeOfPath(path: string): string | undefined {
  if (!path.includes('.')) return path;
  const defined = model.pathsDefinedElsewhere[path] ?? path;
  const type = model.path2Type[defined];
  return type === 'BackboneElement' || type === 'Element' ? defined : type;
}

function childType(parent: string, name: string): string | undefined {
  for (let type: string | undefined = parent; type; type = model.type2Parent[type]) {
    const path = `${type}.${name}`;
    if (model.choiceTypePaths[path]) return undefined;
    if (model.path2Type[path]) return typeOfPath(path);
  }
  return undefined;
}
