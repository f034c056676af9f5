import { MigrateError } from '../../core/index.ts';
import type { FieldFilter, LegacySource } from '../../sources/index.ts';
import type { Job, JobSpec } from '../model/job.ts';
import type { TaskInput } from '../model/task.ts';
import { DEFAULT_PHASE_TABLE, selectPhases } from '../phases/phase-table.ts';
import type { PhaseTable } from '../phases/phase-table.ts';
import { SHARED_TASK_KEY } from '../runner/patient-task.ts';
import type { JobStore } from '../store/job-store.ts';

/**
 * The patient keys a scope names. `all` asks the source; a list is checked against the source
 * (an unknown patient is a usage error, not an empty migration); a department asks the source
 * for the patients with at least one record whose field has one of the values.
 */
export async function scopePatients(spec: JobSpec, source: LegacySource): Promise<string[]> {
  const scope = spec.scope;
  switch (scope.kind) {
    case 'all':
      return source.listPatients();
    case 'patients':
    case 'cohort': {
      const known = new Set(await source.listPatients());
      const unknown = scope.patientIds.filter((id) => !known.has(id));
      if (unknown.length > 0) throw new MigrateError('FHIRMIG_ERR_CONFIG_INVALID', `Patient(s) not in the source: ${unknown.slice(0, 5).join(', ')}${unknown.length > 5 ? ', …' : ''}`);
      return [...new Set(scope.patientIds)];
    }
    case 'department': {
      if (!source.patientsWhere) throw new MigrateError('FHIRMIG_ERR_SOURCE_FIELD', `A ${source.type} source cannot select patients by a field value: department scopes need a csv or SQL source.`);
      return source.patientsWhere(departmentFilter(scope.field, scope.values));
    }
    default:
      throw new MigrateError('FHIRMIG_ERR_CORE_INTERNAL', `Unknown scope ${String((scope satisfies never as { kind: unknown }).kind)}`);
  }
}

export interface PlanOptions {
  /** The map set's phase table (MapSet.phases); the default table otherwise. */
  readonly phaseTable?: PhaseTable;
}

/**
 * A department / service-line scope's `TABLE.COLUMN` and values as a source filter; a malformed
 * one throws FHIRMIG_ERR_SOURCE_FIELD.
 */
export function departmentFilter(field: string, values: readonly string[]): FieldFilter {
  const dot = field.indexOf('.');
  if (dot <= 0 || dot === field.length - 1) throw new MigrateError('FHIRMIG_ERR_SOURCE_FIELD', `A department scope names TABLE.COLUMN (e.g. encounters.ORGANIZATION), not '${field}'.`);
  const list = values.map((v) => v.trim()).filter((v) => v !== '');
  if (list.length === 0) throw new MigrateError('FHIRMIG_ERR_SOURCE_FIELD', `The department scope on ${field} names no value.`);
  return { kind: field.slice(0, dot), field: field.slice(dot + 1), values: list };
}

/**
 * Creates the job and one task per (patient, phase) for the phases the job runs
 * (`options.phases`, all by default), a phase's tasks before the next phase's (priority). A job
 * over the whole source also gets one task for the records of no patient (organisations,
 * practitioners, payers: every phase refers to them), in its first phase, before the patients.
 * An unknown phase name throws FHIRMIG_ERR_JOB_PHASE before anything is created.
 */
export async function planMigration(store: JobStore, spec: JobSpec, source: LegacySource, options: PlanOptions = {}): Promise<Job> {
  const phases = selectPhases(options.phaseTable ?? DEFAULT_PHASE_TABLE, spec.options.phases);
  const patients = await scopePatients(spec, source);
  const job = await store.createJob(spec);
  const tasks: TaskInput[] = phases.flatMap((phase, i) => patients.map((patientKey) => ({ patientKey, phase, priority: 1 + i })));
  if (spec.scope.kind === 'all') tasks.unshift({ patientKey: SHARED_TASK_KEY, phase: phases[0] as string, priority: 0 });
  await store.addTasks(job.id, tasks);
  return store.getJob(job.id);
}
