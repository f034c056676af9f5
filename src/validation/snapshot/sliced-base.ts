/** A differential that constrains an element the base already slices (profiles on profiles). */
import { copyFromBase, profileForType, walkDatatype } from './descend.ts';
import { removeStatusExtensions, updateFromSlicing } from './element-base.ts';
import { snapshotError } from './errors.ts';
import { updateFromDefinition } from './merge.ts';
import { baseWalksInto, findEndOfElement, getSiblings, hasInnerDiffMatches, pathStartsWith } from './paths.ts';
import type { Cursors, ED, WalkParams } from './types.ts';

export function processSlicedBaseChanged(currentBase: ED, currentBasePath: string, diffMatches: ED[], params: WalkParams, cursors: Cursors): void {
  const { diff } = params;
  const first = diffMatches[0] as ED;
  const closed = currentBase.slicing?.rules === 'closed';
  let diffpos = 0;
  let outcome = copyFromBase(params, currentBase);
  if (first.slicing || first.sliceName === undefined) {
    if (outcome.slicing) updateFromSlicing(outcome.slicing, first.slicing);
    updateFromDefinition(outcome, first, params);
    removeStatusExtensions(outcome);
  }
  params.result.push(outcome);
  if (first.sliceName === undefined) diffpos++;
  if (hasInnerDiffMatches(diff, currentBasePath, cursors.diffCursor, params.diffLimit, false)) {
    walkIntoSlicedRoot(currentBase, currentBasePath, first, outcome, params, cursors);
  } else if (currentBase.type?.[0]?.code === 'BackboneElement') {
    // the children of the backbone element come before its slices
    const newBaseLimit = findEndOfElement(cursors.base, cursors.baseCursor);
    for (let i = cursors.baseCursor + 1; i <= newBaseLimit; i++) params.result.push(copyFromBase(params, cursors.base[i] as ED));
  }
  const baseMatches = getSiblings(cursors.base, currentBase);
  for (const baseItem of baseMatches) {
    cursors.baseCursor = cursors.base.indexOf(baseItem);
    const next = diffMatches[diffpos];
    if (next?.sliceName !== undefined && next.sliceName === baseItem.sliceName) {
      const newBaseLimit = findEndOfElement(cursors.base, cursors.baseCursor);
      const newDiffCursor = diff.indexOf(next);
      const newDiffLimit = findEndOfElement(diff, newDiffCursor);
      params.walk(
        { ...params, baseLimit: newBaseLimit, diffLimit: newDiffLimit, slicing: { done: true } },
        { ...cursors, diffCursor: newDiffCursor },
      );
      cursors.baseCursor = newBaseLimit;
      cursors.diffCursor = newDiffLimit + 1;
      diffpos++;
    } else {
      outcome = copyFromBase(params, baseItem);
      delete outcome.slicing;
      params.result.push(outcome);
      cursors.baseCursor++;
      while (cursors.baseCursor < cursors.base.length && cursors.base[cursors.baseCursor]?.path.startsWith(currentBase.path) && cursors.base[cursors.baseCursor]?.path !== currentBase.path) {
        params.result.push(copyFromBase(params, cursors.base[cursors.baseCursor] as ED));
        cursors.baseCursor++;
      }
      cursors.baseCursor--;
    }
  }
  if (closed && diffpos < diffMatches.length && !currentBase.path.endsWith('[x]')) {
    throw snapshotError('the base closes this slicing, but the differential adds slices', params.derived.url, currentBasePath);
  }
  for (; diffpos < diffMatches.length; diffpos++) addNewSlice(currentBase, diffMatches, diffpos, params, cursors);
  cursors.baseCursor++;
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
  const first = diffMatches[0] as ED;
  const outcome = copyFromBase(params, currentBase);
  delete outcome.slicing;
  outcome.min = 0;
  if (cursors.resultPathBase !== undefined && !outcome.path.startsWith(cursors.resultPathBase)) throw snapshotError('adding a wrong path', params.derived.url, outcome.path);
  params.result.push(outcome);
  updateFromDefinition(outcome, diffItem, params);
  removeStatusExtensions(outcome);
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
