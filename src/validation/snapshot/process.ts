/**
 * The walk over the base element list, consulting the differential for each base element. The
 * algorithm follows the HL7 reference implementation (the Java ProfileUtilities, which the IG
 * Publisher runs), because its output is what published snapshots contain.
 */
import { uncapitalize, workingCode } from './context.ts';
import {
  addResult, copyFromBase, endOfTarget, isBaseResourceList, isDataTypeList, profileForType, resolveContentReference, walkDatatype,
} from './descend.ts';
import { replaceFromContentReference, removeStatusExtensions, updateConstraintSources } from './element-base.ts';
import { snapshotError } from './errors.ts';
import { fillOutFromBase, templateFromTypeProfile, templateFromReslice } from './templates.ts';
import { updateFromDefinition } from './merge.ts';
import {
  baseHasChildren, baseWalksInto, fixedPathSource, getDiffMatches, hasInnerDiffMatches, indexOfFirstNonChild, isExtensionPath,
  isImplicitSlicing, pathStartsWith, tail,
} from './paths.ts';
import { processPathWithSlicedBase, processNewSlicing } from './slicing.ts';
import { diffsConstrainTypes, processTypeSlicing } from './type-slicing.ts';
import type { Cursors, ED, TypeSlice, WalkParams } from './types.ts';

export function processPaths(params: WalkParams, cursors: Cursors): ED | undefined {
  let res: ED | undefined;
  const typeList: TypeSlice[] = [];
  while (cursors.baseCursor <= params.baseLimit) {
    const currentBase = cursors.base[cursors.baseCursor];
    if (!currentBase) break;
    const currentBasePath = fixedPathSource(params.contextPathSource, currentBase.path, params.redirector);
    const diffMatches = getDiffMatches(params.diff, currentBasePath, cursors.diffCursor, params.diffLimit);
    if (!currentBase.slicing || currentBasePath === params.slicing.path) {
      const made = processSimplePath(currentBase, currentBasePath, diffMatches, typeList, params, cursors);
      res ??= made;
    } else {
      processPathWithSlicedBase(currentBase, currentBasePath, diffMatches, typeList, params, cursors);
    }
  }
  return res;
}

function processSimplePath(currentBase: ED, currentBasePath: string, diffMatches: ED[], typeList: TypeSlice[], params: WalkParams, cursors: Cursors): ED | undefined {
  if (diffMatches.length === 0) {
    processUnchanged(currentBase, currentBasePath, params, cursors);
    return undefined;
  }
  if (isOneMatch(params.slicing.done, currentBasePath, diffMatches)) return processOneMatch(currentBase, currentBasePath, diffMatches, params, cursors);
  if (diffsConstrainTypes(params.ctx, diffMatches, currentBasePath, typeList)) {
    processTypeSlicing(currentBasePath, diffMatches, typeList, params, cursors, false);
  } else {
    processNewSlicing(currentBase, currentBasePath, diffMatches, params, cursors);
  }
  return undefined;
}

function isOneMatch(slicingDone: boolean, path: string, diffMatches: readonly ED[]): boolean {
  const first = diffMatches[0];
  if (diffMatches.length !== 1 || !first) return false;
  if (slicingDone) return true;
  if (isImplicitSlicing(first, path)) return false;
  return !(first.slicing || (isExtensionPath(first) && first.sliceName !== undefined));
}

/** The differential says nothing about this element itself (it may about its children). */
function processUnchanged(currentBase: ED, currentBasePath: string, params: WalkParams, cursors: Cursors): void {
  const outcome = copyFromBase(params, currentBase);
  updateConstraintSources(outcome, params.sourceSD.url);
  addResult(params, cursors, outcome);
  if (hasInnerDiffMatches(params.diff, currentBasePath, cursors.diffCursor, params.diffLimit, true)) {
    if (baseHasChildren(cursors.base, currentBase)) {
      params.walk({ ...params, slicing: { done: false } }, { ...cursors, baseCursor: cursors.baseCursor + 1 });
      cursors.baseCursor = indexOfFirstNonChild(cursors.base, currentBase, cursors.baseCursor + 1, params.baseLimit);
      return;
    }
    const types = outcome.type ?? [];
    if (types.length === 0 && !outcome.contentReference) throw snapshotError('the differential walks into an element with no children and no type', params.derived.url, currentBasePath);
    const start = cursors.diffCursor;
    while (cursors.diffCursor < params.diff.length && pathStartsWith(params.diff[cursors.diffCursor]?.path ?? '', `${currentBasePath}.`)) cursors.diffCursor++;
    if (outcome.contentReference) {
      descendContentReference(outcome, currentBasePath, outcome.path, start, params, cursors);
    } else {
      const first = types[0];
      const dt = types.length > 1 || !first ? params.ctx.fetchTypeDefinition('Element') : profileForType(params, first);
      if (!dt) throw snapshotError('cannot resolve the Element type', params.derived.url, currentBasePath);
      const extra = params.redirector.length ? { redirector: [...params.redirector, { element: currentBase, path: currentBasePath }] } : {};
      walkDatatype(params, cursors, dt, start, cursors.diffCursor - 1, currentBasePath, outcome.path, extra);
    }
  }
  cursors.baseCursor++;
}

