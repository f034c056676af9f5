import type { JobState } from './job-state.ts';

/** Which patients a job migrates (DESIGN.md §4, `POST /migrations` scope). */
export type JobScope =
  | { readonly kind: 'all' }
  | { readonly kind: 'patients'; readonly patientIds: readonly string[] }
  | { readonly kind: 'cohort'; readonly name: string; readonly patientIds: readonly string[] }
  | { readonly kind: 'department'; readonly field: string; readonly values: readonly string[] };

export interface JobThresholds {
  /** Stop the job (`stopped-threshold`) when rejected / read passes this rate (0..1) … */
  readonly maxRejectionRate?: number;
  /** … once at least this many records were read. */
  readonly minRecords?: number;
}

export interface JobOptions {
  readonly dryRun: boolean;
  /** Priority phases to run, in order (empty: every phase of the map set). */
  readonly phases: readonly string[];
  readonly thresholds: JobThresholds;
  /** Also write each job step's AuditEvent to the target (not in a dry run). */
  readonly auditToTarget?: boolean;
}

/** What a job migrates, from where to where, with which maps. Stored as given (JSON). */
export interface JobSpec {
  /** Source SPEC (`csv:DIR`, `postgres://…`, …). */
  readonly source: string;
  readonly mapSet: { readonly id: string; readonly versionHash: string };
  readonly scope: JobScope;
  /** Target URL or `file:DIR`. */
  readonly target: string;
  readonly options: JobOptions;
}

/** Counters kept on the job row (incremented atomically by workers). */
export interface JobProgress {
  readonly tasksTotal: number;
  readonly tasksDone: number;
  readonly tasksFailed: number;
  readonly recordsRead: number;
  readonly recordsLoaded: number;
  readonly recordsRejected: number;
  readonly recordsSkipped: number;
  readonly resourcesWritten: number;
}

export type JobProgressDelta = { readonly [K in keyof JobProgress]?: number };

export const PROGRESS_FIELDS: readonly (keyof JobProgress)[] = [
  'tasksTotal',
  'tasksDone',
  'tasksFailed',
  'recordsRead',
  'recordsLoaded',
  'recordsRejected',
  'recordsSkipped',
  'resourcesWritten',
];

export const EMPTY_PROGRESS: JobProgress = {
  tasksTotal: 0,
  tasksDone: 0,
  tasksFailed: 0,
  recordsRead: 0,
  recordsLoaded: 0,
  recordsRejected: 0,
  recordsSkipped: 0,
  resourcesWritten: 0,
};

/** Why a job failed or stopped: a product error code and a message without PHI. */
export interface JobError {
  readonly code: string;
  readonly message: string;
}

export interface Job {
  readonly id: string;
  readonly state: JobState;
  readonly spec: JobSpec;
  readonly progress: JobProgress;
  readonly error: JobError | undefined;
  /** ISO 8601 instants. */
  readonly createdAt: string;
  readonly updatedAt: string;
}

export interface CreateJobOptions {
  /** A caller-chosen id (e.g. from the API); a random UUID otherwise. */
  readonly id?: string;
}

export interface ListJobsOptions {
  readonly states?: readonly JobState[];
  readonly limit?: number;
  readonly offset?: number;
}

export interface TransitionOptions {
  /** Recorded with `failed` / `stopped-threshold`; cleared when the job runs again. */
  readonly error?: JobError;
}
