import { checkBinding, checkCoding } from './bindings.ts';
import { checkBundleEntries } from './bundle.ts';
import { matchChild } from './children.ts';
import { isObject } from './context.ts';
import { childrenOf, elementTree, isArrayElement, typeCodeOf } from './element-tree.ts';
import type { ElementNode } from './element-tree.ts';
import { checkExt1, checkExtensionContext, resolveExtension } from './extensions.ts';
import { checkConstraints } from './invariants.ts';
import { checkNarrativeDiv } from './narrative.ts';
import { IssueCollector } from './issues.ts';
import { checkPrimitive, describe, isPrimitiveType } from './primitives.ts';
import { checkReference, indexBundle } from './references.ts';
import { assignSlices } from './slicing.ts';
import { deepEqual, fixedOrPattern, matchesPattern } from './values.ts';
import type { Item, Walk } from './walk.ts';

const RESOURCE_ID = /^[A-Za-z0-9\-.]{1,64}$/;
/** Narrative is not expected inside a contained resource: its container carries it. */
const NOT_FOR_CONTAINED = new Set(['dom-6']);

/** Validates a resource against its base definition and every profile it claims or is asked for. */
export function validateResourceValue(walk: Walk, resource: unknown, expression: string, profiles: readonly string[]): void {
  if (!isObject(resource)) {
    walk.issues.error('structure', expression, `Expected a resource (JSON object), found ${describe(resource)}`);
    return;
  }
  const resourceType = resource['resourceType'];
  const base = typeof resourceType === 'string' ? walk.context.typeDefinition(resourceType) : undefined;
  if (!base || base.kind !== 'resource') {
    walk.issues.error('structure', expression, typeof resourceType === 'string'
      ? `Unknown resource type '${resourceType}'`
      : 'The resource has no resourceType property');
    return;
  }
  const here: Walk = { ...walk, resourceExpression: expression, bundle: resourceType === 'Bundle' ? indexBundle(resource) : walk.bundle };
  validateAgainstRoot(here, base, resource, expression);
  if (resourceType === 'Bundle') checkBundleEntries(resource, expression, here.issues);
  const meta = isObject(resource['meta']) ? resource['meta'] : {};
  const claimed = Array.isArray(meta['profile']) ? meta['profile'].filter((p): p is string => typeof p === 'string') : [];
  claimed.forEach((url, i) => validateAgainstProfile(here, url, resource, expression, `${expression}.meta.profile[${i}]`, 'warning'));
  for (const url of profiles) validateAgainstProfile(here, url, resource, expression, expression, 'error');
}

function validateAgainstProfile(walk: Walk, url: string, resource: Record<string, unknown>, expression: string, claimAt: string, unknownSeverity: 'warning' | 'error'): void {
  const sd = walk.context.structureDefinition(url);
  if (!sd) {
    walk.issues.add(unknownSeverity, 'not-found', claimAt, `Profile reference '${url}' has not been checked because it is unknown`);
    return;
  }
  if (sd.url === `http://hl7.org/fhir/StructureDefinition/${String(resource['resourceType'])}`) return;
  if (sd.type !== resource['resourceType']) {
    walk.issues.error('structure', claimAt, `The profile ${url} is for ${sd.type}, not ${String(resource['resourceType'])}`);
    return;
  }
  validateAgainstRoot(walk, sd, resource, expression);
}

/** Validates a value against the root element of a StructureDefinition (resource, type or extension). */
export function validateAgainstRoot(walk: Walk, sd: fhir4.StructureDefinition, value: Record<string, unknown>, expression: string): void {
  const root = elementTree(sd).root;
  if (sd.kind === 'resource' && value['resourceType'] !== sd.type) {
    walk.issues.error('structure', expression, `Expected a ${sd.type} resource, found resourceType '${String(value['resourceType'])}'`);
    return;
  }
  walkChildren({ ...walk, hostPath: root.def.path }, root.children, value, expression, sd.kind === 'resource');
  checkFixedOrPattern(root.def, value, expression, walk);
  checkConstraints(root.def, value, expression, walk.scope, walk.issues, walk.contained ? NOT_FOR_CONTAINED : undefined);
}

