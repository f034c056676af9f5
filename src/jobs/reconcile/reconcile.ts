import { jobTag } from '../../provenance/index.ts';
import type { Target } from '../../target/index.ts';
import type { Job } from '../model/job.ts';
import { NO_RESOURCE_TYPE } from '../model/ledger.ts';
import type { LedgerEntry } from '../model/ledger.ts';
import type { JobStore } from '../store/job-store.ts';

/** One line of the reconciliation: how the records of a table (or resource type) ended. */
export interface ReconciliationRow {
  read: number;
  mapped: number;
  valid: number;
  loaded: number;
  rejected: number;
  skipped: number;
  rejectedByCode: Record<string, number>;
  skippedByRule: Record<string, number>;
}

export interface ReconciliationReport {
  readonly jobId: string;
  readonly state: string;
  readonly dryRun: boolean;
  readonly source: string;
  readonly target: string;
  readonly total: ReconciliationRow;
  readonly bySourceTable: Record<string, ReconciliationRow>;
  readonly byResourceType: Record<string, ReconciliationRow>;
  /** Per priority phase (the phase whose task recorded the record; `all` for a job planned before phases). */
  readonly byPhase: Record<string, ReconciliationRow>;
  /** `read = loaded + rejected + skipped`, for the total and every row. */
  readonly balanced: boolean;
  /** Resources carrying the job's tag on the target, per type (absent in a dry run or when not asked). */
  readonly targetCounts?: Record<string, number>;
  /** Per type: loaded by the ledger (resources written) vs found on the target; only differing types. */
  readonly targetMismatches?: Record<string, { readonly expected: number; readonly found: number }>;
}

const MAP_STAGE = /^FHIRMIG_ERR_(MAP|SOURCE|CORE)_/;
const PAGE = 5_000;

function emptyRow(): ReconciliationRow {
  return { read: 0, mapped: 0, valid: 0, loaded: 0, rejected: 0, skipped: 0, rejectedByCode: {}, skippedByRule: {} };
}

/** A record counts as mapped unless mapping (or reading) refused it or a row rule skipped it before mapping. */
function add(row: ReconciliationRow, entry: LedgerEntry): void {
  row.read++;
  row[entry.outcome]++;
  const code = entry.errorCode ?? '(none)';
  const mapped = entry.outcome === 'loaded' || (entry.outcome === 'rejected' && !MAP_STAGE.test(code)) || (entry.outcome === 'skipped' && !/^(archived|row-rule)/.test(code));
  if (mapped) row.mapped++;
  if (mapped && !(entry.outcome === 'rejected' && code === 'FHIRMIG_ERR_VALIDATION_FAILED')) row.valid++;
  if (entry.outcome === 'rejected') row.rejectedByCode[code] = (row.rejectedByCode[code] ?? 0) + 1;
  if (entry.outcome === 'skipped') {
    const rule = code.replace(/:.*$/, '');
    row.skippedByRule[rule] = (row.skippedByRule[rule] ?? 0) + 1;
  }
}

function rowFor(rows: Record<string, ReconciliationRow>, key: string): ReconciliationRow {
  let row = rows[key];
  if (!row) rows[key] = row = emptyRow();
  return row;
}

const balancedRow = (r: ReconciliationRow): boolean => r.read === r.loaded + r.rejected + r.skipped;

/** The job's reconciliation report from its ledger, and the target's own counts when a target is given. */
export async function reconcileJob(store: JobStore, jobId: string, target?: Target): Promise<ReconciliationReport> {
  const job = await store.getJob(jobId);
  const total = emptyRow();
  const bySourceTable: Record<string, ReconciliationRow> = {};
  const byResourceType: Record<string, ReconciliationRow> = {};
  const byPhase: Record<string, ReconciliationRow> = {};
  for (let offset = 0; ; offset += PAGE) {
    const page = await store.listOutcomes(jobId, { limit: PAGE, offset });
    for (const entry of page.entries) {
      add(total, entry);
      add(rowFor(bySourceTable, entry.ref.kind), entry);
      add(rowFor(byResourceType, entry.resourceType ?? NO_RESOURCE_TYPE), entry);
      add(rowFor(byPhase, entry.phase ?? NO_RESOURCE_TYPE), entry);
    }
    if (page.entries.length < PAGE) break;
  }
  const balanced = [total, ...Object.values(bySourceTable), ...Object.values(byResourceType), ...Object.values(byPhase)].every(balancedRow);
  const base = { jobId, state: job.state, dryRun: job.spec.options.dryRun, source: job.spec.source, target: job.spec.target, total, bySourceTable, byResourceType, byPhase, balanced };
  if (!target || job.spec.options.dryRun) return base;
  return { ...base, ...(await targetCounts(store, job, target)) };
}

async function targetCounts(store: JobStore, job: Job, target: Target): Promise<Pick<ReconciliationReport, 'targetCounts' | 'targetMismatches'>> {
  const expected: Record<string, number> = {};
  for (const entry of await store.listIds(job.id, { status: 'written' })) expected[entry.resourceType] = (expected[entry.resourceType] ?? 0) + 1;
  const found: Record<string, number> = {};
  const mismatches: Record<string, { expected: number; found: number }> = {};
  for (const type of Object.keys(expected).sort()) {
    found[type] = await target.count(type, jobTag(job.id));
    if (found[type] !== expected[type]) mismatches[type] = { expected: expected[type] ?? 0, found: found[type] ?? 0 };
  }
  return { targetCounts: found, targetMismatches: mismatches };
}
