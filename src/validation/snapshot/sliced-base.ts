/** A differential that constrains an element the base already slices (profiles on profiles). */
import { copyFromBase, profileForType, walkDatatype } from './descend.ts';
import { removeStatusExtensions, updateFromSlicing } from './element-base.ts';
import { snapshotError } from './errors.ts';
import { updateFromDefinition } from './merge.ts';
import { baseWalksInto, findEndOfElement, getSiblings, hasInnerDiffMatches, pathStartsWith } from './paths.ts';
import { endOfSliceGroup, parentSliceName, resliceBase, walkReslice } from './reslice.ts';
import type { Cursors, ED, WalkParams } from './types.ts';

/**
 * `currentBase` is the sliced element, or (reslicing) a slice of it that is itself sliced: then
 * its siblings here are its reslices only, and the differential entry naming the slice is the one
 * about the slicer.
 */
export function processSlicedBaseChanged(currentBase: ED, currentBasePath: string, allDiffMatches: ED[], params: WalkParams, cursors: Cursors): void {
  const { diff } = params;
  const baseMatches = getSiblings(cursors.base, currentBase).filter((e) => parentSliceName(e.sliceName) === currentBase.sliceName);
  const diffMatches = ownDiffMatches(allDiffMatches, currentBase.sliceName, baseMatches);
  const first = diffMatches[0] as ED;
  const aboutSlicer = first.sliceName === currentBase.sliceName;
  const closed = currentBase.slicing?.rules === 'closed';
  let diffpos = 0;
  const outcome = copyFromBase(params, currentBase);
  if (aboutSlicer) {
    if (outcome.slicing) updateFromSlicing(outcome.slicing, first.slicing);
    updateFromDefinition(outcome, first, params);
    removeStatusExtensions(outcome);
  }
  params.result.push(outcome);
  if (aboutSlicer) diffpos++;
  if (hasInnerDiffMatches(diff, currentBasePath, cursors.diffCursor, params.diffLimit, false)) {
    walkIntoSlicedRoot(currentBase, currentBasePath, first, outcome, params, cursors);
  } else if (currentBase.type?.[0]?.code === 'BackboneElement' || currentBase.sliceName !== undefined) {
    // the children of the backbone element (or of the resliced slice) come before its slices
    const newBaseLimit = findEndOfElement(cursors.base, cursors.baseCursor);
    for (let i = cursors.baseCursor + 1; i <= newBaseLimit; i++) params.result.push(copyFromBase(params, cursors.base[i] as ED));
  }
  for (const baseItem of baseMatches) {
    cursors.baseCursor = cursors.base.indexOf(baseItem);
    const next = diffMatches[diffpos];
    if (next?.sliceName !== undefined && next.sliceName === baseItem.sliceName) {
      walkBaseSlice(next, params, cursors);
      diffpos++;
    } else {
      copyBaseSlice(params, cursors);
    }
  }
  if (closed && diffpos < diffMatches.length && !currentBase.path.endsWith('[x]')) {
    throw snapshotError('the base closes this slicing, but the differential adds slices', params.derived.url, currentBasePath);
  }
  for (; diffpos < diffMatches.length; diffpos++) addNewSlice(currentBase, diffMatches, diffpos, params, cursors);
  cursors.baseCursor++;
}

/** A slice of the base the differential constrains: walked with its children and reslices. */
function walkBaseSlice(next: ED, params: WalkParams, cursors: Cursors): void {
  const newBaseLimit = endOfSliceGroup(cursors.base, cursors.baseCursor);
  const newDiffCursor = params.diff.indexOf(next);
  const newDiffLimit = endOfSliceGroup(params.diff, newDiffCursor);
  params.walk(
    { ...params, baseLimit: newBaseLimit, diffLimit: newDiffLimit, slicing: { done: true } },
    { ...cursors, diffCursor: newDiffCursor },
  );
  cursors.baseCursor = newBaseLimit;
  cursors.diffCursor = newDiffLimit + 1;
}

/** A slice of the base the differential leaves alone: copied with its children and reslices. */
function copyBaseSlice(params: WalkParams, cursors: Cursors): void {
  const outcome = copyFromBase(params, cursors.base[cursors.baseCursor] as ED);
  const groupEnd = endOfSliceGroup(cursors.base, cursors.baseCursor);
  // a slice keeps its slicing only when it is resliced (its reslices follow it)
  if (groupEnd === findEndOfElement(cursors.base, cursors.baseCursor)) delete outcome.slicing;
  params.result.push(outcome);
  for (cursors.baseCursor++; cursors.baseCursor <= groupEnd; cursors.baseCursor++) params.result.push(copyFromBase(params, cursors.base[cursors.baseCursor] as ED));
  cursors.baseCursor--;
}

