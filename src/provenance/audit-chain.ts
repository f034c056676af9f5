import { createHash } from 'node:crypto';
import { canonicalJson } from './canonical-json.ts';

/** One entry of the hash-chained audit log. `hash` = sha-256 over the canonical JSON of the rest. */
export interface AuditEntry {
  readonly seq: number;
  /** ISO instant. */
  readonly at: string;
  /** e.g. `job.start`, `job.phase`, `job.rollback`. */
  readonly type: string;
  readonly payload: unknown;
  /** The previous entry's hash (GENESIS_HASH for the first). */
  readonly prevHash: string;
  readonly hash: string;
}

export interface AuditEntryInput {
  readonly at: string;
  readonly type: string;
  readonly payload: unknown;
}

export const GENESIS_HASH = '0'.repeat(64);

export function hashAuditEntry(entry: Omit<AuditEntry, 'hash'>): string {
  const { seq, at, type, payload, prevHash } = entry;
  return createHash('sha256').update(canonicalJson({ seq, at, type, payload, prevHash })).digest('hex');
}

/** The entry that follows `previous` (or starts a chain). Pure: the caller stores it. */
export function createAuditEntry(previous: AuditEntry | undefined, input: AuditEntryInput): AuditEntry {
  const body = { seq: previous ? previous.seq + 1 : 1, at: input.at, type: input.type, payload: input.payload, prevHash: previous?.hash ?? GENESIS_HASH };
  return { ...body, hash: hashAuditEntry(body) };
}

/** Appends to an in-memory chain and returns the new chain. */
export function appendAuditEntry(chain: readonly AuditEntry[], input: AuditEntryInput): AuditEntry[] {
  return [...chain, createAuditEntry(chain[chain.length - 1], input)];
}

export type AuditChainProblem = 'modified' | 'missing' | 'out-of-order' | 'broken-link' | 'head-mismatch';

export type AuditChainVerdict =
  | { readonly ok: true; readonly count: number; readonly headHash: string }
  | { readonly ok: false; readonly seq: number; readonly problem: AuditChainProblem; readonly message: string };

export interface VerifyAuditChainOptions {
  /**
   * The last hash recorded elsewhere (a report, a second store). Without it, removing entries from
   * the end, or rewriting and re-hashing every entry, cannot be told from a shorter honest chain.
   */
  readonly expectedHeadHash?: string;
  readonly expectedCount?: number;
}

/**
 * Checks a chain in stored order and names the first entry that breaks it: an edited entry
 * (`modified`, its hash no longer matches), a deleted one (`missing`: the seq the gap starts at),
 * an inserted or reordered one (`out-of-order` / `broken-link`).
 */
export function verifyAuditChain(entries: readonly AuditEntry[], options: VerifyAuditChainOptions = {}): AuditChainVerdict {
  let prevHash = GENESIS_HASH;
  const present = new Set(entries.map((e) => e.seq));
  for (let i = 0; i < entries.length; i++) {
    const entry = entries[i] as AuditEntry;
    const expectedSeq = i + 1;
    if (hashAuditEntry(entry) !== entry.hash) return fail(entry.seq, 'modified', `entry ${entry.seq} was changed: its content no longer matches its hash`);
    if (entry.seq > expectedSeq && entry.prevHash !== prevHash && !present.has(expectedSeq)) {
      return fail(expectedSeq, 'missing', `entry ${expectedSeq} is missing: entry ${entry.seq} follows entry ${expectedSeq - 1}`);
    }
    if (entry.seq !== expectedSeq) return fail(entry.seq, 'out-of-order', `entry ${entry.seq} is at position ${expectedSeq}: inserted or reordered`);
    if (entry.prevHash !== prevHash) return fail(entry.seq, 'broken-link', `entry ${entry.seq} does not follow entry ${expectedSeq - 1}: inserted or reordered`);
    prevHash = entry.hash;
  }
  const count = entries.length;
  if (options.expectedCount !== undefined && count < options.expectedCount) {
    return fail(count + 1, 'missing', `entries ${count + 1}..${options.expectedCount} are missing from the end`);
  }
  if (options.expectedHeadHash !== undefined && options.expectedHeadHash !== prevHash) {
    return fail(count, 'head-mismatch', `the chain ends at entry ${count} with a hash other than the recorded head`);
  }
  return { ok: true, count, headHash: prevHash };
}

function fail(seq: number, problem: AuditChainProblem, message: string): AuditChainVerdict {
  return { ok: false, seq, problem, message };
}
