import { checkBinding, checkCoding } from './bindings.ts';
import { checkBundleEntries } from './bundle.ts';
import { checkCardinality, checkContainedIds, checkFixedOrPattern, checkSlicingRules, hostTypeOf, instancePath } from './element-checks.ts';
import { checkedWhenAbsent, matchChild } from './children.ts';
import type { ChildMatch } from './children.ts';
import { isObject } from './context.ts';
import { childrenOf, elementTree, primitiveExtensionChildren, typeCodeOf } from './element-tree.ts';
import type { ElementNode } from './element-tree.ts';
import { checkExt1, checkExtensionContext, resolveExtension } from './extensions.ts';
import { checkConstraints } from './invariants.ts';
import { checkNarrativeDiv } from './narrative.ts';
import { IssueCollector } from './issues.ts';
import { checkPrimitive, describe, isPrimitiveType, primitiveStyleWarning } from './primitives.ts';
import { checkReference, indexBundle } from './references.ts';
import { assignSlices } from './slicing.ts';
import { checkTargetProfiles } from './target-profiles.ts';
import type { ResolvedTarget } from './target-profiles.ts';
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
  checkContainedIds(resource, expression, here);
  const meta = isObject(resource['meta']) ? resource['meta'] : {};
  const claimed = Array.isArray(meta['profile']) ? meta['profile'].filter((p): p is string => typeof p === 'string') : [];
  claimed.forEach((url, i) => validateAgainstProfile(here, url, resource, expression, `${expression}.meta.profile[${i}]`, 'warning'));
  for (const url of profiles) validateAgainstProfile(here, url, resource, expression, expression, 'error');
}

/** Validates against one profile; an unknown one is reported (warning for a meta.profile claim, error when asked for). */
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
  walkChildren(walk, root.children, value, expression, sd.kind === 'resource', root.def.path);
  checkFixedOrPattern(root.def, value, expression, walk);
  checkConstraints(root.def, value, expression, walk.scope, walk.issues, walk.contained ? NOT_FOR_CONTAINED : undefined);
}

/**
 * The JSON properties of one object that belong to one child element: the value's key and its
 * `_` companion, in the order met (at most two: two types of one choice are an error).
 */
interface Group {
  readonly match: ChildMatch;
  readonly first: string;
  second: string | undefined;
}

/** `hostPath`: the definition path of the element holding these children (extension context of use). */
function walkChildren(walk: Walk, children: ElementNode[], obj: Record<string, unknown>, expression: string, atResourceRoot: boolean, hostPath: string): void {
  if (!walk.issues.firstVisit(obj, children, expression)) return;
  const groups = groupProperties(walk, children, obj, expression, atResourceRoot);
  try {
    walkGroups(walk, children, groups, obj, expression, hostPath);
  } finally {
    releaseGroups(groups, children.length);
  }
}

function walkGroups(walk: Walk, children: ElementNode[], groups: readonly (Group | undefined)[], obj: Record<string, unknown>, expression: string, hostPath: string): void {
  const absentChecked = checkedWhenAbsent(children);
  const hostUrl = typeof obj['url'] === 'string' ? obj['url'] : undefined;
  for (let position = 0; position < children.length; position++) {
    const child = children[position] as ElementNode;
    const group = groups[position];
    if (!group) {
      const checked = absentChecked[position] === true;
      if (checked) checkCardinality(walk, child, 0, expression);
      if (walk.reportMustSupport && child.def.mustSupport && child.sd.derivation === 'constraint') {
        walk.issues.information('informational', expression, `Must-support element ${child.def.id ?? child.def.path} is absent (${child.sd.url})`);
      }
      if (checked && child.slices.length > 0 && child.def.slicing) validateSliced(walk, child, [], expression);
      continue;
    }
    const items = collectItems(walk, obj, group, expression, hostPath, hostUrl);
    checkCardinality(walk, child, items.length, expression);
    if (child.slices.length > 0 && child.def.slicing) validateSliced(walk, child, items, expression);
    else for (const item of items) validateItem(walk, child, item, false);
  }
}

