import type { SourceRecord } from '../../core/index.ts';
import type { SourceRejection } from '../../sources/index.ts';
import type { JsonValue } from '../model/audit.ts';
import type { Job } from '../model/job.ts';
import type { Task } from '../model/task.ts';
import { processorOf } from '../runner/record-processor.ts';
import { noLease } from '../runner/types.ts';
import type { KeepLease, MapSet, MappedRecord, MigrationEnv } from '../runner/types.ts';
import { decidePhases } from './decide.ts';
import { kindOfRecordId, recordId, tableType } from './phase-plan.ts';
import type { EarlierResource, PhasePlan } from './phase-plan.ts';
import { DEFAULT_PHASE_TABLE, phaseIndex, phaseOfType } from './phase-table.ts';
import type { PhaseTable } from './phase-table.ts';

/** The phase of every task of a job planned before priority phases: it takes all of a patient's records. */
export const ALL_PHASE = 'all';

export function phaseTableOf(mapSet: MapSet): PhaseTable {
  return mapSet.phases ?? DEFAULT_PHASE_TABLE;
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

export { recordType, tableType } from './phase-plan.ts';
export type { EarlierResource } from './phase-plan.ts';

/**
 * Keeps what the phase's task owns: each record of the patient belongs to exactly one phase, so
 * across a job's tasks every record is recorded once. The first task of a phase not decided yet
 * decides it (decidePhases: mapping only the records of that phase and the earlier ones) and
 * extends the patient's stored plan; a task whose phase the plan decided maps its own records.
 * The shared task and `all` tasks take everything.
 */
export async function splitForTask(env: MigrationEnv, job: Job, task: Task, shared: boolean, rejections: readonly SourceRejection[], records: readonly SourceRecord[], keepLease: KeepLease = noLease, readKinds: ReadKinds = noKinds): Promise<PhaseSplit> {
  const mapAll = (list: readonly SourceRecord[]): Promise<MappedRecord[]> => mapRecords(env, list, keepLease);
  if (shared || task.phase === ALL_PHASE) return { rejections, current: await mapAll(records), earlier: [] };
  const table = phaseTableOf(env.mapSet);
  const wanted = phaseIndex(table, task.phase);
  const rejectionPhase = (r: SourceRejection): number => phaseOfType(table, tableType(env.mapSet, r.ref.kind));
  const own = rejections.filter((r) => rejectionPhase(r) === wanted);
  const stored = loadedPlans.has(task) ? loadedPlans.get(task) : await loadPlan(env, job, task);
  loadedPlans.delete(task);
  if (stored && decidedThrough(table, stored) >= wanted) {
    const phaseOf = (r: SourceRecord): number | undefined => {
      const id = recordId(r.ref.kind, r.key);
      return stored.records[id] ?? (stored.pending?.[id] === undefined ? phaseOfType(table, tableType(env.mapSet, r.ref.kind)) : undefined);
    };
    return { rejections: own, current: await mapAll(records.filter((r) => phaseOf(r) === wanted)), earlier: earlierOf(stored, wanted) };
  }
  const decided = await decidePhases({ mapSet: env.mapSet, table, wanted, records, plan: stored, map: mapAll, readKinds });
  // No task reads the plan after the last phase; a rerun of this one decides again, alike.
  if (wanted < table.phases.length - 1) await env.store.savePhasePlan(job.id, task.patientKey, decided.plan() as unknown as JsonValue);
  return { rejections: own, current: decided.current, earlier: decided.earlier };
}

/** Reads the task's patient's records of the given kinds. */
export type ReadKinds = (kinds: readonly string[]) => Promise<SourceRecord[]>;

const noKinds: ReadKinds = async () => [];

/** A plan without `decidedThrough` decided every phase at once. */
function decidedThrough(table: PhaseTable, plan: PhasePlan): number {
  return plan.decidedThrough ?? table.phases.length - 1;
}

function earlierOf(plan: PhasePlan, wanted: number): EarlierResource[] {
  return plan.resources
    .filter((r) => r[4] !== null && r[4] < wanted)
    .map(([kind, recordKey, resourceType, key, , identifiers]) => ({ kind, recordKey, resourceType, key, identifiers }));
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
  // for…in, not Object.entries: a plan names every record of the patient, and this runs per task.
  for (const id in stored.records) if (stored.records[id] === wanted) kinds.add(kindOfRecordId(id));
  // A task that decides its phase maps the undecided records that can belong to it (the others it reads only when pulled in).
  const pending = stored.pending ?? {};
  if (decidedThrough(table, stored) < wanted) for (const id in pending) if ((pending[id] as number) <= wanted) kinds.add(kindOfRecordId(id));
  return [...kinds];
}