function walkChildren(walk: Walk, children: ElementNode[], obj: Record<string, unknown>, expression: string, atResourceRoot: boolean): void {
  const groups = new Map<ElementNode, { name: string; keys: string[]; typeCode: string; choice: boolean }>();
  for (const key of Object.keys(obj)) {
    if ((atResourceRoot && key === 'resourceType') || key === 'fhir_comments') continue;
    const match = matchChild(children, key, walk.context);
    if (!match) {
      walk.issues.error('structure', expression, `Unrecognized property '${key}'`);
      continue;
    }
    if ('problem' in match) {
      walk.issues.error('structure', `${expression}.${key}`, match.problem);
      continue;
    }
    const group = groups.get(match.node);
    if (!group) groups.set(match.node, { name: match.name, keys: [key], typeCode: match.typeCode, choice: match.choice });
    else if (match.choice && !group.keys.some((k) => k.replace(/^_/, '') === key.replace(/^_/, ''))) {
      walk.issues.error('structure', `${expression}.${match.name}`, `Only one type of ${match.node.def.path} may be present, found ${[...group.keys, key].join(' and ')}`);
    } else group.keys.push(key);
  }
  for (const child of children) {
    const group = groups.get(child);
    const items = group ? collectItems(walk, child, obj, group, expression) : [];
    checkCardinality(walk, child, items.length, expression);
    if (child.slices.length > 0 && child.def.slicing) validateSliced(walk, child, items, expression);
    else for (const item of items) validateItem(walk, child, item, false);
  }
}

function collectItems(walk: Walk, node: ElementNode, obj: Record<string, unknown>, group: { name: string; keys: string[]; typeCode: string; choice: boolean }, expression: string): Item[] {
  const key = group.keys.map((k) => k.replace(/^_/, ''))[0] ?? group.name;
  const isArray = isArrayElement(node.def);
  const primitive = isPrimitiveType(group.typeCode);
  const values = asList(walk, obj[key], isArray, `${expression}.${key}`);
  const exts = primitive ? asList(walk, obj[`_${key}`], isArray, `${expression}._${key}`) : [];
  if (!primitive && obj[`_${key}`] !== undefined) walk.issues.error('structure', `${expression}._${key}`, `'_${key}' is only allowed for primitive elements`);
  const items: Item[] = [];
  const count = Math.max(values.length, exts.length);
  const path = group.choice ? `${expression}.${group.name}.ofType(${group.typeCode})` : `${expression}.${key}`;
  for (let i = 0; i < count; i++) {
    const value = values[i] ?? undefined;
    const ext = exts[i] ?? undefined;
    const at = isArray ? `${path}[${i}]` : path;
    if (value === undefined && ext === undefined) {
      walk.issues.error('structure', at, 'Null values are not allowed here (only to align a primitive array with its _ array)');
      continue;
    }
    items.push({ value, ext, typeCode: group.typeCode, expression: at, key });
  }
  return items;
}

function asList(walk: Walk, raw: unknown, isArray: boolean, expression: string): unknown[] {
  if (raw === undefined) return [];
  if (Array.isArray(raw)) {
    if (!isArray) walk.issues.error('structure', expression, 'This property must be a single value, not an array');
    if (raw.length === 0) walk.issues.error('structure', expression, 'Arrays cannot be empty');
    return raw.map((v) => (v === null ? undefined : v));
  }
  if (isArray) walk.issues.error('structure', expression, 'This property must be an array, not a single value');
  return raw === null ? [undefined] : [raw];
}

