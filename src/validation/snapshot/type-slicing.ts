/** Type slicing of choice elements: `value[x]:valueQuantity`, or the short form `valueQuantity`. */
import type { SnapshotContext } from './context.ts';
import { capitalize, uncapitalize, workingCode } from './context.ts';
import { typeSlicing } from './element-base.ts';
import { snapshotError } from './errors.ts';
import { determineTypeSlicePath, findEndOfElement, rootName, tail } from './paths.ts';
import type { Cursors, ED, TypeSlice, WalkParams } from './types.ts';

/** Whether the differential entries constrain the types of a choice; fills `typeList` if so. */
export function diffsConstrainTypes(ctx: SnapshotContext, diffMatches: readonly ED[], cPath: string, typeList: TypeSlice[]): boolean {
  const p = diffMatches[0]?.path ?? '';
  if (!p.endsWith('[x]') && !cPath.endsWith('[x]')) return false;
  typeList.length = 0;
  const rn = tail(cPath).slice(0, -3);
  for (const ed of diffMatches) {
    const n = tail(ed.path);
    if (!n.startsWith(rn)) return false;
    const s = n.slice(rn.length);
    if (s.includes('.')) continue;
    const types = ed.type ?? [];
    const first = types[0];
    if (ed.sliceName !== undefined && types.length === 1 && first) typeList.push({ defn: ed, type: workingCode(first) });
    else if (ed.sliceName !== undefined && types.length === 0) {
      const found = typeFromName(ctx, s) ?? typeFromName(ctx, ed.sliceName.slice(n.length));
      if (found !== undefined) typeList.push({ defn: ed, type: found });
    } else if (ed.sliceName === undefined && s !== '[x]') {
      const found = ctx.isConstrainedDataType(s) && !ctx.isDataType(s) ? ctx.baseType(s) : typeFromName(ctx, s);
      if (found !== undefined) typeList.push({ defn: ed, type: found });
    } else if (ed.sliceName === undefined) typeList.push({ defn: ed, type: undefined });
  }
  return true;
}

function typeFromName(ctx: SnapshotContext, name: string): string | undefined {
  if (ctx.isDataType(name)) return name;
  if (ctx.isPrimitive(uncapitalize(name))) return uncapitalize(name);
  return undefined;
}

export function determineFixedType(ctx: SnapshotContext, ed: ED, profileUrl: string): string {
  const types = ed.type ?? [];
  if (types.length === 0 && ed.sliceName !== undefined) {
    const n = tail(ed.path).replace('[x]', '');
    const found = typeFromName(ctx, ed.sliceName.slice(n.length));
    if (found === undefined) throw snapshotError(`the slice name ${ed.sliceName} does not name a type`, profileUrl, ed.id);
    return found;
  }
  if (types.length === 1 && types[0]) return types[0].code;
  throw snapshotError('a type slice must have exactly one type', profileUrl, ed.id);
}