function walkIntoSlicedRoot(currentBase: ED, currentBasePath: string, first: ED, outcome: ED, params: WalkParams, cursors: Cursors): void {
  const { diff } = params;
  const newBaseLimit = findEndOfElement(cursors.base, cursors.baseCursor);
  const ndx = diff.indexOf(first);
  const newDiffCursor = ndx + (first.slicing ? 1 : 0);
  const newDiffLimit = findEndOfElement(diff, ndx);
  if (newBaseLimit === cursors.baseCursor) {
    const types = cursors.base[cursors.baseCursor]?.type ?? [];
    if (types.length !== 1 || !types[0]) throw snapshotError('the differential walks into a sliced element without a single type', params.derived.url, currentBasePath);
    const dt = profileForType(params, types[0]);
    while (cursors.diffCursor < diff.length && pathStartsWith(diff[cursors.diffCursor]?.path ?? '', `${currentBasePath}.`)) cursors.diffCursor++;
    walkDatatype(params, cursors, dt, newDiffCursor, newDiffLimit, currentBasePath, outcome.path);
    return;
  }
  params.walk(
    { ...params, baseLimit: newBaseLimit, diffLimit: newDiffLimit, redirector: [], slicing: { done: false } },
    { ...cursors, baseCursor: cursors.baseCursor + 1, diffCursor: newDiffCursor },
  );
}

/** A slice the base does not have: it starts from the sliced element, optional unless stated. */
function addNewSlice(currentBase: ED, diffMatches: ED[], diffpos: number, params: WalkParams, cursors: Cursors): void {
  const { diff } = params;
  const diffItem = diffMatches[diffpos] as ED;
  const reslice = resliceBase(diffItem, params);
  if (reslice) {
    const diffCursor = diff.indexOf(diffItem);
    walkReslice(reslice, diffCursor, findEndOfElement(diff, diffCursor), params, cursors);
    cursors.diffCursor = findEndOfElement(diff, diffCursor) + 1;
    return;
  }
  const first = diffMatches[0] as ED;
  const outcome = copyFromBase(params, currentBase);
  delete outcome.slicing;
  outcome.min = 0;
  if (cursors.resultPathBase !== undefined && !outcome.path.startsWith(cursors.resultPathBase)) throw snapshotError('adding a wrong path', params.derived.url, outcome.path);
  params.result.push(outcome);
  updateFromDefinition(outcome, diffItem, params);
  removeStatusExtensions(outcome);
  if (diffItem.slicing) outcome.slicing = structuredClone(diffItem.slicing); // a new slice that is resliced
  cursors.diffCursor = diff.indexOf(diffItem) + 1;
  const types = outcome.type ?? [];
  const firstType = types[0];
  if (!firstType || diff.length <= cursors.diffCursor || !outcome.path.includes('.')) return;
  if (baseWalksInto(cursors.base, cursors.baseCursor)) return;
  if (!pathStartsWith(diff[cursors.diffCursor]?.path ?? '', `${first.path}.`)) return;
  if (types.length > 1 && types.some((t) => t.code !== 'Reference')) throw snapshotError('the slice has children and several types', params.derived.url, diffItem.id);
  const start = cursors.diffCursor;
  while (cursors.diffCursor < diff.length && pathStartsWith(diff[cursors.diffCursor]?.path ?? '', `${first.path}.`)) cursors.diffCursor++;
  if (firstType.code === 'BackboneElement') {
    const baseStart = cursors.base.indexOf(currentBase) + 1;
    let baseMax = baseStart + 1;
    while (baseMax < cursors.base.length && cursors.base[baseMax]?.path.startsWith(`${currentBase.path}.`)) baseMax++;
    const root = cursors.base[0]?.path;
    params.walk(
      { ...params, baseLimit: baseMax - 1, diffLimit: cursors.diffCursor - 1, contextPathSource: root, contextPathTarget: root, slicing: { done: false } },
      { ...cursors, baseCursor: baseStart, diffCursor: start - 1 },
    );
    return;
  }
  const dt = profileForType(params, firstType);
  walkDatatype(params, cursors, dt, start - 1, cursors.diffCursor - 1, first.path, outcome.path);
}

/**
 * The differential entries this sliced element handles: the entry about itself, its direct slices,
 * and deeper reslices of slices the base does not have (they are added after their new slice).
 * Reslices of a base slice are handled when that slice is walked.
 */
function ownDiffMatches(diffMatches: ED[], sliceName: string | undefined, baseMatches: readonly ED[]): ED[] {
  const baseNames = new Set(baseMatches.map((e) => e.sliceName));
  const prefix = sliceName === undefined ? '' : `${sliceName}/`;
  return diffMatches.filter((d) => {
    if (d.sliceName === sliceName) return true;
    if (d.sliceName === undefined || !d.sliceName.startsWith(prefix)) return false;
    let parent = parentSliceName(d.sliceName);
    while (parent !== sliceName && parent !== undefined && !baseNames.has(parent)) parent = parentSliceName(parent);
    return parent === sliceName;
  });
}
