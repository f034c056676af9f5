import type { SourceRecord } from '../../core/index.ts';
import type { SourceRejection } from '../../sources/index.ts';
import type { JsonValue } from '../model/audit.ts';
import type { Job } from '../model/job.ts';
import type { Task } from '../model/task.ts';
import { processorOf } from '../runner/record-processor.ts';
import { identifierKey } from '../runner/references.ts';
import { noLease } from '../runner/types.ts';
import type { KeepLease, MapSet, MappedRecord, MigrationEnv } from '../runner/types.ts';
import { assignPhases } from './assign.ts';
import type { PhaseItem } from './assign.ts';
import { DEFAULT_PHASE_TABLE, phaseIndex, phaseOfType } from './phase-table.ts';
import type { PhaseTable } from './phase-table.ts';

/** The phase of every task of a job planned before priority phases: it takes all of a patient's records. */
export const ALL_PHASE = 'all';

export function phaseTableOf(mapSet: MapSet): PhaseTable {
  return mapSet.phases ?? DEFAULT_PHASE_TABLE;
}

/** A resource an earlier phase's task owns: what a later task needs to refer to it. */
export interface EarlierResource {
  readonly kind: string;
  readonly recordKey: string;
  readonly resourceType: string;
  /** `Type/id` the resource is written with. */
  readonly key: string;
  /** `system|value` of its identifiers (logical references resolve through them). */
  readonly identifiers: readonly string[];
}

/** A patient's records split for one phase's task. */
export interface PhaseSplit {
  /** Source rejections that belong to this phase. */
  readonly rejections: readonly SourceRejection[];
  /** Mapped (or refused) records that belong to this phase. */
  readonly current: readonly MappedRecord[];
  /** Resources of earlier phases (written by their tasks): references to them resolve. */
  readonly earlier: readonly EarlierResource[];
}

/**
 * The plan of a patient, stored once per job by the patient's first phase task: each record's
 * phase and, per resource, what later tasks need to refer to it. Later tasks map only their own
 * records (mapping a patient's whole record set once per phase would double the job's cost).
 */
interface PhasePlan {
  /** `kind\u001fkey` → phase index. */
  readonly records: Record<string, number>;
  /** [kind, key, resourceType, `Type/id`, phase, identifiers]. */
  readonly resources: readonly (readonly [string, string, string, string, number, readonly string[]])[];
}

const recordId = (kind: string, key: string): string => `${kind}\u001f${key}`;

/** The resource type a table maps to, when its decision names one. */
export function tableType(mapSet: MapSet, kind: string): string | undefined {
  const rule = mapSet.tables.get(kind);
  return rule?.kind === 'map' ? rule.resourceType : undefined;
}

/** The resource type of a mapped record, or the one it would have had. */
export function recordType(mapSet: MapSet, m: MappedRecord): string | undefined {
  return m.state === 'mapped' ? (m.resources[0] as fhir4.Resource).resourceType : m.resourceType ?? tableType(mapSet, m.record.ref.kind);
}

function optionalType(resourceType: string | undefined): PhaseItem {
  return resourceType === undefined ? {} : { resourceType };
}

/**
 * Keeps what the phase's task owns: each record of the patient belongs to exactly one phase
 * (assignPhases over the whole set, on the first task; the stored plan after), so across a job's
 * tasks every record is recorded once. The shared task and `all` tasks take everything.
 */
