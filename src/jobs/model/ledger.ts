import type { SourceRef } from '../../core/index.ts';

/** Every source record ends in exactly one of these (DESIGN.md §2). */
export type LedgerOutcome = 'loaded' | 'rejected' | 'skipped';

export const LEDGER_OUTCOMES: readonly LedgerOutcome[] = ['loaded', 'rejected', 'skipped'];

/** What a worker records for one source record. Never the record's content (PHI). */
export interface LedgerEntryInput {
  readonly ref: SourceRef;
  /** The record's stable key within its kind (SourceRecord.key). */
  readonly recordKey: string;
  readonly patientKey?: string;
  readonly outcome: LedgerOutcome;
  /** The main resource type the record maps to, when known (reconciliation per resource type). */
  readonly resourceType?: string;
  /** Product error code for `rejected` (or the documented rule for `skipped`). */
  readonly errorCode?: string;
  /** Located issues (OperationOutcome issues with expression/location). */
  readonly issues?: readonly fhir4.OperationOutcomeIssue[];
  /** `Type/id` of every target resource the record produced. */
  readonly targetIds?: readonly string[];
  /** Hash of the record's content: unchanged records send nothing on a re-run. */
  readonly contentHash?: string;
  /** The priority phase whose task recorded it (the runner sets it). */
  readonly phase?: string;
}

export interface LedgerEntry {
  readonly jobId: string;
  readonly ref: SourceRef;
  readonly recordKey: string;
  readonly patientKey: string | undefined;
  readonly outcome: LedgerOutcome;
  readonly resourceType: string | undefined;
  readonly errorCode: string | undefined;
  readonly issues: readonly fhir4.OperationOutcomeIssue[];
  readonly targetIds: readonly string[];
  readonly contentHash: string | undefined;
  readonly phase: string | undefined;
  /** Epoch milliseconds of the last write. */
  readonly updatedAt: number;
}

/** `read = loaded + rejected + skipped`, by construction. */
export interface OutcomeCounts {
  readonly read: number;
  readonly loaded: number;
  readonly rejected: number;
  readonly skipped: number;
}

export interface LedgerCounts {
  readonly total: OutcomeCounts;
  /** Per source table / message type (SourceRef.kind). */
  readonly byKind: Readonly<Record<string, OutcomeCounts>>;
  /** Per main resource type (`(none)` when unknown, e.g. a parse error). */
  readonly byResourceType: Readonly<Record<string, OutcomeCounts>>;
  /** Rejected records per error code. */
  readonly rejectedByCode: Readonly<Record<string, number>>;
}

export interface ListLedgerOptions {
  readonly outcome?: LedgerOutcome;
  readonly errorCode?: string;
  readonly kind?: string;
  readonly phase?: string;
  readonly limit?: number;
  readonly offset?: number;
}

export interface LedgerPage {
  readonly entries: readonly LedgerEntry[];
  readonly total: number;
}

/** A record whose last load is wanted: by its patient (undefined: none) as recorded in the ledger. */
export interface RecordLookup {
  readonly patientKey: string | undefined;
  readonly kind: string;
  readonly recordKey: string;
}

/** The last live load of a record (delta detection): its content hash and what it produced. */
export interface PreviousLoad {
  readonly jobId: string;
  readonly kind: string;
  readonly recordKey: string;
  readonly contentHash: string | undefined;
  readonly targetIds: readonly string[];
  readonly updatedAt: number;
}

export const NO_RESOURCE_TYPE = '(none)';

/** One grouped count row, as both backends return it. */
export interface LedgerCountRow {
  readonly kind: string;
  readonly resourceType: string | undefined;
  readonly outcome: LedgerOutcome;
  readonly errorCode: string | undefined;
  readonly count: number;
}

function addOutcome(counts: OutcomeCounts | undefined, outcome: LedgerOutcome, n: number): OutcomeCounts {
  const base = counts ?? { read: 0, loaded: 0, rejected: 0, skipped: 0 };
  return { ...base, read: base.read + n, [outcome]: base[outcome] + n };
}

/** Folds grouped rows into the reconciliation shape. */
export function foldLedgerCounts(rows: readonly LedgerCountRow[]): LedgerCounts {
  let total: OutcomeCounts = { read: 0, loaded: 0, rejected: 0, skipped: 0 };
  const byKind: Record<string, OutcomeCounts> = {};
  const byResourceType: Record<string, OutcomeCounts> = {};
  const rejectedByCode: Record<string, number> = {};
  for (const row of rows) {
    total = addOutcome(total, row.outcome, row.count);
    byKind[row.kind] = addOutcome(byKind[row.kind], row.outcome, row.count);
    const type = row.resourceType ?? NO_RESOURCE_TYPE;
    byResourceType[type] = addOutcome(byResourceType[type], row.outcome, row.count);
    if (row.outcome === 'rejected') {
      const code = row.errorCode ?? NO_RESOURCE_TYPE;
      rejectedByCode[code] = (rejectedByCode[code] ?? 0) + row.count;
    }
  }
  return { total, byKind, byResourceType, rejectedByCode };
}

/**
 * Keeps the last entry per (source, kind, record key): a batch that names a record twice must
 * upsert once (PostgreSQL refuses to update one row twice in one statement).
 */
export function dedupeLedgerBatch(entries: readonly LedgerEntryInput[]): LedgerEntryInput[] {
  const byKey = new Map<string, LedgerEntryInput>();
  for (const entry of entries) byKey.set(`${entry.ref.source}\u001f${entry.patientKey ?? ''}\u001f${entry.ref.kind}\u001f${entry.recordKey}`, entry);
  return [...byKey.values()];
}
