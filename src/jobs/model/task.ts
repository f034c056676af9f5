/**
 * One unit of work: one patient in one phase. A claimed task carries a lease; when the lease
 * expires (the worker crashed or was killed) the task is claimable again — that is what makes a
 * job resumable after SIGKILL. Loads are idempotent, so a task run twice writes nothing twice.
 */
export type TaskState = 'pending' | 'claimed' | 'done' | 'failed';

export const TASK_STATES: readonly TaskState[] = ['pending', 'claimed', 'done', 'failed'];

export interface TaskInput {
  readonly patientKey: string;
  readonly phase: string;
  /** Lower runs first (phases in priority order); 0 by default. */
  readonly priority?: number;
}

export interface Task {
  readonly id: number;
  readonly jobId: string;
  readonly patientKey: string;
  readonly phase: string;
  readonly priority: number;
  readonly state: TaskState;
  /** How many times it was claimed (the current claim included). */
  readonly attempts: number;
  readonly claimedBy: string | undefined;
  /** Epoch milliseconds; undefined unless claimed. */
  readonly leaseExpiresAt: number | undefined;
  readonly error: { readonly code: string; readonly message: string } | undefined;
}

export interface ClaimOptions {
  /** Claim only tasks of this phase (the runner works phase by phase). */
  readonly phase?: string;
}

export interface FailTaskOptions {
  /** Put the task back to `pending` (another attempt) instead of `failed`. */
  readonly retry?: boolean;
}

export type TaskCounts = Readonly<Record<TaskState, number>>;

export interface ListTasksOptions {
  readonly state?: TaskState;
  readonly limit?: number;
  readonly offset?: number;
}