/** Slicing is set up on the choice element; each differential entry becomes one type slice. */
export function processTypeSlicing(currentBasePath: string, diffMatches: ED[], typeList: TypeSlice[], params: WalkParams, cursors: Cursors, slicedBase: boolean): void {
  const { diff } = params;
  const newBaseLimit = findEndOfElement(cursors.base, cursors.baseCursor);
  let newDiffCursor = diff.indexOf(diffMatches[0] as ED);
  const first = diffMatches[0] as ED;
  const shortCut = (typeList[0]?.type !== undefined) || (slicedBase && first.sliceName !== undefined && !first.slicing);
  let inserted: ED | undefined;
  if (shortCut) {
    inserted = { path: determineTypeSlicePath(first.path, currentBasePath), slicing: typeSlicing() };
    diffMatches.unshift(inserted);
    diff.splice(newDiffCursor, 0, inserted);
  }
  let newDiffLimit = findEndOfElement(diff, newDiffCursor);
  checkTypeSlicingDeclaration(diffMatches[0] as ED, currentBasePath, params.derived.url);
  for (const ts of typeList) {
    if (ts.type === undefined) continue;
    const tn = rootName(currentBasePath) + capitalize(ts.type);
    if (ts.defn.sliceName === undefined) ts.defn.sliceName = tn;
    else if (ts.defn.sliceName !== tn) throw snapshotError(`the type slice name must be ${tn}, not ${ts.defn.sliceName}`, params.derived.url, ts.defn.id);
    const types = ts.defn.type ?? [];
    if (types.length === 0) ts.defn.type = [{ code: ts.type }];
    else if (types.length > 1 || types[0]?.code !== ts.type) throw snapshotError(`the slice for ${ts.type} has the wrong types`, params.derived.url, ts.defn.id);
  }
  const slicingPath = slicedBase ? currentBasePath : undefined;
  const root = params.walk(
    { ...params, baseLimit: newBaseLimit, diffLimit: newDiffLimit, slicing: { done: true, ...(slicingPath ? { path: slicingPath } : {}) } },
    { ...cursors, diffCursor: newDiffCursor },
  );
  if (!root) throw snapshotError('did not find the type root', params.derived.url, first.path);
  root.slicing = typeSlicing(); // type slicing is always closed; an open differential just leaves other types unconstrained
  const baseSlices = slicedBase ? findBaseSlices(cursors.base, newBaseLimit) : [];
  let fixedType: string | undefined;
  for (let i = 1; i < diffMatches.length; i++) {
    const dm = diffMatches[i] as ED;
    const type = slicedBase ? determineFixedType(params.ctx, dm, params.derived.url) : undefined;
    if ((dm.min ?? 0) > 0) {
      if (diffMatches.length > i + 1) throw snapshotError('a type slice with min > 0 excludes the other type slices', params.derived.url, dm.id);
      if (!slicedBase) root.min = 1;
      fixedType = type ?? determineFixedType(params.ctx, dm, params.derived.url);
    }
    newDiffCursor = diff.indexOf(dm);
    newDiffLimit = findEndOfElement(diff, newDiffCursor);
    const match = baseSlices.find((bs) => bs.type === type);
    if (match) match.handled = true;
    const slice = params.walk(
      { ...params, baseLimit: match ? match.end : newBaseLimit, diffLimit: newDiffLimit, slicing: { done: true, element: root, ...(slicingPath ? { path: slicingPath } : {}) } },
      { ...cursors, baseCursor: match ? match.start : cursors.baseCursor, diffCursor: newDiffCursor },
    );
    if (!slicedBase && slice && typeList.length > 2) slice.min = 0;
  }
  if (inserted) {
    diff.splice(diff.indexOf(inserted), 1);
    newDiffLimit--;
  }
  if (fixedType !== undefined) root.type = (root.type ?? []).filter((t) => t.code === fixedType);
  if (slicedBase) {
    for (const bs of baseSlices.filter((b) => !b.handled)) {
      params.walk(
        { ...params, diff: [{ path: bs.defn.path }], baseLimit: bs.end, diffLimit: 0, slicing: { done: true, element: root, path: currentBasePath } },
        { ...cursors, baseCursor: bs.start, diffCursor: 0 },
      );
    }
    cursors.baseCursor = (baseSlices[baseSlices.length - 1]?.end ?? newBaseLimit) + 1;
  } else {
    openIfTypesUnsliced(root, typeList, currentBasePath);
    cursors.baseCursor = newBaseLimit + 1;
  }
  cursors.diffCursor = newDiffLimit + 1;
}

function checkTypeSlicingDeclaration(ed: ED, path: string, profileUrl: string): void {
  const slicing = ed.slicing;
  if (slicing?.ordered === true) throw snapshotError('type slicing cannot be ordered', profileUrl, path);
  const discriminators = slicing?.discriminator ?? [];
  if (discriminators.length === 0) return;
  const d = discriminators[0];
  if (discriminators.length !== 1 || d?.type !== 'type' || d.path !== '$this') {
    throw snapshotError('type slicing needs exactly one discriminator, type at $this', profileUrl, path);
  }
}

/** Types the differential did not slice stay allowed (open), except on extensions where they go. */
function openIfTypesUnsliced(root: ED, typeList: readonly TypeSlice[], currentBasePath: string): void {
  if (root.max === '0') return;
  const allowed = new Set((root.type ?? []).map((t) => t.code));
  for (const t of typeList) {
    if (t.type !== undefined) allowed.delete(t.type);
    else if (t.defn.sliceName !== undefined && t.defn.type?.length === 1) allowed.delete(t.defn.type[0]?.code ?? '');
  }
  if (allowed.size === 0) return;
  if (currentBasePath.includes('xtension.value')) root.type = (root.type ?? []).filter((t) => !allowed.has(t.code));
  else if (root.slicing) root.slicing.rules = 'open';
}

interface BaseTypeSlice {
  readonly defn: ED;
  readonly type: string | undefined;
  readonly start: number;
  readonly end: number;
  handled: boolean;
}

function findBaseSlices(list: readonly ED[], start: number): BaseTypeSlice[] {
  const res: BaseTypeSlice[] = [];
  const base = list[start];
  if (!base) return res;
  let i = start + 1;
  while (i < list.length && list[i]?.path.startsWith(`${base.path}.`)) i++;
  while (i < list.length && list[i]?.path === base.path && list[i]?.sliceName !== undefined) {
    const s = i;
    i++;
    while (i < list.length && list[i]?.path.startsWith(`${base.path}.`)) i++;
    const defn = list[s] as ED;
    res.push({ defn, type: defn.type?.[0]?.code, start: s, end: i - 1, handled: false });
  }
  return res;
}
