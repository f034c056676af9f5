import type { AssessmentReport, ColumnReport } from '../report.ts';
import { barChart, rateBar } from './charts.ts';
import { escapeHtml, htmlTable } from './escape.ts';

const patterns = (c: ColumnReport): string =>
  c.patterns.slice(0, 5).map((p) => `<code>${escapeHtml(p.pattern)}</code>&nbsp;×${p.count}`).join('<br>') + (c.otherPatterns > 0 ? `<br>other ×${c.otherPatterns}` : '');

export function columnsSection(report: AssessmentReport): string {
  const byKind = new Map<string, ColumnReport[]>();
  for (const column of report.columns) byKind.set(column.kind, [...(byKind.get(column.kind) ?? []), column]);
  const kinds = [...byKind].map(([kind, columns]) => {
    const rows = columns.map((c) => [
      `<code>${escapeHtml(c.column)}</code>`,
      rateBar(c.emptyRate),
      `${c.distinct}${c.distinctExact ? '' : ' (approx.)'}`,
      escapeHtml(c.declaredType ?? (c.inferredType ? `${c.inferredType} (inferred)` : '')),
      patterns(c),
      c.invalid ? String(c.invalid.count) : '',
      c.codeSystem ? String(c.codeSystem.outside) : '',
    ]);
    return `<details><summary>${escapeHtml(kind)} (${columns.length} columns)</summary>${htmlTable(['column', 'empty', 'distinct', 'type', 'value patterns', 'not parsing', 'codes outside'], rows)}</details>`;
  });
  return `<section id="columns"><h2>Columns</h2>${kinds.join('\n')}</section>`;
}

export function invalidSection(report: AssessmentReport): string {
  const invalid = report.columns.filter((c) => c.invalid);
  const rows = invalid.map((c) => [escapeHtml(c.kind), `<code>${escapeHtml(c.column)}</code>`, escapeHtml(c.declaredType ?? `${c.inferredType ?? ''} (inferred)`), String(c.invalid?.count ?? 0), escapeHtml(c.invalid?.reason ?? ''), escapeHtml((c.invalid?.patterns ?? []).map((p) => `${p.pattern} ×${p.count}`).join(', ')), escapeHtml((c.invalid?.samples ?? []).join(', '))]);
  const outside = report.columns.filter((c) => (c.codeSystem?.outside ?? 0) > 0);
  const codeRows = outside.map((c) => [escapeHtml(c.kind), `<code>${escapeHtml(c.column)}</code>`, escapeHtml(c.codeSystem?.conceptMap ?? ''), String(c.codeSystem?.outside ?? 0), escapeHtml((c.codeSystem?.codes ?? []).map((x) => `${x.code} ×${x.count}`).join(', '))]);
  return `<section id="invalid-values"><h2>Values that do not parse</h2>
${htmlTable(['kind', 'column', 'type', 'count', 'reason', 'shapes', 'where (first)'], rows, 'Every typed value parses.')}
<h3>Codes outside their code system</h3>
${htmlTable(['kind', 'column', 'ConceptMap', 'count', 'codes'], codeRows, 'Every code is known to its ConceptMap.')}</section>`;
}

export function duplicatesSection(report: AssessmentReport): string {
  const who = (p: { key: string; name: string; birthDate?: string; sex?: string; locator: string }): string =>
    `<code>${escapeHtml(p.key)}</code><br>${escapeHtml(p.name)} · ${escapeHtml(p.birthDate ?? '?')} · ${escapeHtml(p.sex ?? '?')}<br><small>${escapeHtml(p.locator)}</small>`;
  const rows = report.duplicates.map((d) => [who(d.patients[0]), who(d.patients[1]), escapeHtml(d.reasons.join('; ')), d.nameSimilarity.toFixed(3), escapeHtml(d.sharedIdentifiers.map((i) => `${i.column}=${i.value}`).join(', '))]);
  return `<section id="duplicates"><h2>Duplicate patient candidates</h2>${htmlTable(['patient', 'possible duplicate', 'evidence', 'name similarity', 'shared identifiers'], rows, 'No duplicate candidates.')}</section>`;
}

export function orphansSection(report: AssessmentReport): string {
  const perKind = new Map<string, number>();
  for (const o of report.orphans) perKind.set(o.kind, (perKind.get(o.kind) ?? 0) + o.records);
  const chart = barChart('Orphan records per kind', [...perKind].map(([label, value]) => ({ label, value })), '#c0504d');
  const rows = report.orphans.map((o) => [escapeHtml(o.kind), `<code>${escapeHtml(o.patientKey)}</code>`, String(o.records), escapeHtml(o.samples.join(', '))]);
  return `<section id="orphans"><h2>Orphans (records whose patient does not exist)</h2>${chart}${htmlTable(['kind', 'missing patient', 'records', 'where (first)'], rows, 'No orphan records.')}</section>`;
}

export function unmappedSection(report: AssessmentReport): string {
  const perField = new Map<string, number>();
  for (const u of report.unmappedCodes) perField.set(`${u.kind}.${u.field}`, (perField.get(`${u.kind}.${u.field}`) ?? 0) + u.count);
  const chart = barChart('Unmapped codes per source field', [...perField].sort((a, b) => b[1] - a[1]).slice(0, 30).map(([label, value]) => ({ label, value })), '#e3a21a');
  const rows = report.unmappedCodes.slice(0, 500).map((u) => [escapeHtml(u.kind), `<code>${escapeHtml(u.field)}</code>`, escapeHtml(u.conceptMap.replace(/^.*\//, '')), `<code>${escapeHtml(u.code)}</code>`, String(u.count)]);
  const failures = htmlTable(['kind', 'records', 'messages', 'where (first)'], report.mappingFailures.map((f) => [escapeHtml(f.kind), String(f.count), escapeHtml(f.messages.join(' | ')), escapeHtml(f.samples.join(', '))]), 'Every record mapped.');
  return `<section id="unmapped-codes"><h2>Codes no ConceptMap translates</h2>${chart}${htmlTable(['kind', 'field', 'ConceptMap', 'code', 'count'], rows, 'Every code translated.')}
<h3>Mapping failures</h3>${failures}</section>`;
}

export function decisionsSection(report: AssessmentReport): string {
  const undecided = report.decisions.filter((d) => d.seen && d.decision === 'undecided');
  const row = (d: AssessmentReport['decisions'][number]): string[] => [escapeHtml(d.kind), `<code>${escapeHtml(d.column)}</code>`, d.seen ? 'yes' : 'no', d.decision === 'undecided' ? '<b>undecided</b>' : escapeHtml(d.decision), escapeHtml(d.target ?? ''), escapeHtml(d.note ?? '')];
  return `<section id="decisions"><h2>Mapping decision register</h2>${report.decisionsNote ? `<p class="note">${escapeHtml(report.decisionsNote)}</p>` : ''}
<h3>Seen but undecided (${undecided.length})</h3>${htmlTable(['kind', 'column', 'seen', 'decision', 'target', 'note'], undecided.map(row), 'Every field seen has a decision.')}
<details><summary>All ${report.decisions.length} fields</summary>${htmlTable(['kind', 'column', 'seen', 'decision', 'target', 'note'], report.decisions.map(row))}</details></section>`;
}
