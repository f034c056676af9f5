import { MigrateError } from '../../core/index.ts';
import type { Target, TargetProfile } from '../../target/index.ts';
import type { IdMapEntry } from '../model/id-map.ts';
import type { Job } from '../model/job.ts';
import { assertTransition, canTransition } from '../model/job-state.ts';
import { publishJobAudit, recordJobStep } from '../runner/audit.ts';
import type { JobStore } from '../store/job-store.ts';

export interface RollbackReport {
  readonly jobId: string;
  readonly state: string;
  /** The phase rolled back; absent for the whole job. */
  readonly phase?: string;
  readonly deleted: number;
  /** Already gone from the target. */
  readonly notFound: number;
  /** Changed on the target since the job wrote them: reported, not deleted. */
  readonly changedOnTarget: readonly string[];
}

export interface RollbackEnv {
  readonly store: JobStore;
  readonly target: Target;
  readonly device: fhir4.Device;
  /** How to write the job's AuditEvents when the job has `auditToTarget` (skipped without it). */
  readonly profile?: TargetProfile;
}

export interface RollbackOptions {
  /** Roll back only what this phase's tasks wrote; the job keeps its state (it can run on). */
  readonly phase?: string;
}

/**
 * Deletes exactly what the job (or one of its phases) wrote (its id map), newest write first:
 * bundles are written in dependency order and phases in priority order, so this is reverse
 * dependency order. A resource whose version changed on the target since is reported instead of
 * deleted. A failed rollback can be run again. A phase rollback needs a job that is not running
 * (one a whole rollback could start from: completed, failed, stopped-threshold, paused,
 * cancelled) and leaves its state as it was; its deleted records are sent again by a re-run.
 */
export async function rollbackJob(env: RollbackEnv, jobId: string, options: RollbackOptions = {}): Promise<RollbackReport> {
  const { store } = env;
  const phase = options.phase;
  let job: Job = await store.getJob(jobId);
  if (phase !== undefined) {
    if (!canTransition(job.state, 'rolling-back')) assertTransition(jobId, job.state, 'rolling-back');
    const phases = new Set((await store.listTasks(jobId)).map((t) => t.phase));
    if (!phases.has(phase)) throw new MigrateError('FHIRMIG_ERR_JOB_PHASE', `Job ${jobId} has no phase '${phase}' (its phases: ${[...phases].join(', ')}).`);
  } else if (job.state !== 'rolling-back') job = await store.transitionJob(jobId, 'rolling-back');
  const result = await deleteWritten(env, job, phase);
  if (phase === undefined) job = await store.transitionJob(jobId, 'rolled-back');
  const { deleted, changed, notFound } = result;
  await recordJobStep({
    store, jobId, step: 'rollback', device: env.device,
    outcome: changed.length === 0 ? 'success' : 'minor-failure',
    details: { ...(phase === undefined ? {} : { phase }), deleted: deleted.length - notFound, notFound, changedOnTarget: changed.length },
  });
  if (job.spec.options.auditToTarget === true && env.profile) await publishJobAudit({ store, target: env.target, profile: env.profile }, jobId);
  return { jobId, state: job.state, ...(phase === undefined ? {} : { phase }), deleted: deleted.length - notFound, notFound, changedOnTarget: changed.map((r) => `${r.resourceType}/${r.targetId}`) };
}

async function deleteWritten(env: RollbackEnv, job: Job, phase: string | undefined): Promise<{ deleted: IdMapEntry[]; changed: IdMapEntry[]; notFound: number }> {
  const { store, target } = env;
  const jobId = job.id;
  const deleted: IdMapEntry[] = [];
  const changed: IdMapEntry[] = [];
  let notFound = 0;
  try {
    for (const entry of await store.listIds(jobId, { order: 'reverse', status: 'written', ...(phase === undefined ? {} : { phase }) })) {
      const outcome = await target.delete(entry.resourceType, entry.targetId, entry.versionId === undefined ? {} : { versionId: entry.versionId });
      if (outcome === 'changed') changed.push(entry);
      else {
        if (outcome === 'not-found') notFound++;
        deleted.push(entry);
      }
    }
  } catch (error) {
    await flush(store, jobId, deleted, changed);
    if (phase === undefined) await store.transitionJob(jobId, 'failed', { error: { code: 'FHIRMIG_ERR_TARGET_UNAVAILABLE', message: `Rollback stopped: ${(error as Error).message}` } });
    throw error;
  }
  await flush(store, jobId, deleted, changed);
  return { deleted, changed, notFound };
}

async function flush(store: JobStore, jobId: string, deleted: readonly IdMapEntry[], changed: readonly IdMapEntry[]): Promise<void> {
  if (deleted.length > 0) await store.setIdStatus(jobId, deleted.map((e) => e.seq), 'deleted');
  if (changed.length > 0) await store.setIdStatus(jobId, changed.map((e) => e.seq), 'changed-on-target');
}
