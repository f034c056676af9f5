/** Where a constrained element starts from when it is not simply its base element. */
import { choiceKey, setChoice } from './element-base.ts';
import { assignIds } from './ids.ts';
import { snapshotError } from './errors.ts';
import { tail } from './paths.ts';
import type { ED, WalkParams } from './types.ts';

/** A re-slice (`extension:a/b`) starts from the slice it refines, as already generated. */
export function templateFromReslice(diff0: ED, params: WalkParams, currentBase: ED): ED | undefined {
  const id = diff0.id ?? '';
  const lid = tail(id);
  // a reslice the base already has starts from the base's own element
  if (!lid.includes('/') || currentBase.sliceName === diff0.sliceName) return undefined;
  assignIds(params.result);
  const baseId = id.slice(0, id.length - lid.length) + lid.slice(0, lid.indexOf('/'));
  const found = params.result.find((e) => e.id === baseId);
  return found ? structuredClone(found) : undefined;
}

/** A slice typed with a profile (an extension) starts from that profile's root element. */
export function templateFromTypeProfile(diff0: ED, currentBase: ED, params: WalkParams): ED | undefined {
  const type = diff0.type?.length === 1 ? diff0.type[0] : undefined;
  const profileUrl = type?.profile?.[0];
  if (!type || !profileUrl || type.code === 'Reference') return undefined;
  const profile = params.ctx.fetchWithSnapshot(profileUrl);
  if (!profile) return undefined;
  const elements = profile.snapshot?.element ?? [];
  const elementId = type._profile?.[0]?.extension?.find((e) => e.url === 'http://hl7.org/fhir/StructureDefinition/elementdefinition-profile-element')?.valueString;
  const src = elementId === undefined ? elements[0] : elements.find((e) => e.id === elementId);
  if (!src) throw snapshotError(`cannot find ${elementId ?? 'the root element'} in ${profileUrl}`, params.derived.url, diff0.id);
  const template = structuredClone(src);
  template.path = currentBase.path;
  delete template.sliceName;
  if (type.code !== 'Extension') {
    template.min = currentBase.min ?? 0;
    template.max = currentBase.max ?? '*';
  }
  return template;
}

/** What the template leaves unsaid is taken from the base element it is used on. */
export function fillOutFromBase(profile: ED, usage: ED): ED {
  const res = structuredClone(profile);
  if (res.sliceName === undefined && usage.sliceName !== undefined) res.sliceName = usage.sliceName;
  if (res.label === undefined && usage.label !== undefined) res.label = usage.label;
  for (const c of usage.code ?? []) if (!res.code?.some((x) => x.system === c.system && x.code === c.code)) (res.code ??= []).push(c);
  for (const key of ['definition', 'short', 'comment', 'requirements'] as const) {
    if (res[key] === undefined && usage[key] !== undefined) res[key] = usage[key];
  }
  for (const a of usage.alias ?? []) if (!res.alias?.includes(a)) (res.alias ??= []).push(a);
  if (res.min === undefined && usage.min !== undefined) res.min = usage.min;
  if (res.max === undefined && usage.max !== undefined) res.max = usage.max;
  for (const prefix of ['fixed', 'pattern', 'minValue', 'maxValue']) {
    const key = choiceKey(usage, prefix);
    if (key !== undefined && choiceKey(res, prefix) === undefined) setChoice(res, prefix, key, (usage as unknown as Record<string, unknown>)[key]);
  }
  if (res.example === undefined && usage.example !== undefined) res.example = structuredClone(usage.example);
  if (res.maxLength === undefined && usage.maxLength !== undefined) res.maxLength = usage.maxLength;
  if (res.mustSupport === undefined && usage.mustSupport !== undefined) res.mustSupport = usage.mustSupport;
  if (res.binding === undefined && usage.binding !== undefined) res.binding = structuredClone(usage.binding);
  for (const c of usage.constraint ?? []) if (!res.constraint?.some((x) => x.key === c.key)) (res.constraint ??= []).push(structuredClone(c));
  for (const e of usage.extension ?? []) if (!res.extension?.some((x) => x.url === e.url)) (res.extension ??= []).push(structuredClone(e));
  return res;
}
