import type { JobError } from './job.ts';

/**
 * A Bulk Data `$export` kept in the job store, so that it survives a restart: an export still
 * `in-progress` when the service starts is run again from scratch (its files are rewritten).
 * `request` is the parsed kick-off request as JSON; src/bulk owns its shape.
 */
export type ExportState = 'in-progress' | 'completed' | 'failed';

export const EXPORT_STATES: readonly ExportState[] = ['in-progress', 'completed', 'failed'];

export interface ExportProgress {
  /** Resources written to the export's files so far. */
  readonly resourcesWritten: number;
  /** Resources the export will look at (from the id maps), once known. */
  readonly resourcesPlanned: number;
  /** The resource type being written, for `X-Progress`. */
  readonly currentType: string | undefined;
}

export const EMPTY_EXPORT_PROGRESS: ExportProgress = { resourcesWritten: 0, resourcesPlanned: 0, currentType: undefined };

export interface ExportRecord {
  readonly id: string;
  readonly state: ExportState;
  readonly request: Readonly<Record<string, unknown>>;
  /** ISO instant of the kick-off (the manifest's transactionTime). */
  readonly transactionTime: string;
  readonly progress: ExportProgress;
  readonly error: JobError | undefined;
  /** How many times a run started (1 + restarts after a service restart). */
  readonly attempts: number;
  /** Epoch ms. */
  readonly createdAt: number;
  readonly updatedAt: number;
}

export interface CreateExportInput {
  /** A caller-chosen id; a random UUID otherwise. */
  readonly id?: string;
  readonly request: Readonly<Record<string, unknown>>;
  readonly transactionTime: string;
}

export interface ExportUpdate {
  readonly state?: ExportState;
  readonly progress?: ExportProgress;
  /** `null` clears a recorded error. */
  readonly error?: JobError | null;
  /** Adds this many run attempts. */
  readonly addAttempts?: number;
}

export interface ListExportsOptions {
  readonly states?: readonly ExportState[];
}
