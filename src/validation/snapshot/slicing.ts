/** Slicing: a differential that slices an element, and elements already sliced in the base. */
import { addResult, copyFromBase, profileForType, walkDatatype } from './descend.ts';
import { checkExtensionDoco, makeExtensionSlicing, removeStatusExtensions } from './element-base.ts';
import { processSlicedBaseChanged } from './sliced-base.ts';
import { resliceBase, walkReslice } from './reslice.ts';
import { snapshotError } from './errors.ts';
import { updateFromDefinition } from './merge.ts';
import {
  baseHasChildren, findEndOfElement, hasInnerDiffMatches, indexOfFirstNonChild, isExtensionPath, isSlicedToOneOnly,
  pathStartsWith, unbounded,
} from './paths.ts';
import { diffsConstrainTypes, processTypeSlicing } from './type-slicing.ts';
import type { Cursors, ED, SD, TypeSlice, WalkParams } from './types.ts';

/** The differential introduces slicing on an element the base does not slice. */
export function processNewSlicing(currentBase: ED, currentBasePath: string, diffMatches: ED[], params: WalkParams, cursors: Cursors): void {
  const { diff } = params;
  const first = diffMatches[0] as ED;
  // the entry about the element being sliced (the element may be a slice being resliced); a
  // slicing on a first slice of it is that slice's own reslicing
  const aboutSlicer = first.sliceName === currentBase.sliceName;
  const slicing = aboutSlicer ? first.slicing : undefined;
  if (!unbounded(currentBase) && !isSlicedToOneOnly(first)) throw snapshotError('cannot slice an element that does not repeat', params.derived.url, first.id);
  if (!slicing && !isExtensionPath(currentBase)) throw snapshotError('the differential slices the element without declaring slicing', params.derived.url, first.id);
  let start = 0;
  const newBaseLimit = findEndOfElement(cursors.base, cursors.baseCursor);
  let slicer: ED;
  const second = diffMatches[1];
  if (second && slicing && (newBaseLimit > cursors.baseCursor || diff.indexOf(second) > diff.indexOf(first) + 1)) {
    // the slicing entry constrains the element (or its children) for all slices: walk it like a plain element
    const newDiffCursor = diff.indexOf(first);
    const made = params.walk(
      { ...params, baseLimit: newBaseLimit, diffLimit: findEndOfElement(diff, newDiffCursor), slicing: { done: true } },
      { ...cursors, diffCursor: newDiffCursor },
    );
    if (!made) throw snapshotError('did not find the slicing entry', params.derived.url, first.id);
    made.slicing = structuredClone(slicing);
    slicer = made;
    start++;
  } else {
    slicer = copyFromBase(params, currentBase);
    slicer.slicing = slicing ? structuredClone(slicing) : makeExtensionSlicing();
    if (cursors.resultPathBase !== undefined && !slicer.path.startsWith(cursors.resultPathBase)) throw snapshotError('adding a wrong path', params.derived.url, slicer.path);
    params.result.push(slicer);
    if (aboutSlicer) {
      updateFromDefinition(slicer, first, params);
      removeStatusExtensions(slicer);
      if (!slicer.contentReference && !slicer.type) throw snapshotError('the sliced element has no type', params.derived.url, first.id);
      walkSlicingEntryChildren(currentBase, currentBasePath, slicer, diffMatches, params, cursors);
      start++;
    } else {
      checkExtensionDoco(slicer);
    }
  }
  let newDiffLimit = cursors.diffCursor;
  for (let i = start; i < diffMatches.length; i++) {
    const item = diffMatches[i] as ED;
    const newDiffCursor = diff.indexOf(item);
    newDiffLimit = findEndOfElement(diff, newDiffCursor);
    const reslice = resliceBase(item, params);
    if (reslice) walkReslice(reslice, newDiffCursor, newDiffLimit, params, cursors);
    else {
      params.walk(
        { ...params, baseLimit: newBaseLimit, diffLimit: newDiffLimit, slicing: { done: true, element: slicer } },
        { ...cursors, diffCursor: newDiffCursor },
      );
    }
  }
  cursors.baseCursor = newBaseLimit + 1;
  cursors.diffCursor = newDiffLimit + 1;
}

