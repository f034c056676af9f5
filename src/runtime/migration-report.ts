import type { SourceRef } from '../core/index.ts';
import type { JobStore } from '../jobs/index.ts';

/** One rejected record of a report: where it came from and why (no record content). */
export interface RejectedRecord {
  readonly ref: SourceRef;
  readonly recordKey: string;
  readonly resourceType?: string;
  readonly issues: readonly fhir4.OperationOutcomeIssue[];
}

/** The rejections of one error code: how many, and the first of them with their SourceRefs. */
export interface MigrationErrorGroup {
  readonly code: string;
  readonly count: number;
  readonly records: readonly RejectedRecord[];
}

/** Records listed per code; the count is always the full one. */
export const RECORDS_PER_CODE = 100;

/** Rejected records grouped by error code, largest group first, from the ledger. */
export async function jobErrors(store: JobStore, jobId: string, perCode = RECORDS_PER_CODE): Promise<MigrationErrorGroup[]> {
  const counts = await store.countOutcomes(jobId);
  const groups: MigrationErrorGroup[] = [];
  for (const [code, count] of Object.entries(counts.rejectedByCode)) {
    const page = await store.listOutcomes(jobId, { outcome: 'rejected', errorCode: code, limit: perCode });
    const records = page.entries.map((e) => ({ ref: e.ref, recordKey: e.recordKey, ...(e.resourceType ? { resourceType: e.resourceType } : {}), issues: e.issues }));
    groups.push({ code, count, records });
  }
  return groups.sort((a, b) => b.count - a.count || a.code.localeCompare(b.code));
}
