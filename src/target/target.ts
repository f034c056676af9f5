import type { PlannedBundle } from './bundle-builder.ts';

/** What the target answered for one entry (a transaction-response entry, or the file target's equivalent). */
export interface EntryResult {
  /** `Type/id` with the deterministic id the bundle was built with. */
  readonly key: string;
  readonly resourceType: string;
  /** HTTP status of the entry: 201 created, 200 updated / matched / unchanged, 4xx rejected. */
  readonly status: number;
  /** The id on the target (the deterministic id for `put`, the server's id for conditional create). */
  readonly id?: string;
  readonly versionId?: string;
  /** `Location` as the target gave it. */
  readonly location?: string;
  /** The target's OperationOutcome for this entry (or for the whole refused chunk). */
  readonly outcome?: fhir4.OperationOutcome;
}

export type ChunkState = 'written' | 'rejected' | 'skipped';

export interface ChunkResult {
  readonly index: number;
  readonly state: ChunkState;
  /** HTTP status of the transaction (0 when skipped). */
  readonly status: number;
  /** Requests made for this chunk (1 + retries). */
  readonly attempts: number;
  readonly outcome?: fhir4.OperationOutcome;
}

export interface WriteResult {
  /** One result per planned entry that was sent, in bundle order. */
  readonly entries: readonly EntryResult[];
  readonly chunks: readonly ChunkResult[];
  /** True when every chunk was written. */
  readonly complete: boolean;
}

/**
 * Progress of one bundle's write, kept by the caller across attempts: after a
 * FHIRMIG_ERR_TARGET_UNAVAILABLE pause, calling `write` again with the same session re-sends only
 * the chunks that did not land. `resolved` maps deterministic keys (`Type/id`) to the reference on
 * the target; the caller may seed it with resources written by earlier bundles.
 */
export interface WriteSession {
  readonly resolved: Map<string, string>;
  readonly chunkResults: Map<number, ChunkResult>;
  readonly entryResults: Map<string, EntryResult>;
}

export function createWriteSession(resolved: ReadonlyMap<string, string> = new Map()): WriteSession {
  return { resolved: new Map(resolved), chunkResults: new Map(), entryResults: new Map() };
}

export interface DeleteOptions {
  /** The version the job wrote; the delete happens only if the target still holds it. */
  readonly versionId?: string;
}

/** `deleted`; `not-found` (already gone); `changed` (a newer version is there: not deleted). */
export type DeleteOutcome = 'deleted' | 'not-found' | 'changed';

/** Where migrated resources go: a FHIR server over HTTP, or NDJSON files (`file:DIR`). */
export interface Target {
  readonly kind: 'http' | 'file';
  /** Writes a planned bundle chunk by chunk, in dependency order. */
  write(bundle: PlannedBundle, session?: WriteSession): Promise<WriteResult>;
  /** The current resource, or undefined when it is not there. */
  read(resourceType: string, id: string): Promise<fhir4.Resource | undefined>;
  /**
   * The current resources of one type with these ids, in batches (http: `GET Type?_id=a,b,…`
   * pages; file: one pass over the type's NDJSON). Ids not on the target are left out; order is
   * not kept. For exports: one request per batch instead of one per resource.
   */
  readMany(resourceType: string, ids: readonly string[]): Promise<fhir4.Resource[]>;
  /**
   * Deletes a resource. With `versionId` (what the job wrote) a resource changed since then is
   * left alone and reported as `changed` (rollback reports it instead of deleting it).
   */
  delete(resourceType: string, id: string, options?: DeleteOptions): Promise<DeleteOutcome>;
  /** How many resources of a type carry a tag (e.g. the job's tag); all of the type without one. */
  count(resourceType: string, tag?: fhir4.Coding): Promise<number>;
  close(): Promise<void>;
}

/** Builds the WriteResult from a session after a write pass. */
export function summarizeSession(bundle: PlannedBundle, session: WriteSession): WriteResult {
  const entries = bundle.entries.map((e) => session.entryResults.get(e.key)).filter((r): r is EntryResult => r !== undefined);
  const chunks = bundle.chunks.map((_, index) => session.chunkResults.get(index) ?? { index, state: 'skipped' as const, status: 0, attempts: 0 });
  return { entries, chunks, complete: chunks.every((c) => c.state === 'written') };
}
