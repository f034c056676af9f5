/**
 * Source record → target resource, per job. Rollback deletes exactly these, newest first
 * (bundles are written in dependency order, so reverse write order is reverse dependency order);
 * a resource whose versionId changed on the target since is reported, not deleted.
 */
export type IdMapStatus = 'written' | 'deleted' | 'changed-on-target';

export interface IdMapEntryInput {
  readonly source: string;
  /** The patient of the record (of the task, for its Provenances); absent: none. */
  readonly patientKey?: string;
  readonly kind: string;
  readonly recordKey: string;
  readonly resourceType: string;
  readonly targetId: string;
  readonly versionId?: string;
  /** ISO instant from the target's meta.lastUpdated. */
  readonly lastUpdated?: string;
  /** The priority phase whose task wrote it: a phase rolls back on its own. */
  readonly phase?: string;
}

export interface IdMapEntry {
  readonly jobId: string;
  /** Write order within the store (increasing). */
  readonly seq: number;
  readonly source: string;
  readonly patientKey: string | undefined;
  readonly kind: string;
  readonly recordKey: string;
  readonly resourceType: string;
  readonly targetId: string;
  readonly versionId: string | undefined;
  readonly lastUpdated: string | undefined;
  readonly phase: string | undefined;
  readonly status: IdMapStatus;
}

export interface ListIdMapOptions {
  /** `reverse`: newest write first (rollback order). Default `written`. */
  readonly order?: 'written' | 'reverse';
  readonly status?: IdMapStatus;
  readonly phase?: string;
  readonly limit?: number;
  readonly offset?: number;
}

export function dedupeIdMapBatch(entries: readonly IdMapEntryInput[]): IdMapEntryInput[] {
  const byKey = new Map<string, IdMapEntryInput>();
  for (const entry of entries) byKey.set(`${entry.patientKey ?? ''}\u001f${entry.resourceType}/${entry.targetId}`, entry);
  return [...byKey.values()];
}
