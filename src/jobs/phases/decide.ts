import type { SourceRecord } from '../../core/index.ts';
import { referencedKeys } from '../runner/references.ts';
import type { MapSet, MappedRecord } from '../runner/types.ts';
import { assignPhases } from './assign.ts';
import { handleOf, kindOfRecordId, recordId, recordType, splitRecordId, tableType } from './phase-plan.ts';
import type { EarlierResource, PhasePlan, PlanResource, ResourceHandle } from './phase-plan.ts';
import { ownPhase, phaseOfType } from './phase-table.ts';
import type { PhaseTable } from './phase-table.ts';
import { recordSketcher } from './record-sketch.ts';
import type { Sketcher } from './record-sketch.ts';

export interface DecideOptions {
  readonly mapSet: MapSet;
  readonly table: PhaseTable;
  /** The task's phase: every record of it, and of the earlier phases, is decided. */
  readonly wanted: number;
  /** The records the task read, in read order. */
  readonly records: readonly SourceRecord[];
  /** What earlier tasks decided (undefined: nothing yet). */
  readonly plan: PhasePlan | undefined;
  /** Maps records whole (the one place that does). */
  readonly map: (records: readonly SourceRecord[]) => Promise<MappedRecord[]>;
  /** Reads the patient's records of more kinds: a record pulled into the phase whose kind the task did not read. */
  readonly readKinds: (kinds: readonly string[]) => Promise<SourceRecord[]>;
}

export interface DecideResult {
  /** The plan extended by this task (built when asked: the last phase's task does not store it). */
  readonly plan: () => PhasePlan;
  /** The phase's records, mapped, in read order. */
  readonly current: readonly MappedRecord[];
  /** The resources of the earlier phases. */
  readonly earlier: readonly EarlierResource[];
}

/** A record as the planner knows it. Undecided (`phase` undefined) until it, or a record referring to it, is in a decided phase. */
interface PlanNode {
  readonly id: string;
  readonly kind: string;
  readonly key: string;
  record: SourceRecord | undefined;
  handles: readonly ResourceHandle[];
  /** The earliest phase the record can take (its own, once mapped); -1 until known. */
  earliest: number;
  mapped: MappedRecord | undefined;
  phase: number | undefined;
  /** Named by the plan, no longer in the source. */
  gone: boolean;
}

/**
 * Decides the records of the phases up to `wanted` that are not decided yet, mapping only them
 * (issue 5: each record mapped once per job). A record's phase is the earliest of its own and
 * those of the records referring to it, transitively (assignPhases); so the records of phase ≤
 * `wanted` are those reachable by reference from the records whose own phase is ≤ `wanted`. The
 * others are seen through their map's projection (identifiers, phase elements) and stay
 * undecided, for the next phase's task. A pulled-in record that does not map is no reference
 * target: the search starts over without it.
 */
export async function decidePhases(o: DecideOptions): Promise<DecideResult> {
  const nodes = nodesOf(o);
  await mapNodes(o, nodes, [...nodes.values()].filter((n) => n.phase === undefined && n.earliest <= o.wanted));
  const reached = await reachable(o, nodes);
  // Records undecided after the phase before `wanted` are all of `wanted`; phases skipped (`--phase`) need the rule.
  const consecutive = o.wanted === (o.plan?.decidedThrough ?? -1) + 1;
  const phases = consecutive ? reached.map(() => o.wanted) : assignPhases(o.table, reached.map((n) => ({ resources: resourcesOf(n) })));
  reached.forEach((n, i) => (n.phase = phases[i]));
  const position = new Map(o.records.map((r, i) => [r, i]));
  const at = (n: PlanNode): number => position.get(n.record as SourceRecord) ?? o.records.length;
  const current = [...nodes.values()].filter((n) => n.phase === o.wanted && n.record !== undefined).sort((a, b) => at(a) - at(b));
  await mapNodes(o, nodes, current);
  const earlier = [...nodes.values()].flatMap((n) => (n.phase !== undefined && n.phase < o.wanted && !n.gone ? n.handles.map((h) => ({ kind: n.kind, recordKey: n.key, ...h })) : []));
  return { plan: () => planOf(o, nodes), current: current.map((n) => n.mapped as MappedRecord), earlier };
}

function emptyNode(id: string, record?: SourceRecord): PlanNode {
  const [kind, key] = splitRecordId(id);
  return { id, kind, key, record, handles: [], earliest: -1, mapped: undefined, phase: undefined, gone: false };
}

/** The plan's records (in its order), then those read that it does not know (in read order). */
function nodesOf(o: DecideOptions): Map<string, PlanNode> {
  const nodes = new Map<string, PlanNode>();
  const node = (id: string): PlanNode => nodes.get(id) ?? (nodes.set(id, emptyNode(id)).get(id) as PlanNode);
  for (const [kind, key, resourceType, ref, phase, identifiers] of o.plan?.resources ?? []) {
    const n = node(recordId(kind, key));
    n.handles = [...n.handles, { resourceType, key: ref, identifiers }];
    if (phase !== null) n.phase = phase;
  }
  const records = o.plan?.records ?? {};
  const pending = o.plan?.pending ?? {};
  for (const id in records) node(id).phase = records[id];
  for (const id in pending) node(id).earliest = pending[id] as number;
  const sketch = recordSketcher(o.mapSet, o.table, o.wanted);
  for (const record of o.records) {
    const id = recordId(record.ref.kind, record.key);
    const known = nodes.get(id);
    if (known) known.record = record;
    else if (o.plan) nodes.set(id, { ...emptyNode(id, record), phase: phaseOfType(o.table, tableType(o.mapSet, record.ref.kind)) });
    else nodes.set(id, sketched(sketch, record, id));
  }
  return nodes;
}