export async function splitForTask(env: MigrationEnv, job: Job, task: Task, shared: boolean, rejections: readonly SourceRejection[], records: readonly SourceRecord[], keepLease: KeepLease = noLease): Promise<PhaseSplit> {
  const mapAll = (list: readonly SourceRecord[]): Promise<MappedRecord[]> => mapRecords(env, list, keepLease);
  if (shared || task.phase === ALL_PHASE) return { rejections, current: await mapAll(records), earlier: [] };
  const table = phaseTableOf(env.mapSet);
  const wanted = phaseIndex(table, task.phase);
  const rejectionPhase = (r: SourceRejection): number => phaseOfType(table, tableType(env.mapSet, r.ref.kind));
  const own = rejections.filter((r) => rejectionPhase(r) === wanted);
  const stored = loadedPlans.has(task) ? loadedPlans.get(task) : await loadPlan(env, job, task);
  loadedPlans.delete(task);
  if (stored) {
    const phaseOf = (r: SourceRecord): number => stored.records[recordId(r.ref.kind, r.key)] ?? phaseOfType(table, tableType(env.mapSet, r.ref.kind));
    const earlier = stored.resources.filter((r) => r[4] < wanted).map(([kind, recordKey, resourceType, key, , identifiers]) => ({ kind, recordKey, resourceType, key, identifiers }));
    return { rejections: own, current: await mapAll(records.filter((r) => phaseOf(r) === wanted)), earlier };
  }
  const mapped = await mapAll(records);
  const phases = assignPhases(table, mapped.map((m): PhaseItem => (m.state === 'mapped' ? { resources: m.resources } : optionalType(recordType(env.mapSet, m)))));
  const plan = planOf(mapped, phases);
  await env.store.savePhasePlan(job.id, task.patientKey, plan as unknown as JsonValue);
  return {
    rejections: own,
    current: mapped.filter((_, i) => phases[i] === wanted),
    earlier: plan.resources.filter((r) => r[4] < wanted).map(([kind, recordKey, resourceType, key, , identifiers]) => ({ kind, recordKey, resourceType, key, identifiers })),
  };
}

/** The one place a task's records get mapped: by the env's record processor (in-thread or a worker), in one batch. */
function mapRecords(env: MigrationEnv, records: readonly SourceRecord[], keepLease: KeepLease): Promise<MappedRecord[]> {
  return processorOf(env).map(records, keepLease);
}

/** Plans phaseKinds loaded for a task, handed on to its splitForTask (one store read per task). */
const loadedPlans = new WeakMap<Task, PhasePlan | undefined>();

async function loadPlan(env: MigrationEnv, job: Job, task: Task): Promise<PhasePlan | undefined> {
  return (await env.store.loadPhasePlan(job.id, task.patientKey)) as PhasePlan | undefined;
}

/**
 * The kinds a phase task reads from the source, once its patient's plan is stored (undefined:
 * every kind). A later phase needs only the kinds that hold its own records — those the plan puts
 * in the phase, and those whose type belongs to it (records and source rejections the plan does
 * not know) — and the kinds mapping to Patient (a patient whose Patient record was rejected keeps
 * its other records out in every phase). The Synthea set's clinical tasks then skip the claims
 * tables, its administrative ones the observations: a third fewer rows read over a job.
 */
export async function phaseKinds(env: MigrationEnv, job: Job, task: Task, shared: boolean): Promise<string[] | undefined> {
  if (shared || task.phase === ALL_PHASE) return undefined;
  const stored = await loadPlan(env, job, task);
  loadedPlans.set(task, stored);
  const table = phaseTableOf(env.mapSet);
  const wanted = phaseIndex(table, task.phase);
  // Records of a kind the map set does not name (and of no known type) belong to the first phase.
  if (!stored || wanted === phaseOfType(table, undefined)) return undefined;
  const kinds = new Set<string>();
  for (const kind of env.mapSet.tables.keys()) {
    const type = tableType(env.mapSet, kind);
    if (type === 'Patient' || phaseOfType(table, type) === wanted) kinds.add(kind);
  }
  for (const [id, phase] of Object.entries(stored.records)) if (phase === wanted) kinds.add(id.slice(0, id.indexOf('\u001f')));
  return [...kinds];
}

function planOf(mapped: readonly MappedRecord[], phases: readonly number[]): PhasePlan {
  const records: Record<string, number> = {};
  const resources: PhasePlan['resources'][number][] = [];
  mapped.forEach((m, i) => {
    const phase = phases[i] as number;
    records[recordId(m.record.ref.kind, m.record.key)] = phase;
    if (m.state !== 'mapped') return;
    for (const resource of m.resources) {
      const identifiers = ((resource as { identifier?: fhir4.Identifier[] }).identifier ?? []).map(identifierKey).filter((k): k is string => k !== undefined);
      resources.push([m.record.ref.kind, m.record.key, resource.resourceType, `${resource.resourceType}/${resource.id ?? ''}`, phase, identifiers]);
    }
  });
  return { records, resources };
}