function checkCardinality(walk: Walk, node: ElementNode, count: number, expression: string): void {
  const min = node.def.min ?? 0;
  const max = node.def.max ?? '*';
  const from = node.sd.url ? ` (from ${node.sd.url})` : '';
  const name = node.def.id ?? node.def.path;
  if (count < min) walk.issues.error('required', expression, `${name}: minimum required = ${min}, but only found ${count}${from}`);
  if (max !== '*' && count > Number(max)) walk.issues.error('structure', expression, `${name}: max allowed = ${max}, but found ${count}${from}`);
}

function validateSliced(walk: Walk, base: ElementNode, items: Item[], expression: string): void {
  const slicing = base.def.slicing as fhir4.ElementDefinitionSlicing;
  const assigned = assignSlices(walk.context, base, items, (sd, item) => conformsTo(walk, sd, item));
  items.forEach((item, i) => {
    const slice = assigned[i];
    validateItem(walk, base, item, hasProfile(slice));
    if (slice) validateItem(walk, slice, item, hasProfile(slice));
  });
  for (const slice of base.slices) {
    checkCardinality(walk, slice, assigned.filter((s) => s === slice).length, expression);
  }
  checkSlicingRules(walk, base, slicing, items, assigned);
}

function checkSlicingRules(walk: Walk, base: ElementNode, slicing: fhir4.ElementDefinitionSlicing, items: Item[], assigned: (ElementNode | undefined)[]): void {
  let lastMatched = -1;
  let lastSliceIndex = -1;
  items.forEach((item, i) => {
    const slice = assigned[i];
    if (!slice) {
      if (slicing.rules === 'closed') walk.issues.error('structure', item.expression, `This element does not match any slice of ${base.def.path} in ${base.sd.url}, and the slicing is closed`);
      return;
    }
    if (slicing.rules === 'openAtEnd' && assigned.slice(0, i).some((s) => s === undefined)) {
      walk.issues.error('structure', item.expression, `Slicing of ${base.def.path} is openAtEnd: elements that match no slice must come last`);
    }
    const sliceIndex = base.slices.indexOf(slice);
    if (slicing.ordered && sliceIndex < lastSliceIndex) {
      walk.issues.error('structure', item.expression, `The slices of ${base.def.path} are ordered: '${slice.def.sliceName}' comes too late`);
    }
    lastSliceIndex = Math.max(lastSliceIndex, sliceIndex);
    lastMatched = i;
  });
  return void lastMatched;
}

function hasProfile(node: ElementNode | undefined): boolean {
  return (node?.def.type ?? []).some((t) => (t.profile ?? []).length > 0);
}

/** Trial validation for `profile` discriminators: does the item have no error against the profile? */
function conformsTo(walk: Walk, sd: fhir4.StructureDefinition, item: Item): boolean {
  if (!isObject(item.value)) return false;
  const trial: Walk = { ...walk, issues: new IssueCollector() };
  validateAgainstRoot(trial, sd, item.value, item.expression);
  return !trial.issues.hasErrors();
}

function validateItem(walk: Walk, node: ElementNode, item: Item, profiled: boolean): void {
  const { typeCode } = item;
  if (isResourceTypeCode(walk, typeCode)) validateNestedResource(walk, node, item);
  else if (isPrimitiveType(typeCode)) validatePrimitive(walk, node, item);
  else validateComplex(walk, node, item, profiled);
}

function isResourceTypeCode(walk: Walk, typeCode: string): boolean {
  if (typeCode === 'Resource' || typeCode === 'DomainResource') return true;
  return /^[A-Z]/.test(typeCode) && walk.context.typeDefinition(typeCode)?.kind === 'resource';
}

function validateNestedResource(walk: Walk, node: ElementNode, item: Item): void {
  const value = item.value;
  const contained = node.def.path.endsWith('.contained');
  const rootResource = contained ? walk.scope.rootResource : value;
  const inner: Walk = { ...walk, contained, scope: { resource: value, rootResource } };
  const profiles = (node.def.type ?? []).flatMap((t) => t.profile ?? []);
  validateResourceValue(inner, value, item.expression, profiles);
  checkConstraints(node.def, value, item.expression, walk.scope, walk.issues);
}

