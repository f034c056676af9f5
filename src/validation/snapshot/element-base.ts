/** Operations on one element copied from a base: URL fix-ups, `base`, constraint sources, slicing. */
import { isLikelySpecReference } from './spec-links.ts';
import type { ED } from './types.ts';

const STATUS_EXTENSIONS = new Set([
  'http://hl7.org/fhir/StructureDefinition/structuredefinition-fmm',
  'http://hl7.org/fhir/StructureDefinition/structuredefinition-fmm-support',
  'http://hl7.org/fhir/StructureDefinition/structuredefinition-standards-status',
  'http://hl7.org/fhir/StructureDefinition/structuredefinition-normative-version',
  'http://hl7.org/fhir/StructureDefinition/structuredefinition-wg',
]);

/** Deep equality of JSON values, ignoring key order. */
export function same(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => same(x, b[i]));
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  const rb = b as Record<string, unknown>;
  return ka.length === kb.length && ka.every((k) => k in rb && same((a as Record<string, unknown>)[k], rb[k]));
}

/** The key of a choice-typed property such as `fixed[x]` (`fixedUri`), if present. */
export function choiceKey(ed: ED, prefix: string): string | undefined {
  for (const key of Object.keys(ed)) {
    if (key.startsWith(prefix) && key.length > prefix.length && /[A-Z]/.test(key.charAt(prefix.length))) return key;
  }
  return undefined;
}

export function setChoice(ed: ED, prefix: string, key: string, value: unknown): void {
  const old = choiceKey(ed, prefix);
  const record = ed as unknown as Record<string, unknown>;
  if (old !== undefined) delete record[old];
  record[key] = structuredClone(value);
}

/** Absolute URLs stay; relative links into the core specification are made absolute. */
export function processRelativeUrls(markdown: string, specUrl: string, webUrl?: string): string {
  let out = '';
  let i = 0;
  while (i < markdown.length) {
    if (i < markdown.length - 3 && markdown.startsWith('](', i)) {
      const close = markdown.indexOf(')', i + 2);
      const url = close < 0 ? undefined : markdown.slice(i + 2, close);
      if (url !== undefined && !isAbsoluteUrl(url) && !url.startsWith('..')) {
        out += '](';
        if (isLikelySpecReference(url)) out += specUrl.endsWith('/') ? specUrl : `${specUrl}/`;
        else if (webUrl !== undefined) out += webUrl;
        i += 2;
        continue;
      }
    }
    out += markdown.charAt(i);
    i++;
  }
  return out;
}

function isAbsoluteUrl(ref: string): boolean {
  const colon = ref.indexOf(':');
  if (colon <= 0) return false;
  const scheme = ref.slice(0, colon);
  const details = ref.slice(colon + 1);
  return /^[a-z][a-z0-9+.-]*$/.test(scheme) && details.length > 0 && !details.includes(' ');
}

/** Makes `#`-relative references absolute against `url` and links in markdown absolute. */
export function updateUrls(url: string, specUrl: string, ed: ED): ED {
  if (ed.binding?.valueSet?.startsWith('#')) ed.binding.valueSet = url + ed.binding.valueSet;
  for (const t of ed.type ?? []) {
    if (t.profile) t.profile = t.profile.map((p) => (p.startsWith('#') ? url + p : p));
    if (t.targetProfile) t.targetProfile = t.targetProfile.map((p) => (p.startsWith('#') ? url + p : p));
  }
  if (ed.definition !== undefined) ed.definition = processRelativeUrls(ed.definition, specUrl);
  if (ed.comment !== undefined) ed.comment = processRelativeUrls(ed.comment, specUrl);
  if (ed.requirements !== undefined) ed.requirements = processRelativeUrls(ed.requirements, specUrl);
  if (ed.meaningWhenMissing !== undefined) ed.meaningWhenMissing = processRelativeUrls(ed.meaningWhenMissing, specUrl);
  if (ed.binding?.description !== undefined) ed.binding.description = processRelativeUrls(ed.binding.description, specUrl);
  return ed;
}

/** `base` records where the element was first defined, with that definition's cardinality. */
export function updateFromBase(derived: ED, base: ED): void {
  const origin = base.base ?? { path: base.path, min: base.min ?? 0, max: base.max ?? '*' };
  derived.base = { ...(derived.base ?? {}), path: origin.path, min: origin.min, max: origin.max };
}

export function updateConstraintSources(ed: ED, url: string): void {
  for (const c of ed.constraint ?? []) c.source ??= url;
}

/** Extension elements do not repeat the generic documentation of Element.extension. */
export function checkExtensionDoco(ed: ED): boolean {
  const isExtension = ed.path === 'Extension' || ed.path.endsWith('.extension') || ed.path.endsWith('.modifierExtension');
  if (!isExtension || ed.base?.path === 'II.extension') return false;
  ed.definition = 'An Extension';
  ed.short = 'Extension';
  delete ed.comment;
  delete ed.requirements;
  delete ed.alias;
  delete ed.mapping;
  return true;
}

export function removeStatusExtensions(ed: ED): void {
  if (!ed.extension) return;
  ed.extension = ed.extension.filter((e) => !STATUS_EXTENSIONS.has(e.url));
  if (ed.extension.length === 0) delete ed.extension;
}

export function makeExtensionSlicing(): fhir4.ElementDefinitionSlicing {
  return { discriminator: [{ type: 'value', path: 'url' }], ordered: false, rules: 'open' };
}

export function typeSlicing(): fhir4.ElementDefinitionSlicing {
  return { discriminator: [{ type: 'type', path: '$this' }], ordered: false, rules: 'closed' };
}

/** The differential's slicing refines the base's: ordered, extra discriminators, rules. */
export function updateFromSlicing(dst: fhir4.ElementDefinitionSlicing, src: fhir4.ElementDefinitionSlicing | undefined): void {
  if (!src) return;
  if (src.ordered !== undefined) dst.ordered = src.ordered;
  for (const d of src.discriminator ?? []) {
    const list = (dst.discriminator ??= []);
    if (!list.some((x) => x.type === d.type && x.path === d.path)) list.push(structuredClone(d));
  }
  if (src.rules !== undefined) dst.rules = src.rules;
}

/** A content-referenced element takes the types of its target. */
export function replaceFromContentReference(ed: ED, target: ED): void {
  delete ed.contentReference;
  ed.type = structuredClone(target.type ?? []);
}
