import { GENESIS_HASH, canonicalJson, hashAuditEntry } from '../../provenance/index.ts';

export { GENESIS_HASH, canonicalJson };

export type JsonValue = null | boolean | number | string | readonly JsonValue[] | { readonly [key: string]: JsonValue | undefined };

/**
 * One link of the hash-chained audit log. The store computes `hash` inside the append
 * transaction (only it knows the next seq and the previous hash):
 *
 *   hash = sha256_hex(canonicalJson({ seq, at, type, payload, prevHash }))
 *
 * canonicalJson (src/provenance) is RFC 8785 (JCS) for JSON data: object keys sorted by UTF-16
 * code units, no whitespace, numbers and strings as JSON.stringify writes them, `undefined` members omitted.
 * The first entry's prevHash is GENESIS_HASH (64 zeros). A verifier recomputes each hash and
 * checks each prevHash against the previous entry's hash and that seq has no gap.
 */
export interface AuditEntry {
  readonly seq: number;
  /** ISO 8601 instant. */
  readonly at: string;
  /** e.g. `job.created`, `job.started`, `job.phase`, `job.rollback`, `export.completed`. */
  readonly type: string;
  readonly payload: JsonValue;
  readonly prevHash: string;
  readonly hash: string;
}

export interface AuditAppend {
  readonly type: string;
  /** No PHI: job ids, counts, SourceRef locators, resource ids. */
  readonly payload: JsonValue;
  /** Defaults to the store clock. */
  readonly at?: string;
}

export interface ReadAuditOptions {
  /** Entries with seq > afterSeq (default 0: from the start). */
  readonly afterSeq?: number;
  readonly limit?: number;
}

/** One hashing rule for the whole product: the provenance stage's (its verifier checks what the store wrote). */
export const auditEntryHash: (entry: Omit<AuditEntry, 'hash'>) => string = hashAuditEntry;

/** Builds the next link after `previous` (undefined: the first entry). */
export function nextAuditEntry(previous: { readonly seq: number; readonly hash: string } | undefined, append: AuditAppend, at: string): AuditEntry {
  const link = { seq: (previous?.seq ?? 0) + 1, at, type: append.type, payload: append.payload, prevHash: previous?.hash ?? GENESIS_HASH };
  return { ...link, hash: auditEntryHash(link) };
}
