/** Applies one differential element onto the element copied from the base (the heart of a snapshot). */
import { workingCode } from './context.ts';
import { checkExtensionDoco, choiceKey, processRelativeUrls, same, setChoice } from './element-base.ts';
import type { ED, WalkParams } from './types.ts';

const INHERITED_ED_URLS = new Set([
  'http://hl7.org/fhir/tools/StructureDefinition/elementdefinition-binding-style',
  'http://hl7.org/fhir/tools/StructureDefinition/elementdefinition-extension-style',
]);
const BINDABLE = new Set(['Coding', 'CodeableConcept', 'Quantity', 'uri', 'string', 'code', 'CodeableReference']);

export function updateFromDefinition(dest: ED, source: ED, params: WalkParams): void {
  params.generated.add(source);
  const isExtension = checkExtensionDoco(dest);
  for (const ext of source.extension ?? []) {
    if (INHERITED_ED_URLS.has(ext.url) && !dest.extension?.some((e) => e.url === ext.url)) (dest.extension ??= []).push(structuredClone(ext));
  }
  applyTypeProfileDocumentation(dest, source, params);
  if (source.sliceName !== undefined) dest.sliceName = source.sliceName;
  mergeText(dest, source);
  if (!dest.path.includes('.')) delete dest.requirements; // sdf-9: no requirements on the root
  if (source.alias?.length && !same(source.alias, dest.alias)) {
    for (const a of source.alias) if (!dest.alias?.includes(a)) (dest.alias ??= []).push(a);
  }
  if (source.min !== undefined) dest.min = source.min;
  if (source.max !== undefined) dest.max = source.max;
  for (const prefix of ['fixed', 'pattern', 'minValue', 'maxValue']) {
    const key = choiceKey(source, prefix);
    if (key !== undefined) setChoice(dest, prefix, key, (source as unknown as Record<string, unknown>)[key]);
  }
  for (const ex of source.example ?? []) {
    if (!dest.example?.some((e) => same(e, ex))) (dest.example ??= []).push(structuredClone(ex));
  }
  if (source.maxLength !== undefined) dest.maxLength = source.maxLength;
  if (source.mustSupport !== undefined) dest.mustSupport = source.mustSupport;
  if (isExtension && source.isModifier !== undefined) dest.isModifier = source.isModifier;
  if (isExtension && source.isModifierReason !== undefined) dest.isModifierReason = source.isModifierReason;
  if (source.binding && (!dest.binding || !same(source.binding, dest.binding))) dest.binding = mergeBinding(dest.binding, source.binding);
  if (source.isSummary !== undefined) dest.isSummary = source.isSummary;
  if (source.type?.length && !same(source.type, dest.type)) dest.type = structuredClone(source.type);
  mergeMappings(dest, source);
  mergeConstraints(dest, source, params.sourceSD.url);
  for (const id of source.condition ?? []) if (!dest.condition?.includes(id)) (dest.condition ??= []).push(id);
  if (dest.binding && !(dest.type ?? []).some((t) => BINDABLE.has(workingCode(t)))) delete dest.binding;
  copyExtensions(dest, source, params);
}

/** A slice typed with a profile (an extension, mostly) documents itself from that profile's root. */
function applyTypeProfileDocumentation(dest: ED, source: ED, params: WalkParams): void {
  const destProfile = dest.sliceName !== undefined && dest.type?.length === 1 ? dest.type[0]?.profile?.[0] : undefined;
  const sourceProfile = source.type?.length === 1 ? source.type[0]?.profile?.[0] : undefined;
  let profile = destProfile ? params.ctx.fetchWithSnapshot(destProfile) : undefined;
  if (!profile && sourceProfile) profile = params.ctx.fetchWithSnapshot(sourceProfile);
  const root = profile?.snapshot?.element[0];
  if (!root) return;
  if (root.definition !== undefined) dest.definition = processRelativeUrls(root.definition, params.ctx.specUrl);
  if (root.short !== undefined) dest.short = root.short;
  else delete dest.short;
  if (root.comment !== undefined) dest.comment = root.comment;
  if (root.requirements !== undefined) dest.requirements = root.requirements;
  if (root.alias?.length) dest.alias = [...root.alias];
  else delete dest.alias;
  if (root.mapping?.length) dest.mapping = structuredClone(root.mapping);
  else delete dest.mapping;
}

function appendDerived(base: string | undefined, derived: string): string {
  return `${base ?? ''}\r\n${derived.slice(3)}`;
}

function mergeText(dest: ED, source: ED): void {
  if (source.short !== undefined && source.short !== dest.short) dest.short = source.short;
  for (const key of ['definition', 'comment', 'label', 'requirements'] as const) {
    const value = source[key];
    if (value === undefined) continue;
    dest[key] = value.startsWith('...') ? appendDerived(dest[key], value) : value;
  }
}

function mergeBinding(base: fhir4.ElementDefinitionBinding | undefined, derived: fhir4.ElementDefinitionBinding): fhir4.ElementDefinitionBinding {
  const merged: fhir4.ElementDefinitionBinding = structuredClone(base ?? derived);
  delete merged.extension;
  delete merged.description;
  if (derived.extension?.length) merged.extension = structuredClone(derived.extension);
  merged.strength = derived.strength;
  if (derived.description !== undefined) merged.description = derived.description;
  if (derived.valueSet !== undefined) merged.valueSet = derived.valueSet;
  return merged;
}

function mergeMappings(dest: ED, source: ED): void {
  const merged: fhir4.ElementDefinitionMapping[] = [];
  const add = (m: fhir4.ElementDefinitionMapping): void => {
    if (!merged.some((d) => d.identity === m.identity && d.map === m.map)) merged.push(m);
  };
  for (const m of dest.mapping ?? []) add(m);
  for (const m of source.mapping ?? []) add(structuredClone(m));
  for (const m of merged) m.map = m.map.trim();
  if (merged.length) dest.mapping = merged;
  else delete dest.mapping;
}

function mergeConstraints(dest: ED, source: ED, baseUrl: string): void {
  for (const c of dest.constraint ?? []) c.source ??= baseUrl;
  for (const c of source.constraint ?? []) {
    if (!dest.constraint?.some((d) => d.key === c.key)) (dest.constraint ??= []).push(structuredClone(c));
  }
}

/** Element extensions of the differential win; repeatable ones are added beside the base's. */
function copyExtensions(dest: ED, source: ED, params: WalkParams): void {
  for (const ext of source.extension ?? []) {
    const definition = params.ctx.fetchWithSnapshot(ext.url);
    const max = definition?.snapshot?.element[0]?.max;
    if (!definition || max === '1') dest.extension = (dest.extension ?? []).filter((e) => e.url !== ext.url);
    (dest.extension ??= []).push(structuredClone(ext));
  }
}
