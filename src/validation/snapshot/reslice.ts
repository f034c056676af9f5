/**
 * Reslicing (FHIR R4 profiling.html#reslicing): a slice may itself be sliced; slice `a/b` is a
 * slice of slice `a`, named with a `/`.
 */
import { snapshotError } from './errors.ts';
import { findEndOfElement } from './paths.ts';
import type { Cursors, ED, WalkParams } from './types.ts';

/** The slice name a reslice refines (`a` for `a/b`); undefined for a top-level slice. */
export function parentSliceName(sliceName: string | undefined): string | undefined {
  const slash = sliceName?.lastIndexOf('/') ?? -1;
  return slash < 0 ? undefined : sliceName?.slice(0, slash);
}

/**
 * The last index of the element at `cursor` together with its children and its reslices (with
 * theirs): the reslices of slice `a` follow its children in the element list.
 */
export function endOfSliceGroup(list: readonly ED[], cursor: number): number {
  const element = list[cursor];
  let end = findEndOfElement(list, cursor);
  if (element?.sliceName === undefined) return end;
  const prefix = `${element.sliceName}/`;
  for (let next = list[end + 1]; next && next.path === element.path && next.sliceName?.startsWith(prefix); next = list[end + 1]) {
    end = findEndOfElement(list, end + 1);
  }
  return end;
}

/** The slice a reslice refines, as generated so far (its root and children), and that slice's element. */
export interface ResliceBase {
  readonly elements: ED[];
  readonly slice: ED;
}

/**
 * Reslicing (FHIR R4 profiling.html#reslicing): slice `a/b` is a slice of slice `a`, so it starts
 * from everything `a` says — its root and the constraints on its children — not from the unsliced
 * element. Returns undefined for a plain slice.
 */
export function resliceBase(item: ED, params: WalkParams): ResliceBase | undefined {
  const name = item.sliceName;
  const parentName = parentSliceName(name);
  if (name === undefined || parentName === undefined) return undefined;
  let index = params.result.length - 1;
  while (index >= 0 && !(params.result[index]?.path === item.path && params.result[index]?.sliceName === parentName)) index--;
  const slice = params.result[index];
  if (!slice) throw snapshotError(`the reslice ${name} does not follow its slice ${parentName}`, params.derived.url, item.id);
  const elements = structuredClone(params.result.slice(index, findEndOfElement(params.result, index) + 1));
  const root = elements[0] as ED;
  // the slice is the reslice's base element: its own slicing and name are not inherited
  delete root.slicing;
  delete root.sliceName;
  return { elements, slice };
}

/** Walks a reslice's differential against the generated slice (paths there are already the profile's). */
export function walkReslice(reslice: ResliceBase, diffCursor: number, diffLimit: number, params: WalkParams, cursors: Cursors): void {
  params.walk(
    {
      ...params, baseLimit: reslice.elements.length - 1, diffLimit, contextPathSource: undefined, contextPathTarget: undefined,
      redirector: [], slicing: { done: true, element: reslice.slice },
    },
    { base: reslice.elements, baseCursor: 0, diffCursor, resultPathBase: cursors.resultPathBase },
  );
}
