import { isObject } from './context.ts';
import type { ElementNode } from './element-tree.ts';
import { elementTree, typeCodeOf } from './element-tree.ts';
import { deepEqual, fixedOrPattern, matchesPattern } from './values.ts';
import type { Item, Walk } from './walk.ts';

/** Checks on one element or one list of values that do not descend further (used by walker.ts). */

/** Contained resources are found by id (`#id`): ids must be unique within the container. */
export function checkContainedIds(resource: Record<string, unknown>, expression: string, walk: Walk): void {
  const contained = resource['contained'];
  if (!Array.isArray(contained)) return;
  const seen = new Set<string>();
  contained.forEach((c, i) => {
    const id = isObject(c) ? c['id'] : undefined;
    if (typeof id !== 'string') return;
    if (seen.has(id)) walk.issues.error('structure', `${expression}.contained[${i}]`, `Duplicate id '${id}' among the contained resources`);
    seen.add(id);
  });
}

/** min/max of an element (or slice) against the number of values found; reported on the parent, as the HL7 validator does. */
export function checkCardinality(walk: Walk, node: ElementNode, count: number, expression: string): void {
  const min = node.def.min ?? 0;
  const max = node.def.max ?? '*';
  if (count < min) walk.issues.error('required', expression, `${elementName(node)}: minimum required = ${min}, but only found ${count}${fromProfile(node)}`);
  if (max !== '*' && count > Number(max)) walk.issues.error('structure', expression, `${elementName(node)}: max allowed = ${max}, but found ${count}${fromProfile(node)}`);
}

const elementName = (node: ElementNode): string => node.def.id ?? node.def.path;
const fromProfile = (node: ElementNode): string => (node.sd.url ? ` (from ${node.sd.url})` : '');

/** Slicing rules (FHIR R4 §5.1.0.6): closed admits no other element, openAtEnd puts them last, ordered keeps slice order. */
export function checkSlicingRules(walk: Walk, base: ElementNode, slicing: fhir4.ElementDefinitionSlicing, items: Item[], assigned: (ElementNode | undefined)[]): void {
  let lastSliceIndex = -1;
  let seenUnmatched = false;
  items.forEach((item, i) => {
    const slice = assigned[i];
    if (!slice) {
      seenUnmatched = true;
      if (slicing.rules === 'closed') walk.issues.error('structure', item.expression, `This element does not match any slice of ${base.def.path} in ${base.sd.url}, and the slicing is closed`);
      return;
    }
    if (slicing.rules === 'openAtEnd' && seenUnmatched) {
      walk.issues.error('structure', item.expression, `Slicing of ${base.def.path} is openAtEnd: elements that match no slice must come last`);
    }
    const sliceIndex = base.slices.indexOf(slice);
    if (slicing.ordered && sliceIndex < lastSliceIndex) {
      walk.issues.error('structure', item.expression, `The slices of ${base.def.path} are ordered: '${slice.def.sliceName}' comes too late`);
    }
    lastSliceIndex = Math.max(lastSliceIndex, sliceIndex);
  });
}

/** `Patient.name[0].given[1]` → `Patient.name.given`, relative to the resource being validated. */
export function instancePath(walk: Walk, expression: string): string {
  const relative = expression.startsWith(walk.resourceExpression) ? expression.slice(walk.resourceExpression.length) : expression;
  const resourceType = isObject(walk.scope.resource) ? String(walk.scope.resource['resourceType']) : '';
  return (resourceType + relative).replace(/\[\d+\]/g, '').replace(/\.ofType\(([A-Za-z]+)\)/g, (_m, t: string) => t);
}

/** The type of the element at a definition path (`Patient.contact` → BackboneElement). */
export function hostTypeOf(walk: Walk, path: string): string {
  const resourceType = path.split('.')[0] ?? '';
  const sd = walk.context.typeDefinition(resourceType);
  const def = sd ? elementTree(sd).byPath.get(path)?.def : undefined;
  const type = def?.type?.[0];
  return type ? typeCodeOf(type) : 'Element';
}

/** fixed[x] must be equal, pattern[x] must be contained (FHIR R4 ElementDefinition.fixed/pattern). */
export function checkFixedOrPattern(def: fhir4.ElementDefinition, value: unknown, expression: string, walk: Walk): void {
  const expected = fixedOrPattern(def);
  if (!expected) return;
  if (expected.kind === 'fixed' && !deepEqual(expected.value, value)) {
    walk.issues.error('value', expression, `Value is ${JSON.stringify(value)} but must be ${JSON.stringify(expected.value)} (fixed value of ${def.path})`);
  }
  if (expected.kind === 'pattern' && !matchesPattern(expected.value, value)) {
    walk.issues.error('value', expression, `Value ${JSON.stringify(value)} does not match the pattern ${JSON.stringify(expected.value)} required by ${def.path}`);
  }
}
