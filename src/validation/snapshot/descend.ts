/** Shared steps of the walk: copying a base element into the result, and descending into a type. */
import { workingCode } from './context.ts';
import { updateFromBase, updateUrls } from './element-base.ts';
import { snapshotError } from './errors.ts';
import { fixedPathDest } from './paths.ts';
import type { Cursors, ED, SD, TypeRef, WalkParams } from './types.ts';

/** A copy of a base element, re-pathed into the profile, with `base` filled in. */
export function copyFromBase(params: WalkParams, element: ED, currentBase: ED = element): ED {
  const outcome = updateUrls(params.url, params.ctx.specUrl, structuredClone(element));
  if (outcome.contentReference?.startsWith('#')) outcome.contentReference = params.ctx.definingUrl(params.sourceSD) + outcome.contentReference;
  outcome.path = fixedPathDest(params.contextPathTarget, outcome.path, params.redirector, params.contextPathSource);
  updateFromBase(outcome, currentBase);
  return outcome;
}

export function addResult(params: WalkParams, cursors: Cursors, outcome: ED): void {
  if (cursors.resultPathBase === undefined) cursors.resultPathBase = outcome.path;
  else if (!outcome.path.startsWith(cursors.resultPathBase)) {
    throw snapshotError(`element ${outcome.path} falls outside ${cursors.resultPathBase}`, params.derived.url, outcome.path);
  }
  params.result.push(outcome);
}

/** The structure whose elements describe the inside of `type` (its profile, else the type itself). */
export function profileForType(params: WalkParams, type: TypeRef): SD {
  const profile = type.profile?.[0];
  const sd = (profile ? params.ctx.fetchWithSnapshot(profile) : undefined) ?? params.ctx.fetchTypeDefinition(workingCode(type));
  if (!sd?.snapshot) throw snapshotError(`cannot resolve the type ${workingCode(type)}${profile ? ` (profile ${profile})` : ''}`, params.derived.url);
  return sd;
}

export function isDataTypeList(params: WalkParams, types: readonly TypeRef[] | undefined): boolean {
  if (!types?.length) return false;
  return types.every((t) => params.ctx.isDataType(workingCode(t)) || params.ctx.isPrimitive(workingCode(t)));
}

/** True when no type is `Resource` (an element of a resource type may be walked into). */
export function isBaseResourceList(types: readonly TypeRef[] | undefined): boolean {
  if (!types?.length) return false;
  return !types.some((t) => workingCode(t) === 'Resource');
}

/** Walks the differential entries [diffStart, diffLimit] against the element list of datatype `dt`. */
export function walkDatatype(params: WalkParams, cursors: Cursors, dt: SD, diffStart: number, diffLimit: number, source: string, target: string, extra: Partial<WalkParams> = {}): void {
  const elements = dt.snapshot?.element ?? [];
  params.walk(
    { ...params, baseLimit: elements.length - 1, diffLimit, contextPathSource: source, contextPathTarget: target, slicing: { done: false }, ...extra },
    { base: elements, baseCursor: 1, diffCursor: diffStart, resultPathBase: cursors.resultPathBase },
  );
}

export interface ResolvedReference {
  readonly source: SD;
  readonly element: ED;
  /** The element list the target sits in. */
  readonly elements: readonly ED[];
}

/** Finds the target of a contentReference (`#Observation.referenceRange`, or absolute). */
export function resolveContentReference(params: WalkParams, elements: readonly ED[], reference: string): ResolvedReference {
  let source = params.sourceSD;
  let list = elements;
  let ref = reference;
  const hash = reference.indexOf('#');
  if (hash > 0) {
    const url = reference.slice(0, hash);
    ref = reference.slice(hash);
    if (url !== source.url) {
      const other = params.ctx.fetchWithSnapshot(url);
      if (!other?.snapshot) throw snapshotError(`cannot resolve the content reference ${reference}`, params.derived.url);
      source = other;
      list = other.snapshot.element;
    }
  }
  const element = list.find((e) => `#${e.id}` === ref);
  if (!element) throw snapshotError(`cannot resolve the content reference ${reference}`, params.derived.url);
  return { source, element, elements: list };
}

/** The index just past the target element's descendants in `list`. */
export function endOfTarget(list: readonly ED[], target: ED): number {
  let i = list.indexOf(target) + 1;
  while (i < list.length && list[i]?.path.startsWith(`${target.path}.`)) i++;
  return i;
}