function validatePrimitive(walk: Walk, node: ElementNode, item: Item): void {
  const { value, ext, typeCode, expression } = item;
  if (value !== undefined) {
    const problem = checkPrimitive(typeCode, value);
    if (problem) walk.issues.error(problem.startsWith('Expected') ? 'structure' : 'value', expression, problem);
    else if (node.def.base?.path === 'Resource.id' && typeof value === 'string' && !RESOURCE_ID.test(value)) {
      walk.issues.error('value', expression, `The id '${value}' is not a valid id (1-64 characters A-Z, a-z, 0-9, - and .)`);
    }
    if (typeof value === 'string' && node.def.maxLength && value.length > node.def.maxLength) {
      walk.issues.error('value', expression, `The value is ${value.length} characters long; the maximum is ${node.def.maxLength}`);
    }
    if (typeCode === 'xhtml' && typeof value === 'string') checkNarrativeDiv(value, expression, walk.issues);
  }
  if (ext !== undefined) validatePrimitiveExtensions(walk, node, typeCode, ext, expression);
  const extensions = isObject(ext) && Array.isArray(ext['extension']) ? ext['extension'].length : 0;
  if (value === undefined && extensions === 0) {
    walk.issues.error('invariant', expression, "Constraint failed: ele-1: 'All FHIR elements must have a @value or children' (the primitive has neither a value nor extensions)");
  }
  if (value === undefined) return;
  checkFixedOrPattern(node.def, value, expression, walk);
  checkBinding(walk.context, node.def.binding, typeCode, value, expression, walk.issues);
  if ((node.def.constraint?.length ?? 0) > 1) checkConstraints(node.def, value, expression, walk.scope, walk.issues);
}

function validatePrimitiveExtensions(walk: Walk, node: ElementNode, typeCode: string, ext: unknown, expression: string): void {
  if (!isObject(ext)) {
    walk.issues.error('structure', expression, `The '_' companion of a primitive must be an object, found ${describe(ext)}`);
    return;
  }
  const sd = walk.context.typeDefinition(typeCode);
  const children = sd ? elementTree(sd).root.children.filter((c) => c.name !== 'value') : [];
  walkChildren({ ...walk, hostPath: node.def.path }, children, ext, expression, false);
}

function validateComplex(walk: Walk, node: ElementNode, item: Item, profiled: boolean): void {
  const { value, typeCode, expression } = item;
  if (!isObject(value)) {
    walk.issues.error('structure', expression, `Expected an object for type ${typeCode}, found ${describe(value)}`);
    return;
  }
  if (!Object.keys(value).some((k) => k !== 'id' && k !== 'fhir_comments')) {
    walk.issues.error('invariant', expression, "Constraint failed: ele-1: 'All FHIR elements must have a @value or children' (the object is empty)");
  }
  walkChildren({ ...walk, hostPath: node.def.path }, childrenOf(node, typeCode, walk.context), value, expression, false);
  checkFixedOrPattern(node.def, value, expression, walk);
  checkBinding(walk.context, node.def.binding, typeCode, value, expression, walk.issues);
  checkConstraints(node.def, value, expression, walk.scope, walk.issues);
  checkTypeRules(walk, node, item, value, profiled);
}

