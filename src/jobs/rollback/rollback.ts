import type { Target } from '../../target/index.ts';
import type { TargetResourceRef } from '../model/id-map.ts';
import type { Job } from '../model/job.ts';
import { recordJobStep } from '../runner/audit.ts';
import type { JobStore } from '../store/job-store.ts';

export interface RollbackReport {
  readonly jobId: string;
  readonly state: string;
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
}

/**
 * Deletes exactly what the job wrote (its id map), newest write first: bundles are written in
 * dependency order, so this is reverse dependency order. A resource whose version changed on the
 * target since is reported instead of deleted. A failed rollback can be run again.
 */
export async function rollbackJob(env: RollbackEnv, jobId: string): Promise<RollbackReport> {
  const { store, target } = env;
  let job: Job = await store.getJob(jobId);
  if (job.state !== 'rolling-back') job = await store.transitionJob(jobId, 'rolling-back');
  const deleted: TargetResourceRef[] = [];
  const changed: TargetResourceRef[] = [];
  let notFound = 0;
  try {
    for (const entry of await store.listIds(jobId, { order: 'reverse', status: 'written' })) {
      const ref = { resourceType: entry.resourceType, targetId: entry.targetId };
      const outcome = await target.delete(entry.resourceType, entry.targetId, entry.versionId === undefined ? {} : { versionId: entry.versionId });
      if (outcome === 'changed') changed.push(ref);
      else {
        if (outcome === 'not-found') notFound++;
        deleted.push(ref);
      }
    }
  } catch (error) {
    await flush(store, jobId, deleted, changed);
    await store.transitionJob(jobId, 'failed', { error: { code: 'FHIRMIG_ERR_TARGET_UNAVAILABLE', message: `Rollback stopped: ${(error as Error).message}` } });
    throw error;
  }
  await flush(store, jobId, deleted, changed);
  job = await store.transitionJob(jobId, 'rolled-back');
  await recordJobStep({
    store, jobId, step: 'rollback', device: env.device,
    outcome: changed.length === 0 ? 'success' : 'minor-failure',
    details: { deleted: deleted.length - notFound, notFound, changedOnTarget: changed.length },
  });
  return { jobId, state: job.state, deleted: deleted.length - notFound, notFound, changedOnTarget: changed.map((r) => `${r.resourceType}/${r.targetId}`) };
}

async function flush(store: JobStore, jobId: string, deleted: readonly TargetResourceRef[], changed: readonly TargetResourceRef[]): Promise<void> {
  if (deleted.length > 0) await store.setIdStatus(jobId, deleted, 'deleted');
  if (changed.length > 0) await store.setIdStatus(jobId, changed, 'changed-on-target');
}
