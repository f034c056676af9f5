import type { ConformanceContext } from './context.ts';
import type { ElementNode } from './element-tree.ts';
import { elementTree, typeCodeOf } from './element-tree.ts';
import { expandValueSet, membership } from './terminology.ts';
import { deepEqual, fixedOrPattern, matchesPattern, navigate } from './values.ts';
import type { Item } from './walk.ts';

/** Trial validation of a value against a profile (for `profile` discriminators). */
export type Conforms = (profile: fhir4.StructureDefinition, item: Item) => boolean;

/** The slice each item belongs to (FHIR R4 §5.1.0.6 discriminators), undefined when none matches. */
export function assignSlices(
  context: ConformanceContext,
  base: ElementNode,
  items: Item[],
  conforms: Conforms,
  discriminators: fhir4.ElementDefinitionSlicingDiscriminator[] = base.def.slicing?.discriminator ?? [],
): (ElementNode | undefined)[] {
  return items.map((item) => base.slices.find((slice) => sliceMatches(context, slice, discriminators, item, conforms)));
}

function sliceMatches(
  context: ConformanceContext,
  slice: ElementNode,
  discriminators: fhir4.ElementDefinitionSlicingDiscriminator[],
  item: Item,
  conforms: Conforms,
): boolean {
  if (discriminators.length === 0) return false;
  return discriminators.every((d) => discriminatorMatches(context, slice, d, item, conforms));
}

function discriminatorMatches(
  context: ConformanceContext,
  slice: ElementNode,
  discriminator: fhir4.ElementDefinitionSlicingDiscriminator,
  item: Item,
  conforms: Conforms,
): boolean {
  const target = findElement(context, slice, discriminator.path);
  if (!target) return false;
  const values = navigate(item.value, discriminator.path);
  switch (discriminator.type) {
    case 'value':
    case 'pattern':
      return valueMatches(context, target.def, values);
    case 'exists':
      return (target.def.min ?? 0) >= 1 ? values.length > 0 : target.def.max === '0' ? values.length === 0 : true;
    case 'type': {
      const allowed = (target.def.type ?? []).map(typeCodeOf);
      if (discriminator.path === '$this') return allowed.includes(item.typeCode);
      return values.length > 0 && allowed.some((t) => values.every((v) => jsonFitsType(v, t)));
    }
    case 'profile': {
      const profiles = (target.def.type ?? []).flatMap((t) => t.profile ?? []);
      return profiles.some((url) => {
        const sd = context.structureDefinition(url);
        return sd !== undefined && values.length > 0 && values.every((v) => conforms(sd, { ...item, value: v }));
      });
    }
    default:
      throw new Error(`Unknown discriminator type ${String(discriminator.type)}`);
  }
}

function valueMatches(context: ConformanceContext, def: fhir4.ElementDefinition, values: unknown[]): boolean {
  const fixed = fixedOrPattern(def);
  if (fixed) {
    return values.some((v) => (fixed.kind === 'fixed' ? deepEqual(fixed.value, v) : matchesPattern(fixed.value, v)));
  }
  if (def.binding?.strength === 'required' && def.binding.valueSet) {
    const expansion = expandValueSet(context, def.binding.valueSet);
    return values.some((v) => codesOf(v).some(([system, code]) => membership(expansion, system, code) === 'yes'));
  }
  return false;
}

function codesOf(value: unknown): [string | undefined, string][] {
  if (typeof value === 'string') return [[undefined, value]];
  if (typeof value !== 'object' || value === null) return [];
  const v = value as Record<string, unknown>;
  if (typeof v['code'] === 'string') return [[typeof v['system'] === 'string' ? v['system'] : undefined, v['code']]];
  const codings = Array.isArray(v['coding']) ? (v['coding'] as unknown[]) : [];
  return codings.flatMap(codesOf);
}

function jsonFitsType(value: unknown, typeCode: string): boolean {
  if (typeof value !== 'object' || value === null) return /^[a-z]/.test(typeCode);
  const rt = (value as Record<string, unknown>)['resourceType'];
  return typeof rt === 'string' ? rt === typeCode || typeCode === 'Resource' : !/^[a-z]/.test(typeCode);
}

/** The element a discriminator path designates inside a slice (descending into type profiles). */
function findElement(context: ConformanceContext, slice: ElementNode, path: string): ElementNode | undefined {
  if (path === '$this') return slice;
  let node: ElementNode | undefined = slice;
  for (const segment of splitPath(path)) {
    if (!node || segment === '$this') continue;
    const ext = /^extension\('(.+)'\)$/.exec(segment);
    const name = ext ? 'extension' : segment.replace(/\.?ofType\(.*\)$/, '');
    const children = structuralChildren(context, node);
    const child: ElementNode | undefined = children.find((c) => c.name === name || c.name === `${name}[x]`);
    node = ext && child ? child.slices.find((s) => (s.def.type ?? []).some((t) => t.profile?.includes(ext[1] ?? ''))) : child;
  }
  return node;
}

function structuralChildren(context: ConformanceContext, node: ElementNode): ElementNode[] {
  if (node.children.length > 0) return node.children;
  const type = node.def.type?.[0];
  const profile = type?.profile?.[0];
  const sd = profile ? context.structureDefinition(profile) : type ? context.typeDefinition(typeCodeOf(type)) : undefined;
  return sd ? elementTree(sd).root.children : [];
}

function splitPath(path: string): string[] {
  const segments: string[] = [];
  let depth = 0;
  let current = '';
  for (const ch of path) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === '.' && depth === 0) {
      segments.push(current);
      current = '';
    } else current += ch;
  }
  segments.push(current);
  return segments;
}
