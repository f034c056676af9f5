import { segmentIds } from './grammar.ts';
import type { GrammarNode, GroupNode } from './grammar.ts';
import type { Hl7Segment, Hl7SegmentData } from './segment.ts';

/** A group instance: segments and sub-groups by name; repeating ones are arrays. */
export type Hl7Group = { [name: string]: Hl7SegmentData | Hl7Group | Array<Hl7SegmentData | Hl7Group> };

export interface TreeResult {
  readonly root: Hl7Group;
  /** Required segments or groups the message lacks, as `GROUP.SEGMENT` paths. */
  readonly missing: string[];
  /** The structure's last required top-level part is absent: the message stops short. */
  readonly truncated: boolean;
}

interface Cursor {
  readonly segments: readonly Hl7Segment[];
  position: number;
  readonly known: ReadonlySet<string>;
  readonly missing: string[];
}

/**
 * Groups a message's segments as its structure defines them. Lenient where real feeds are:
 * a segment the structure does not know (Z-segments, newer-version segments) joins the group it
 * appears in; a known segment out of place closes groups until one accepts it, else joins the root.
 */
export function buildTree(structure: GroupNode, segments: readonly Hl7Segment[]): TreeResult {
  const cursor: Cursor = { segments, position: 0, known: segmentIds(structure), missing: [] };
  const root = matchGroup(structure, cursor, true, structure.name);
  return { root, missing: cursor.missing, truncated: endsShort(structure, root) };
}

/** Without a known structure: MSH as an object, every other segment id as a list in message order. */
export function buildFlatTree(segments: readonly Hl7Segment[]): Hl7Group {
  const root: Hl7Group = {};
  for (const segment of segments) {
    if (segment.id === 'MSH' && !root.MSH) root.MSH = segment.data;
    else append(root, segment.id, segment.data);
  }
  return root;
}

/**
 * `forced`: the group was opened for a segment that is not among its openers (its opener is
 * missing, e.g. an OBR without its ORC); its first step then also looks inside sub-groups.
 */
function matchGroup(group: GroupNode, cursor: Cursor, isRoot: boolean, path: string, forced = false): Hl7Group {
  const node: Hl7Group = {};
  const start = cursor.position;
  let i = 0;
  while (cursor.position < cursor.segments.length) {
    const segment = cursor.segments[cursor.position] as Hl7Segment;
    let j = findChild(group.children, i, segment.id);
    let opensByContainment = false;
    if (j === -1 && (isRoot || (forced && cursor.position === start))) {
      j = findContainingChild(group.children, i, segment.id);
      opensByContainment = j !== -1;
    }
    if (j === -1) {
      if (!isRoot && cursor.known.has(segment.id)) break;
      append(node, segment.id, segment.data);
      cursor.position++;
      continue;
    }
    const child = group.children[j] as GrammarNode;
    checkSkipped(group.children, i, j, node, cursor, path);
    if (child.type === 'segment') {
      put(node, child.id, child.repeating, segment.data);
      cursor.position++;
    } else put(node, child.name, child.repeating, matchGroup(child, cursor, false, `${path}.${child.name}`, opensByContainment));
    i = child.repeating ? j : j + 1;
  }
  checkSkipped(group.children, i, group.children.length, node, cursor, path);
  return node;
}

/**
 * A message stops short when a required part is missing after everything it does hold, in the
 * root or, recursively, in the last instance of its last group (a cut-off message). A required
 * part missing before present ones (an ADT without EVN, an order without ORC) is only sloppy.
 */
function endsShort(group: GroupNode, node: Hl7Group): boolean {
  const name = (child: GrammarNode): string => (child.type === 'segment' ? child.id : child.name);
  let lastPresent = -1;
  group.children.forEach((child, k) => {
    if (node[name(child)] !== undefined) lastPresent = k;
  });
  if (group.children.slice(lastPresent + 1).some((child) => !child.optional)) return true;
  const last = group.children[lastPresent];
  if (last?.type !== 'group') return false;
  const value = node[last.name];
  const instance = (Array.isArray(value) ? value[value.length - 1] : value) as Hl7Group;
  return endsShort(last, instance);
}

/** The first child at or after `from` that can take this segment id. */
function findChild(children: readonly GrammarNode[], from: number, id: string): number {
  for (let j = from; j < children.length; j++) {
    const child = children[j] as GrammarNode;
    if (child.type === 'segment' ? child.id === id : child.first.has(id)) return j;
  }
  return -1;
}

function findContainingChild(children: readonly GrammarNode[], from: number, id: string): number {
  for (let j = from; j < children.length; j++) {
    const child = children[j] as GrammarNode;
    if (child.type === 'group' && segmentIds(child as GroupNode).has(id)) return j;
  }
  return -1;
}

function checkSkipped(children: readonly GrammarNode[], from: number, to: number, node: Hl7Group, cursor: Cursor, path: string): void {
  for (let k = from; k < to; k++) {
    const child = children[k] as GrammarNode;
    const name = child.type === 'segment' ? child.id : child.name;
    if (!child.optional && node[name] === undefined) cursor.missing.push(`${path}.${name}`);
  }
}

function put(node: Hl7Group, name: string, repeating: boolean, value: Hl7SegmentData | Hl7Group): void {
  if (repeating) append(node, name, value);
  else if (node[name] === undefined) node[name] = value;
  else append(node, name, value);
}

function append(node: Hl7Group, name: string, value: Hl7SegmentData | Hl7Group): void {
  const existing = node[name];
  if (existing === undefined) node[name] = [value];
  else if (Array.isArray(existing)) existing.push(value);
  else node[name] = [existing, value];
}