function sketched(sketch: Sketcher, record: SourceRecord, id: string): PlanNode {
  const seen = sketch(record);
  return seen ? { ...emptyNode(id, record), handles: [seen.handle], earliest: seen.earliest } : emptyNode(id, record);
}

/** Maps the nodes not mapped yet (reading the kinds of those the task did not read), in one batch. */
async function mapNodes(o: DecideOptions, nodes: Map<string, PlanNode>, list: readonly PlanNode[]): Promise<void> {
  const unread = list.filter((n) => n.record === undefined && !n.gone);
  if (unread.length > 0) {
    for (const record of await o.readKinds([...new Set(unread.map((n) => kindOfRecordId(n.id)))])) {
      const n = nodes.get(recordId(record.ref.kind, record.key));
      if (n && !n.record) n.record = record;
    }
    for (const n of unread) if (!n.record) n.gone = true;
  }
  const todo = list.filter((n) => n.record !== undefined && n.mapped === undefined);
  const mapped = await o.map(todo.map((n) => n.record as SourceRecord));
  todo.forEach((n, i) => learn(o, n, mapped[i] as MappedRecord));
}

function learn(o: DecideOptions, n: PlanNode, m: MappedRecord): void {
  n.mapped = m;
  if (m.state === 'mapped') {
    n.handles = m.resources.map(handleOf);
    n.earliest = Math.min(...m.resources.map((r) => ownPhase(o.table, r)));
  } else {
    // Not a resource, so no reference target: the phase of its type, as assignPhases gives it.
    n.handles = [];
    n.phase = phaseOfType(o.table, recordType(o.mapSet, m));
  }
}

const resourcesOf = (n: PlanNode): readonly fhir4.Resource[] => (n.mapped?.state === 'mapped' ? n.mapped.resources : []);

const isUndecidedResource = (n: PlanNode): boolean => n.phase === undefined && !n.gone && n.mapped?.state === 'mapped';

/**
 * The undecided records of phase ≤ `wanted`, in node order: those whose own phase is, and the
 * undecided ones they refer to, transitively (mapped as they are reached).
 */
async function reachable(o: DecideOptions, nodes: Map<string, PlanNode>): Promise<PlanNode[]> {
  // Every undecided record can belong to the phase (the last one): none is left to pull in.
  const undecided = [...nodes.values()].filter((n) => n.phase === undefined && !n.gone);
  if (undecided.every((n) => n.earliest <= o.wanted)) return undecided.filter(isUndecidedResource);
  for (;;) {
    const { identifiers, byKey } = indexOf(nodes);
    const reached = new Set([...nodes.values()].filter((n) => isUndecidedResource(n) && n.earliest <= o.wanted));
    let frontier = [...reached];
    let startOver = false;
    while (frontier.length > 0 && !startOver) {
      const pulled = new Set<PlanNode>();
      for (const from of frontier) {
        for (const key of referencedKeys(resourcesOf(from), identifiers)) {
          const to = byKey.get(key);
          if (to && to !== from && to.phase === undefined && !to.gone && !reached.has(to)) pulled.add(to);
        }
      }
      await mapNodes(o, nodes, [...pulled]);
      frontier = [...pulled].filter(isUndecidedResource);
      for (const n of frontier) reached.add(n);
      startOver = frontier.length < pulled.size;
    }
    if (!startOver) return [...nodes.values()].filter((n) => reached.has(n));
  }
}

/** Identifier → `Type/id` (the first carrier wins, as in assignPhases) and `Type/id` → record. */
function indexOf(nodes: Map<string, PlanNode>): { identifiers: Map<string, string>; byKey: Map<string, PlanNode> } {
  const identifiers = new Map<string, string>();
  const byKey = new Map<string, PlanNode>();
  for (const n of nodes.values()) {
    if (n.gone) continue;
    for (const handle of n.handles) {
      for (const id of handle.identifiers) if (!identifiers.has(id)) identifiers.set(id, handle.key);
      byKey.set(handle.key, n);
    }
  }
  return { identifiers, byKey };
}

function planOf(o: DecideOptions, nodes: Map<string, PlanNode>): PhasePlan {
  const records: Record<string, number> = {};
  const pending: Record<string, number> = {};
  const resources: PlanResource[] = [];
  for (const n of nodes.values()) {
    if (n.gone) continue;
    if (n.phase === undefined) pending[n.id] = n.earliest;
    else records[n.id] = n.phase;
    for (const h of n.handles) resources.push([n.kind, n.key, h.resourceType, h.key, n.phase ?? null, h.identifiers]);
  }
  return { records, resources, pending, decidedThrough: Math.max(o.plan?.decidedThrough ?? -1, o.wanted) };
}