/** The object's properties by the position of the child element they belong to; unknown ones are reported. */
function groupProperties(walk: Walk, children: ElementNode[], obj: Record<string, unknown>, expression: string, atResourceRoot: boolean): (Group | undefined)[] {
  const groups = takeGroups(children.length);
  for (const key in obj) {
    if ((atResourceRoot && key === 'resourceType') || key === 'fhir_comments') continue;
    const match = matchChild(children, key, walk.context);
    if (!match) {
      walk.issues.error('structure', expression, `Unrecognized property '${key}'`);
      continue;
    }
    if ('problem' in match) {
      // As the HL7 validator: an unusable property is reported on the object holding it.
      walk.issues.error('structure', expression, `Unrecognized property '${key}': ${match.problem}`);
      continue;
    }
    const group = groups[match.position];
    if (!group) groups[match.position] = { match, first: key, second: undefined };
    else if (match.valueKey !== group.match.valueKey) {
      const found = [group.first, ...(group.second === undefined ? [] : [group.second]), key];
      walk.issues.error('structure', `${expression}.${match.name}`, `Only one type of ${match.node.def.path} may be present, found ${found.join(' and ')}`);
    } else group.second = key;
  }
  return groups;
}

/**
 * Arrays for groupProperties, reused: the walker groups every object it visits, and a fresh array
 * per object (sized to the element's children, up to ~40) was a fifth of validation's allocation.
 * Validation is synchronous, so the arrays in use are those of the objects on the walk's stack.
 */
const freeGroups: (Group | undefined)[][] = [];

function takeGroups(size: number): (Group | undefined)[] {
  const groups = freeGroups.pop() ?? [];
  if (groups.length < size) groups.length = size;
  return groups;
}

function releaseGroups(groups: (Group | undefined)[], size: number): void {
  groups.fill(undefined, 0, size);
  freeGroups.push(groups);
}

/** `hostUrl`: the object's own `url` (an Extension's), the context of use of the extensions inside it. */
function collectItems(walk: Walk, obj: Record<string, unknown>, group: Group, expression: string, hostPath: string, hostUrl: string | undefined): Item[] {
  const { valueKey: key, extKey, isArray, primitive, typeCode } = group.match;
  // The group's keys are the object's properties for this element: no lookup of absent ones.
  const values = group.first === key || group.second === key ? obj[key] : undefined;
  const valueCount = countValues(walk, values, isArray, expression, key);
  const hasExt = group.first === extKey || group.second === extKey;
  const exts = primitive && hasExt ? obj[extKey] : undefined;
  const extCount = countValues(walk, exts, isArray, expression, extKey);
  if (!primitive && hasExt && obj[extKey] !== undefined) walk.issues.error('structure', `${expression}.${extKey}`, `'${extKey}' is only allowed for primitive elements`);
  const count = Math.max(valueCount, extCount);
  // Sized up front: most elements hold one value, and a pushed-to empty array reserves 16.
  const items = new Array<Item>(count);
  let kept = 0;
  const path = expression + group.match.segment;
  for (let i = 0; i < count; i++) {
    const value = valueAt(values, i);
    const ext = valueAt(exts, i);
    const at = isArray ? path + indexSuffix(i) : path;
    if (value === undefined && ext === undefined) {
      walk.issues.error('structure', at, 'Null values are not allowed here (only to align a primitive array with its _ array)');
      continue;
    }
    items[kept++] = { value, ext, typeCode, expression: at, hostPath, hostUrl, host: obj };
  }
  items.length = kept;
  return items;
}

const INDEX_SUFFIXES = Array.from({ length: 64 }, (_, i) => `[${i}]`);
const indexSuffix = (i: number): string => INDEX_SUFFIXES[i] ?? `[${i}]`;

/**
 * How many values one JSON property holds (a single value is one, not wrapped in an array),
 * reporting array / single-value misuse at `expression.key`.
 */