/** What the type itself requires: its own invariants, its type profiles, and the rules of Coding, Reference and Extension. */
function checkTypeRules(walk: Walk, node: ElementNode, item: Item, value: Record<string, unknown>, profiled: boolean): void {
  const { typeCode, expression } = item;
  const typeSd = walk.context.typeDefinition(typeCode);
  // The R4 snapshots do not copy a datatype's own invariants (per-1, ref-1, qty-3…) onto the elements using it.
  if (typeSd) checkConstraints(elementTree(typeSd).root.def, value, expression, walk.scope, walk.issues);
  const type = (node.def.type ?? []).find((t) => typeCodeOf(t) === typeCode);
  for (const url of type?.profile ?? []) {
    const profile = walk.context.structureDefinition(url);
    if (!profile) walk.issues.warning('not-found', expression, `The profile ${url} of ${node.def.path} is not loaded; not checked`);
    else if (profile !== typeSd) validateAgainstRoot(walk, profile, value, expression);
  }
  switch (typeCode) {
    case 'Coding':
      checkCoding(walk.context, value, expression, walk.issues);
      return;
    case 'Reference':
      checkReference(walk.context, node.def, value, expression, walk.bundle, walk.issues);
      return;
    case 'Extension':
      checkExt1(value, expression, walk.issues);
      if (!profiled && !(type?.profile ?? []).length) validateGenericExtension(walk, node, value, expression);
      return;
    default:
      return;
  }
}

/** An extension no slice accounts for: validate it against its definition when that is loaded. */
function validateGenericExtension(walk: Walk, node: ElementNode, value: Record<string, unknown>, expression: string): void {
  const url = value['url'];
  if (typeof url !== 'string' || !/^[a-z][a-z0-9+.-]*:/i.test(url)) return;
  const sd = resolveExtension(walk.context, url);
  if (sd) {
    validateAgainstRoot(walk, sd, value, expression);
    const defHost = node.def.path.slice(0, node.def.path.lastIndexOf('.'));
    const hostType = defHost.includes('.') ? hostTypeOf(walk, defHost) : defHost;
    const hostPath = instancePath(walk, expression.slice(0, expression.lastIndexOf('.')));
    checkExtensionContext(walk.context, sd, { paths: [hostPath, walk.hostPath], typeCode: hostType, extensionUrl: undefined }, expression, walk.issues);
    return;
  }
  const modifier = node.name === 'modifierExtension';
  const policy = modifier ? 'error' : walk.unknownExtensions;
  if (policy === 'ignore') return;
  walk.issues.add(policy, modifier ? 'structure' : 'not-found', expression, `Unknown extension ${url}${modifier ? ' (a modifier extension must be understood)' : ''}`);
}

/** `Patient.name[0].given[1]` → `Patient.name.given`, relative to the resource being validated. */
function instancePath(walk: Walk, expression: string): string {
  const relative = expression.startsWith(walk.resourceExpression) ? expression.slice(walk.resourceExpression.length) : expression;
  const resourceType = isObject(walk.scope.resource) ? String(walk.scope.resource['resourceType']) : '';
  return (resourceType + relative).replace(/\[\d+\]/g, '').replace(/\.ofType\(([A-Za-z]+)\)/g, (_m, t: string) => t);
}

function hostTypeOf(walk: Walk, path: string): string {
  const resourceType = path.split('.')[0] ?? '';
  const sd = walk.context.typeDefinition(resourceType);
  const def = sd ? elementTree(sd).byPath.get(path)?.def : undefined;
  const type = def?.type?.[0];
  return type ? typeCodeOf(type) : 'Element';
}

function checkFixedOrPattern(def: fhir4.ElementDefinition, value: unknown, expression: string, walk: Walk): void {
  const expected = fixedOrPattern(def);
  if (!expected) return;
  if (expected.kind === 'fixed' && !deepEqual(expected.value, value)) {
    walk.issues.error('value', expression, `Value is ${JSON.stringify(value)} but must be ${JSON.stringify(expected.value)} (fixed value of ${def.path})`);
  }
  if (expected.kind === 'pattern' && !matchesPattern(expected.value, value)) {
    walk.issues.error('value', expression, `Value ${JSON.stringify(value)} does not match the pattern ${JSON.stringify(expected.value)} required by ${def.path}`);
  }
}
