import { createHash } from 'node:crypto';
import { MigrateError } from '../../core/index.ts';

export type JsonValue = null | boolean | number | string | readonly JsonValue[] | { readonly [key: string]: JsonValue | undefined };

/**
 * One link of the hash-chained audit log. The store computes `hash` inside the append
 * transaction (only it knows the next seq and the previous hash):
 *
 *   hash = sha256_hex(canonicalJson({ seq, at, type, payload, prevHash }))
 *
 * canonicalJson is RFC 8785 (JCS) for JSON data: object keys sorted by UTF-16 code units, no
 * whitespace, numbers and strings as JSON.stringify writes them, `undefined` members omitted.
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

export const GENESIS_HASH = '0'.repeat(64);

export function canonicalJson(value: JsonValue): string {
  if (value === null || typeof value === 'boolean' || typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new MigrateError('FHIRMIG_ERR_CORE_INTERNAL', `Audit payloads hold JSON only; got the number ${value}.`);
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) return `[${value.map((item: JsonValue) => canonicalJson(item)).join(',')}]`;
  if (typeof value === 'object') return canonicalObject(value as { readonly [key: string]: JsonValue | undefined });
  throw new MigrateError('FHIRMIG_ERR_CORE_INTERNAL', `Audit payloads hold JSON only; got a ${typeof value}.`);
}

function canonicalObject(value: { readonly [key: string]: JsonValue | undefined }): string {
  const members: string[] = [];
  for (const key of Object.keys(value).sort()) {
    const member = value[key];
    if (member !== undefined) members.push(`${JSON.stringify(key)}:${canonicalJson(member)}`);
  }
  return `{${members.join(',')}}`;
}

export function auditEntryHash(entry: Omit<AuditEntry, 'hash'>): string {
  const canonical = canonicalJson({ seq: entry.seq, at: entry.at, type: entry.type, payload: entry.payload, prevHash: entry.prevHash });
  return createHash('sha256').update(canonical, 'utf8').digest('hex');
}

/** Builds the next link after `previous` (undefined: the first entry). */
export function nextAuditEntry(previous: { readonly seq: number; readonly hash: string } | undefined, append: AuditAppend, at: string): AuditEntry {
  const link = { seq: (previous?.seq ?? 0) + 1, at, type: append.type, payload: append.payload, prevHash: previous?.hash ?? GENESIS_HASH };
  return { ...link, hash: auditEntryHash(link) };
}
