/** Path arithmetic over element lists (base snapshots and differentials). */
import type { ED, Redirection } from './types.ts';

export function tail(path: string): string {
  return path.includes('.') ? path.slice(path.lastIndexOf('.') + 1) : path;
}

/** `p1` starts with `p2`, where `p2` may end in a choice (`value[x].` also covers `valueQuantity.`). */
export function pathStartsWith(p1: string, p2: string): boolean {
  return p1.startsWith(p2) || (p2.endsWith('[x].') && p1.startsWith(p2.slice(0, -4)));
}

export function pathMatches(p1: string, p2: string): boolean {
  return p1 === p2 || (p2.endsWith('[x]') && p1.startsWith(p2.slice(0, -3)) && !p1.slice(p2.length - 3).includes('.'));
}

function isSameBase(p: string, sp: string): boolean {
  return (p.endsWith('[x]') && sp.startsWith(p.slice(0, -3))) || (sp.endsWith('[x]') && p.startsWith(sp.slice(0, -3)));
}

/** Maps a base path into the context being walked (a datatype's children, or a content reference). */
export function fixedPathSource(contextPath: string | undefined, path: string, redirector: readonly Redirection[]): string {
  if (contextPath === undefined) return path;
  const last = redirector[redirector.length - 1];
  if (last) {
    const rest = contextPath.length >= path.length ? path.slice(path.indexOf('.') + 1) : path.slice(contextPath.length + 1);
    return `${last.path}.${rest}`;
  }
  return `${contextPath}.${path.slice(path.indexOf('.') + 1)}`;
}

export function fixedPathDest(
  contextPath: string | undefined,
  path: string,
  redirector: readonly Redirection[],
  redirectSource: string | undefined,
): string {
  if (contextPath === undefined) return path;
  if (redirector.length > 0 && redirectSource !== undefined) {
    const rest = redirectSource.length >= path.length ? path.slice(path.indexOf('.') + 1) : path.slice(redirectSource.length + 1);
    return `${contextPath}.${rest}`;
  }
  return `${contextPath}.${path.slice(path.indexOf('.') + 1)}`;
}

/** Differential entries in [start, end] whose path names `path` (choice renames included). */
export function getDiffMatches(diff: readonly ED[], path: string, start: number, end: number): ED[] {
  const parts = path.split('.');
  const result: ED[] = [];
  for (let i = start; i <= end && i < diff.length; i++) {
    const element = diff[i];
    if (!element) continue;
    const stated = element.path.split('.');
    if (stated.length !== parts.length) continue;
    if (parts.every((p, j) => p === stated[j] || isSameBase(p, stated[j] ?? ''))) result.push(element);
  }
  return result;
}

/** Index of the last element inside the one at `cursor` (its descendants follow it). */
export function findEndOfElement(list: readonly ED[], cursor: number): number {
  let result = cursor;
  const current = list[cursor];
  if (!current) return result;
  const prefix = `${current.path}.`;
  while (result < list.length - 1 && list[result + 1]?.path.startsWith(prefix)) result++;
  return result;
}

export function hasInnerDiffMatches(diff: readonly ED[], path: string, startAt: number, endAt: number, allowSlices: boolean): boolean {
  const end = Math.min(diff.length - 1, endAt);
  const start = Math.max(0, startAt);
  for (let i = start; i <= end; i++) {
    const ed = diff[i];
    if (!ed) continue;
    const stated = ed.path;
    if (!allowSlices && stated === path && ed.sliceName !== undefined) return false;
    if (stated.startsWith(`${path}.`)) return true;
    if (path.endsWith('[x]') && stated.startsWith(path.slice(0, -3))) return true;
    if (i !== start && !allowSlices && !stated.startsWith(`${path}.`)) return false;
    if (i !== start && allowSlices && !stated.startsWith(path)) return false;
  }
  return false;
}

export function baseWalksInto(elements: readonly ED[], cursor: number): boolean {
  const here = elements[cursor];
  const previous = elements[cursor - 1];
  if (!here || !previous) return false;
  return here.path.startsWith(`${previous.path}.`);
}

export function baseHasChildren(base: readonly ED[], element: ED): boolean {
  const index = base.indexOf(element);
  const next = base[index + 1];
  return next !== undefined && next.path.startsWith(`${element.path}.`);
}

export function indexOfFirstNonChild(base: readonly ED[], element: ED, start: number, limit: number): number {
  let i = start;
  while (i <= limit && base[i]?.path.startsWith(`${element.path}.`)) i++;
  return i;
}

/** The slices that follow `current` in a base list (same path, or a choice rename of it). */
export function getSiblings(list: readonly ED[], current: ED): ED[] {
  const result: ED[] = [];
  const path = current.path;
  let cursor = list.indexOf(current) + 1;
  while (cursor < list.length && (list[cursor]?.path.length ?? 0) >= path.length) {
    const candidate = list[cursor];
    if (candidate && pathMatches(candidate.path, path)) result.push(candidate);
    cursor++;
  }
  return result;
}

export function isImplicitSlicing(ed: ED, path: string): boolean {
  if (path === ed.path) return false;
  return path.endsWith('[x]') && ed.path.startsWith(path.slice(0, -3));
}

export function determineTypeSlicePath(path: string, basePath: string): string {
  return `${path.slice(0, path.lastIndexOf('.'))}.${basePath.slice(basePath.lastIndexOf('.') + 1)}`;
}

export function rootName(path: string): string {
  return tail(path).replace('[x]', '');
}

export function unbounded(ed: ED): boolean {
  return ed.max !== undefined && ed.max !== '1' && ed.max !== '0';
}

export function isSlicedToOneOnly(ed: ED): boolean {
  return ed.slicing !== undefined && ed.max === '1';
}

export function isExtensionPath(ed: ED): boolean {
  return ed.path.endsWith('.extension') || ed.path.endsWith('.modifierExtension');
}