function countValues(walk: Walk, raw: unknown, isArray: boolean, expression: string, key: string): number {
  if (raw === undefined) return 0;
  if (Array.isArray(raw)) {
    if (!isArray) walk.issues.error('structure', `${expression}.${key}`, 'This property must be a single value, not an array');
    if (raw.length === 0) walk.issues.error('structure', `${expression}.${key}`, 'Arrays cannot be empty');
    return raw.length;
  }
  if (isArray) walk.issues.error('structure', `${expression}.${key}`, 'This property must be an array, not a single value');
  return 1;
}

/** The i-th value of a property (null read as absent). */
function valueAt(raw: unknown, i: number): unknown {
  const value = Array.isArray(raw) ? raw[i] : i === 0 ? raw : undefined;
  return value ?? undefined;
}

function validateSliced(walk: Walk, base: ElementNode, items: Item[], expression: string): void {
  const slicing = base.def.slicing as fhir4.ElementDefinitionSlicing;
  const assigned = assign(walk, base, slicing, items);
  items.forEach((item, i) => validateItem(walk, base, item, hasProfile(assigned[i])));
  validateSlices(walk, base, slicing, items, assigned, expression);
}

function assign(walk: Walk, base: ElementNode, slicing: fhir4.ElementDefinitionSlicing, items: Item[]): (ElementNode | undefined)[] {
  return assignSlices(walk.context, base, items, (sd, item) => conformsTo(walk, sd, item), slicing.discriminator ?? []);
}

/**
 * Items against the slices of `base`: each matched item is validated against its slice, each
 * slice's cardinality counted, and a resliced slice (`a/b`, FHIR R4 §5.1.0.13) handled the same
 * way over the items of its slice: its own slicing when it declares one, else the parent's
 * discriminators with open rules.
 */
