import type { DemoRun, RecordOutcome } from './demo-pipeline.ts';

export interface TableCounts {
  read: number;
  loaded: number;
  rejected: number;
  skipped: number;
}

export interface DemoReport {
  readonly tables: Record<string, TableCounts>;
  readonly resources: Record<string, number>;
  readonly rejected: { ref: string; code: string; reason: string }[];
  readonly skipped: { ref: string; rule: string }[];
  readonly unmappedCodes: { table: string; rule: string; code: string; conceptMap: string; count: number }[];
  /** `read = loaded + rejected + skipped` holds for every table. */
  readonly balanced: boolean;
}

function countTables(outcomes: readonly RecordOutcome[]): Record<string, TableCounts> {
  const tables: Record<string, TableCounts> = {};
  for (const outcome of outcomes) {
    const counts = (tables[outcome.ref.kind] ??= { read: 0, loaded: 0, rejected: 0, skipped: 0 });
    counts.read++;
    counts[outcome.state]++;
  }
  return tables;
}

function countUnmapped(run: DemoRun): DemoReport['unmappedCodes'] {
  const byKey = new Map<string, DemoReport['unmappedCodes'][number]>();
  for (const u of run.unmapped) {
    const key = [u.table, u.rule, u.code, u.conceptMap].join('\u0000');
    const entry = byKey.get(key) ?? { ...u, count: 0 };
    entry.count++;
    byKey.set(key, entry);
  }
  return [...byKey.values()];
}

/** The reconciliation report: every source record accounted for, by table and by resource type. */
export function buildDemoReport(run: DemoRun): DemoReport {
  const tables = countTables(run.outcomes);
  const resources: Record<string, number> = {};
  for (const o of run.outcomes) if (o.state === 'loaded') resources[o.resource.resourceType] = (resources[o.resource.resourceType] ?? 0) + 1;
  const refText = (o: RecordOutcome): string => `${o.ref.source}/${o.ref.kind}/${o.ref.locator}`;
  return {
    tables,
    resources,
    rejected: run.outcomes.flatMap((o) => (o.state === 'rejected' ? [{ ref: refText(o), code: o.code, reason: o.reason }] : [])),
    skipped: run.outcomes.flatMap((o) => (o.state === 'skipped' ? [{ ref: refText(o), rule: o.rule }] : [])),
    unmappedCodes: countUnmapped(run),
    balanced: Object.values(tables).every((t) => t.read === t.loaded + t.rejected + t.skipped),
  };
}

/** The human-readable form printed by `fhir-migrate demo`. */
export function formatDemoReport(report: DemoReport): string {
  const lines = ['Reconciliation (read = loaded + rejected + skipped):', ''];
  lines.push(`  ${'table'.padEnd(14)}${'read'.padStart(6)}${'loaded'.padStart(8)}${'rejected'.padStart(10)}${'skipped'.padStart(9)}`);
  for (const [table, c] of Object.entries(report.tables)) {
    lines.push(`  ${table.padEnd(14)}${String(c.read).padStart(6)}${String(c.loaded).padStart(8)}${String(c.rejected).padStart(10)}${String(c.skipped).padStart(9)}`);
  }
  lines.push('', `  balanced: ${report.balanced ? 'yes' : 'NO'}`, '', 'Resources produced:');
  for (const [type, n] of Object.entries(report.resources)) lines.push(`  ${type.padEnd(14)}${String(n).padStart(6)}`);
  if (report.rejected.length) lines.push('', 'Rejected (located, with reason):');
  for (const r of report.rejected) lines.push(`  ${r.ref}  ${r.code}  ${r.reason}`);
  if (report.skipped.length) lines.push('', 'Skipped by rule:');
  for (const s of report.skipped) lines.push(`  ${s.ref}  ${s.rule}`);
  if (report.unmappedCodes.length) lines.push('', 'Codes no ConceptMap translates:');
  for (const u of report.unmappedCodes) lines.push(`  ${u.table} rule "${u.rule}": code "${u.code}" × ${u.count} (${u.conceptMap})`);
  return `${lines.join('\n')}\n`;
}