function walkSlicingEntryChildren(currentBase: ED, currentBasePath: string, slicer: ED, diffMatches: ED[], params: WalkParams, cursors: Cursors): void {
  if (!hasInnerDiffMatches(params.diff, currentBasePath, cursors.diffCursor, params.diffLimit, false)) return;
  if (baseHasChildren(cursors.base, currentBase)) throw snapshotError('constraining children on a slicing entry of an inline structure is not supported', params.derived.url, currentBasePath);
  const dt = typeForElement(slicer, diffMatches, params);
  cursors.diffCursor++;
  const start = cursors.diffCursor;
  while (cursors.diffCursor < params.diff.length && pathStartsWith(params.diff[cursors.diffCursor]?.path ?? '', `${currentBasePath}.`)) cursors.diffCursor++;
  cursors.diffCursor--;
  walkDatatype(params, cursors, dt, start, cursors.diffCursor, currentBasePath, slicer.path);
}

function typeForElement(outcome: ED, diffMatches: readonly ED[], params: WalkParams): SD {
  const types = outcome.type ?? [];
  const where = diffMatches[0]?.id;
  if (types.length === 0) throw snapshotError('the differential walks into an element with no children and no type', params.derived.url, where);
  if (types.length > 1 && types.some((t) => t.code !== 'Reference')) throw snapshotError('the differential walks into an element with several types', params.derived.url, where);
  return profileForType(params, types[0] as fhir4.ElementDefinitionType);
}

export function processPathWithSlicedBase(currentBase: ED, currentBasePath: string, diffMatches: ED[], typeList: TypeSlice[], params: WalkParams, cursors: Cursors): void {
  if (diffMatches.length === 0) processSlicedBaseUnchanged(currentBase, currentBasePath, diffMatches, params, cursors);
  else if (diffsConstrainTypes(params.ctx, diffMatches, currentBasePath, typeList)) processTypeSlicing(currentBasePath, diffMatches, typeList, params, cursors, true);
  else processSlicedBaseChanged(currentBase, currentBasePath, diffMatches, params, cursors);
}

/** The differential says nothing about a sliced base element; it may about its children. */
function processSlicedBaseUnchanged(currentBase: ED, currentBasePath: string, diffMatches: ED[], params: WalkParams, cursors: Cursors): void {
  const path = currentBase.path;
  if (!hasInnerDiffMatches(params.diff, path, cursors.diffCursor, params.diffLimit, true)) {
    // copy the element, its children and its slices
    while (cursors.baseCursor < cursors.base.length && cursors.base[cursors.baseCursor]?.path.startsWith(path)) {
      const element = cursors.base[cursors.baseCursor] as ED;
      const outcome = copyFromBase(params, element);
      outcome.base = structuredClone(element.base);
      if (outcome.base === undefined) delete outcome.base;
      if (cursors.resultPathBase !== undefined && !outcome.path.startsWith(cursors.resultPathBase)) throw snapshotError('adding a wrong path', params.derived.url, outcome.path);
      params.result.push(outcome);
      cursors.baseCursor++;
    }
    return;
  }
  const outcome = copyFromBase(params, currentBase);
  addResult(params, cursors, outcome);
  if (baseHasChildren(cursors.base, currentBase)) {
    params.walk({ ...params, slicing: { done: false } }, { ...cursors, baseCursor: cursors.baseCursor + 1 });
    cursors.baseCursor = indexOfFirstNonChild(cursors.base, currentBase, cursors.baseCursor, params.baseLimit);
    return;
  }
  const dt = typeForElement(outcome, diffMatches.length ? diffMatches : [currentBase], params);
  const start = cursors.diffCursor;
  if (params.diff[cursors.diffCursor]?.path === currentBasePath) cursors.diffCursor++;
  while (cursors.diffCursor < params.diff.length && pathStartsWith(params.diff[cursors.diffCursor]?.path ?? '', `${currentBasePath}.`)) cursors.diffCursor++;
  if (cursors.diffCursor > start) walkDatatype(params, cursors, dt, start, cursors.diffCursor - 1, currentBasePath, outcome.path);
  cursors.baseCursor++;
}