function validateSlices(walk: Walk, base: ElementNode, slicing: fhir4.ElementDefinitionSlicing, items: Item[], assigned: (ElementNode | undefined)[], expression: string): void {
  for (const slice of base.slices) {
    const mine = items.filter((_, i) => assigned[i] === slice);
    checkCardinality(walk, slice, mine.length, expression);
    if (slice.slices.length === 0) {
      for (const item of mine) validateItem(walk, slice, item, hasProfile(slice));
      continue;
    }
    const reslicing: fhir4.ElementDefinitionSlicing = slice.def.slicing ?? { discriminator: slicing.discriminator ?? [], rules: 'open' };
    const resliced = assign(walk, slice, reslicing, mine);
    mine.forEach((item, i) => validateItem(walk, slice, item, hasProfile(resliced[i] ?? slice)));
    validateSlices(walk, slice, reslicing, mine, resliced, expression);
  }
  checkSlicingRules(walk, base, slicing, items, assigned);
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

/** Trial validation of a reference target (contained or a Bundle entry) against one targetProfile. */
function targetConforms(walk: Walk, sd: fhir4.StructureDefinition, target: ResolvedTarget): boolean {
  const { resource, container } = target;
  const expression = String(resource['resourceType']);
  const trial: Walk = {
    ...walk,
    issues: new IssueCollector(),
    resourceExpression: expression,
    contained: container !== undefined,
    scope: { ...walk.scope, resource, rootResource: container ?? resource },
  };
  validateAgainstRoot(trial, sd, resource, expression);
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
  const first = typeCode.charCodeAt(0);
  return first >= 65 && first <= 90 && walk.context.typeDefinition(typeCode)?.kind === 'resource';
}

function validateNestedResource(walk: Walk, node: ElementNode, item: Item): void {
  const value = item.value;
  const contained = node.def.path.endsWith('.contained');
  const rootResource = contained ? walk.scope.rootResource : value;
  const inner: Walk = { ...walk, contained, scope: { ...walk.scope, resource: value, rootResource } };
  const profiles = (node.def.type ?? []).flatMap((t) => t.profile ?? []);
  validateResourceValue(inner, value, item.expression, profiles);
  checkConstraints(node.def, value, item.expression, walk.scope, walk.issues);
}

function validatePrimitive(walk: Walk, node: ElementNode, item: Item): void {
  const { value, ext, typeCode, expression } = item;
  if (value !== undefined) {
    const problem = checkPrimitive(typeCode, value);
    const style = problem ? undefined : primitiveStyleWarning(typeCode, value);
    if (problem) walk.issues.error(problem.startsWith('Expected') ? 'structure' : 'value', expression, problem);
    else if (style) walk.issues.warning('value', expression, style);
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
  walkChildren(walk, primitiveExtensionChildren(walk.context, typeCode), ext, expression, false, node.def.path);
}

function validateComplex(walk: Walk, node: ElementNode, item: Item, profiled: boolean): void {
  const { value, typeCode, expression } = item;
  if (!isObject(value)) {
    walk.issues.error('structure', expression, `Expected an object for type ${typeCode}, found ${describe(value)}`);
    return;
  }
  if (!hasContent(value)) {
    walk.issues.error('invariant', expression, "Constraint failed: ele-1: 'All FHIR elements must have a @value or children' (the object is empty)");
  }
  const hostPath = node.def.contentReference ? node.def.contentReference.slice(node.def.contentReference.indexOf('#') + 1) : node.def.path;
  walkChildren(walk, childrenOf(node, typeCode, walk.context), value, expression, false, hostPath);
  checkFixedOrPattern(node.def, value, expression, walk);
  checkBinding(walk.context, node.def.binding, typeCode, value, expression, walk.issues);
  checkConstraints(node.def, value, expression, walk.scope, walk.issues);
  checkTypeRules(walk, node, item, value, profiled);
}

/** ele-1 on a complex value: some property other than id (and comments). */
function hasContent(value: Record<string, unknown>): boolean {
  for (const key in value) if (key !== 'id' && key !== 'fhir_comments') return true;
  return false;
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
      checkTargetProfiles(walk, node.def, value, expression, targetConforms);
      return;
    case 'Extension':
      checkExt1(value, expression, walk.issues);
      if (!profiled && !(type?.profile ?? []).length) validateGenericExtension(walk, node, value, expression, item);
      return;
    default:
      return;
  }
}

/** An extension no slice accounts for: validate it against its definition when that is loaded. */
function validateGenericExtension(walk: Walk, node: ElementNode, value: Record<string, unknown>, expression: string, item: Item): void {
  const url = value['url'];
  if (typeof url !== 'string' || !/^[a-z][a-z0-9+.-]*:/i.test(url)) return;
  const sd = resolveExtension(walk.context, url);
  if (sd) {
    validateAgainstRoot(walk, sd, value, expression);
    const defHost = node.def.path.slice(0, node.def.path.lastIndexOf('.'));
    const hostType = defHost.includes('.') ? hostTypeOf(walk, defHost) : defHost;
    const hostPath = instancePath(walk, expression.slice(0, expression.lastIndexOf('.')));
    const extensionUrl = hostType === 'Extension' ? item.hostUrl : undefined;
    const paths = [hostPath, item.hostPath, typeRelativePath(walk, item.hostPath)];
    const host = { paths, typeCode: hostType, extensionUrl, element: item.host, scope: walk.scope };
    checkExtensionContext(walk.context, sd, host, expression, walk.issues);
    return;
  }
  const modifier = node.name === 'modifierExtension';
  const policy = modifier ? 'error' : walk.unknownExtensions;
  if (policy === 'ignore') return;
  walk.issues.add(policy, modifier ? 'structure' : 'not-found', expression, `Unknown extension ${url}${modifier ? ' (a modifier extension must be understood)' : ''}`);
}

/** `Patient.name.given` → `HumanName.given`: contexts name elements of datatypes by the type's own path. */
function typeRelativePath(walk: Walk, path: string): string {
  const dot = path.lastIndexOf('.');
  if (dot < 0) return path;
  const parent = path.slice(0, dot);
  return `${parent.includes('.') ? hostTypeOf(walk, parent) : parent}.${path.slice(dot + 1)}`;
}