function descendContentReference(outcome: ED, currentBasePath: string, targetPath: string, start: number, params: WalkParams, cursors: Cursors): void {
  const reference = outcome.contentReference ?? '';
  const target = resolveContentReference(params, cursors.base, reference);
  replaceFromContentReference(outcome, target.element);
  const elements = [...target.elements];
  const baseStart = elements.indexOf(target.element) + 1;
  params.walk(
    {
      ...params, baseLimit: endOfTarget(elements, target.element) - 1, diffLimit: cursors.diffCursor - 1,
      contextPathSource: target.element.path, contextPathTarget: targetPath,
      redirector: [...params.redirector, { element: outcome, path: currentBasePath }],
      sourceSD: target.source, slicing: { done: false },
    },
    { base: elements, baseCursor: baseStart, diffCursor: start, resultPathBase: cursors.resultPathBase },
  );
}

/** Exactly one differential entry constrains this element. */
function processOneMatch(currentBase: ED, currentBasePath: string, diffMatches: ED[], params: WalkParams, cursors: Cursors): ED {
  const diff0 = diffMatches[0] as ED;
  const template = templateFromReslice(diff0, params, currentBase) ?? templateFromTypeProfile(diff0, currentBase, params);
  const initial = template ? fillOutFromBase(template, currentBase) : structuredClone(currentBase);
  const outcome = copyFromBase(params, initial, currentBase);
  if (diff0.sliceName !== undefined) {
    outcome.sliceName = diff0.sliceName;
    const slicer = params.slicing.element;
    const closed = slicer?.slicing?.rules === 'closed';
    if (diff0.min === undefined && (diffMatches.length > 1 || !slicer || !closed) && currentBase.sliceName === undefined && !currentBasePath.endsWith('xtension.value[x]')) {
      outcome.min = 0;
    }
  }
  updateFromDefinition(outcome, diff0, params);
  removeStatusExtensions(outcome);
  delete outcome.slicing;
  // a slice may itself be sliced (reslicing, profiling.html#reslicing): its slicing is kept
  if (diff0.slicing && diff0.sliceName !== undefined) outcome.slicing = structuredClone(diff0.slicing);
  addResult(params, cursors, outcome);
  cursors.baseCursor++;
  cursors.diffCursor = params.diff.indexOf(diff0) + 1;
  const next = params.diff[cursors.diffCursor];
  const descendable = isDataTypeList(params, outcome.type) || isBaseResourceList(outcome.type) || outcome.contentReference !== undefined;
  if (params.diffLimit < cursors.diffCursor || !outcome.path.includes('.') || !descendable || !next) return outcome;
  if (!pathStartsWith(next.path, `${diff0.path}.`) || baseWalksInto(cursors.base, cursors.baseCursor)) return outcome;
  narrowRenamedChoice(outcome, diff0, params);
  const childStart = cursors.diffCursor;
  while (cursors.diffCursor <= params.diffLimit && cursors.diffCursor < params.diff.length && pathStartsWith(params.diff[cursors.diffCursor]?.path ?? '', `${diff0.path}.`)) {
    cursors.diffCursor++;
  }
  if (outcome.contentReference) {
    descendContentReference(outcome, currentBasePath, diff0.path, childStart - 1, params, cursors);
    return outcome;
  }
  const types = outcome.type ?? [];
  const dt = types.length === 1 && types[0] ? profileForType(params, types[0]) : params.ctx.fetchTypeDefinition('Element');
  if (!dt) throw snapshotError('cannot resolve the Element type', params.derived.url, diff0.id);
  walkDatatype(params, cursors, dt, childStart, cursors.diffCursor - 1, diff0.path, outcome.path, { redirector: [] });
  return outcome;
}

/** `valueQuantity.value` in a differential narrows `value[x]` to Quantity before walking into it. */
function narrowRenamedChoice(outcome: ED, diff0: ED, params: WalkParams): void {
  const types = outcome.type ?? [];
  if (types.length <= 1) return;
  if (outcome.path.endsWith('[x]') && !diff0.path.endsWith('[x]')) {
    const en = tail(outcome.path);
    let t = tail(diff0.path).slice(en.length - 3);
    if (params.ctx.isPrimitive(uncapitalize(t))) t = uncapitalize(t);
    const kept = types.filter((x) => workingCode(x) === t);
    outcome.type = kept.length ? kept : [{ code: t }];
  }
}
