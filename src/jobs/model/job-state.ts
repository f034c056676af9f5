import { MigrateError } from '../../core/index.ts';

/**
 * The life of a migration job. `cancelling` exists because cancel is cooperative: workers finish
 * the record in hand and stop between records; only then is the job `cancelled`.
 */
export type JobState =
  | 'queued'
  | 'running'
  | 'paused'
  | 'cancelling'
  | 'cancelled'
  | 'completed'
  | 'failed'
  | 'stopped-threshold'
  | 'rolling-back'
  | 'rolled-back';

export const JOB_STATES: readonly JobState[] = [
  'queued',
  'running',
  'paused',
  'cancelling',
  'cancelled',
  'completed',
  'failed',
  'stopped-threshold',
  'rolling-back',
  'rolled-back',
];

/**
 * Allowed transitions. A job that stopped (failed, threshold, cancelled) can be resumed (`running`):
 * its unfinished tasks run, nothing already loaded is sent again; any job that wrote something and is no longer running can be rolled back; a
 * rollback that fails can be retried (`failed` → `rolling-back`).
 */
const TRANSITIONS: Readonly<Record<JobState, readonly JobState[]>> = {
  queued: ['running', 'cancelled', 'failed'],
  running: ['paused', 'cancelling', 'completed', 'failed', 'stopped-threshold'],
  paused: ['running', 'cancelling', 'cancelled', 'failed', 'rolling-back'],
  cancelling: ['cancelled', 'failed'],
  cancelled: ['running', 'rolling-back'],
  completed: ['rolling-back'],
  failed: ['running', 'rolling-back'],
  'stopped-threshold': ['running', 'rolling-back'],
  'rolling-back': ['rolled-back', 'failed'],
  'rolled-back': [],
};

export function allowedTransitions(from: JobState): readonly JobState[] {
  return TRANSITIONS[from];
}

export function canTransition(from: JobState, to: JobState): boolean {
  return TRANSITIONS[from].includes(to);
}

/** Throws FHIRMIG_ERR_JOB_STATE (409) naming what is allowed, when `from → to` is forbidden. */
export function assertTransition(jobId: string, from: JobState, to: JobState): void {
  if (canTransition(from, to)) return;
  const allowed = TRANSITIONS[from];
  const hint = allowed.length === 0 ? 'it is final' : `allowed: ${allowed.join(', ')}`;
  throw new MigrateError('FHIRMIG_ERR_JOB_STATE', `Job ${jobId} cannot go from '${from}' to '${to}' (${hint}).`);
}

/** States in which no worker acts on the job (nothing will change unless someone asks). */
export function isSettled(state: JobState): boolean {
  switch (state) {
    case 'queued':
    case 'running':
    case 'cancelling':
    case 'rolling-back':
      return false;
    case 'paused':
    case 'cancelled':
    case 'completed':
    case 'failed':
    case 'stopped-threshold':
    case 'rolled-back':
      return true;
    default:
      throw new MigrateError('FHIRMIG_ERR_CORE_INTERNAL', `Unknown job state '${String(state satisfies never)}'.`);
  }
}

export function isJobState(value: string): value is JobState {
  return (JOB_STATES as readonly string[]).includes(value);
}
