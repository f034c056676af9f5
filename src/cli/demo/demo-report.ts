import type { LedgerEntry } from '../../jobs/index.ts';
import { DEMO_TABLES } from './demo-extract.ts';
import type { DemoJobRun } from './demo-job.ts';

export interface TableCounts {
  read: number;
  loaded: number;
  rejected: number;
  skipped: number;
}

export interface DemoReport {
  /** The job the demo planned and ran, its phases in order and its final state. */
  readonly job: { readonly id: string; readonly state: string; readonly phases: readonly string[] };
  readonly tables: Record<string, TableCounts>;
  /** Per priority phase: what its tasks did with their records. */
  readonly phases: Record<string, TableCounts>;
  /** Resources loaded per type (from the ledger). */
  readonly resources: Record<string, number>;
  /** What the NDJSON target holds per type, counted back (Provenance, Device, AuditEvent included). */
  readonly target: Record<string, number>;
  readonly rejected: { ref: string; code: string; reason: string }[];
  readonly skipped: { ref: string; rule: string }[];
  readonly unmappedCodes: { table: string; rule: string; code: string; conceptMap: string; count: number }[];
  /** `read = loaded + rejected + skipped` holds for every table and phase, and the target holds what the ledger says. */
  readonly balanced: boolean;
}

const counts = (row: TableCounts): TableCounts => ({ read: row.read, loaded: row.loaded, rejected: row.rejected, skipped: row.skipped });

/** Source order: tables as the extract lists them, then rows by line. */
function bySourceOrder(a: LedgerEntry, b: LedgerEntry): number {
  const table = (e: LedgerEntry): number => DEMO_TABLES.findIndex((t) => t.kind === e.ref.kind);
  const line = (e: LedgerEntry): number => Number(/:(\d+)$/.exec(e.ref.locator)?.[1] ?? 0);
  return table(a) - table(b) || line(a) - line(b);
}

function refText(e: LedgerEntry): string {
  const key = e.recordKey === e.ref.locator ? '' : `#${e.recordKey}`;
  return `${e.ref.source}/${e.ref.kind}/${e.ref.locator}${key}`;
}

function reasonOf(e: LedgerEntry): string {
  return e.issues.map((i) => (i.expression?.[0] && e.errorCode === 'FHIRMIG_ERR_VALIDATION_FAILED' ? `${i.expression[0]}: ${i.diagnostics ?? i.code}` : (i.diagnostics ?? i.code))).join('; ');
}

function countUnmapped(run: DemoJobRun): DemoReport['unmappedCodes'] {
  const byKey = new Map<string, DemoReport['unmappedCodes'][number]>();
  for (const u of run.unmapped) {
    const key = [u.table, u.rule, u.code, u.conceptMap].join('\u0000');
    const entry = byKey.get(key) ?? { ...u, count: 0 };
    entry.count++;
    byKey.set(key, entry);
  }
  return [...byKey.values()];
}

/** The reconciliation report of the demo's job: every source record accounted for, by table, phase and resource type. */
export function buildDemoReport(run: DemoJobRun): DemoReport {
  const { report } = run;
  const tables = Object.fromEntries(DEMO_TABLES.flatMap((t) => {
    const row = report.bySourceTable[t.kind];
    return row ? [[t.kind, counts(row)]] : [];
  }));
  const resources = Object.fromEntries(Object.entries(report.byResourceType).filter(([, row]) => row.loaded > 0).map(([type, row]) => [type, row.loaded]));
  const entries = [...run.entries].sort(bySourceOrder);
  return {
    job: { id: run.job.id, state: run.job.state, phases: Object.keys(report.byPhase) },
    tables,
    phases: Object.fromEntries(Object.entries(report.byPhase).map(([phase, row]) => [phase, counts(row)])),
    resources,
    target: { ...run.written },
    rejected: entries.filter((e) => e.outcome === 'rejected').map((e) => ({ ref: refText(e), code: e.errorCode ?? '', reason: reasonOf(e) })),
    skipped: entries.filter((e) => e.outcome === 'skipped').map((e) => ({ ref: refText(e), rule: e.errorCode ?? '' })),
    unmappedCodes: countUnmapped(run),
    balanced: report.balanced && Object.keys(report.targetMismatches ?? {}).length === 0,
  };
}

function countsLine(name: string, c: TableCounts): string {
  return `  ${name.padEnd(16)}${String(c.read).padStart(6)}${String(c.loaded).padStart(8)}${String(c.rejected).padStart(10)}${String(c.skipped).padStart(9)}`;
}

/** The human-readable form printed by `fhir-migrate demo`. */
export function formatDemoReport(report: DemoReport): string {
  const header = `  ${''.padEnd(16)}${'read'.padStart(6)}${'loaded'.padStart(8)}${'rejected'.padStart(10)}${'skipped'.padStart(9)}`;
  const lines = [`Job ${report.job.id}: ${report.job.state}, phases ${report.job.phases.join(' → ')}`, '', 'Reconciliation (read = loaded + rejected + skipped):', '', header.replace(/^ {2} {5}/, '  table')];
  for (const [table, c] of Object.entries(report.tables)) lines.push(countsLine(table, c));
  lines.push('', header.replace(/^ {2} {5}/, '  phase'));
  for (const [phase, c] of Object.entries(report.phases)) lines.push(countsLine(phase, c));
  lines.push('', `  balanced: ${report.balanced ? 'yes' : 'NO'}`, '', 'Resources loaded:');
  for (const [type, n] of Object.entries(report.resources)) lines.push(`  ${type.padEnd(16)}${String(n).padStart(6)}`);
  lines.push('', 'On the target (NDJSON, counted back):');
  for (const [type, n] of Object.entries(report.target)) lines.push(`  ${type.padEnd(16)}${String(n).padStart(6)}`);
  if (report.rejected.length) lines.push('', 'Rejected (located, with reason):');
  for (const r of report.rejected) lines.push(`  ${r.ref}  ${r.code}  ${r.reason}`);
  if (report.skipped.length) lines.push('', 'Skipped by rule:');
  for (const s of report.skipped) lines.push(`  ${s.ref}  ${s.rule}`);
  if (report.unmappedCodes.length) lines.push('', 'Codes no ConceptMap translates:');
  for (const u of report.unmappedCodes) lines.push(`  ${u.table} rule "${u.rule}": code "${u.code}" × ${u.count} (${u.conceptMap})`);
  return `${lines.join('\n')}\n`;
}
