import type { AssessmentReport } from '../report.ts';
import { barChart } from './charts.ts';
import { escapeHtml, htmlTable } from './escape.ts';
import { columnsSection, decisionsSection, duplicatesSection, invalidSection, orphansSection, unmappedSection } from './sections.ts';

const STYLE = `body{font-family:system-ui,sans-serif;margin:2em;color:#222;max-width:1200px}
h1{font-size:1.5em}h2{border-bottom:1px solid #ccc;padding-top:1em}table{border-collapse:collapse;font-size:12px;margin:.5em 0}
th,td{border:1px solid #ddd;padding:3px 6px;text-align:left;vertical-align:top}th{background:#f3f3f3}
.cards{display:flex;flex-wrap:wrap;gap:.6em}.card{border:1px solid #ccc;border-radius:6px;padding:.5em 1em;min-width:9em}
.card b{display:block;font-size:1.4em}.warn b{color:#c0504d}.none{color:#777}code{font-size:11px}details{margin:.3em 0}`;

/** The assessment as one self-contained HTML page: inline CSS and SVG charts, no scripts, no external assets. */
export function renderAssessmentHtml(report: AssessmentReport): string {
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Pre-migration assessment — ${escapeHtml(report.source)}</title><style>${STYLE}</style></head>
<body>
<h1>Pre-migration assessment</h1>
<p>Source <code>${escapeHtml(report.source)}</code>${report.mapSet ? `, map set <code>${escapeHtml(report.mapSet)}</code>` : ''}; generated ${escapeHtml(report.generatedAt)}.</p>
${summarySection(report)}
${inventorySection(report)}
${columnsSection(report)}
${invalidSection(report)}
${duplicatesSection(report)}
${orphansSection(report)}
${unmappedSection(report)}
${decisionsSection(report)}
</body></html>
`;
}

function summarySection(report: AssessmentReport): string {
  const s = report.summary;
  const card = (label: string, value: number, warnWhenPositive = false): string =>
    `<div class="card${warnWhenPositive && value > 0 ? ' warn' : ''}"><b>${value}</b>${escapeHtml(label)}</div>`;
  return `<section id="summary"><h2>Summary</h2><div class="cards">
${card('records', s.records)}${card('kinds', s.kinds)}${card('rejected records', s.rejected, true)}${card('values that do not parse', s.invalidValues, true)}${card('outliers of an inferred type', s.inferredTypeOutliers, true)}
${card('codes outside their code system', s.codesOutsideCodeSystem, true)}${card('duplicate patient candidates', s.duplicateCandidates, true)}
${card('orphan records', s.orphanRecords, true)}${card('unmapped codes', s.unmappedCodes, true)}${card('undecided fields', s.undecidedFields, true)}${card('mapping failures', s.mappingFailures, true)}
</div><p>Profiled in ${s.seconds} s (${s.recordsPerSecond} records/s).</p></section>`;
}

function inventorySection(report: AssessmentReport): string {
  const chart = barChart('Records per kind', report.inventory.map((k) => ({ label: k.kind, value: k.records })));
  const rows = report.inventory.map((k) => [escapeHtml(k.kind), String(k.records), String(k.rejected), String(k.withPatient), String(k.columns.length), `<code>${escapeHtml(k.columns.join(', '))}</code>`]);
  const rejections = htmlTable(['kind', 'code', 'field', 'count', 'where (first)'], report.rejections.map((r) => [escapeHtml(r.kind), escapeHtml(r.code), escapeHtml(r.field ?? ''), String(r.count), escapeHtml(r.samples.join(', '))]), 'No rejected records.');
  return `<section id="inventory"><h2>Inventory</h2>${chart}
${htmlTable(['kind', 'records', 'rejected', 'with patient', 'columns', 'column names'], rows)}
<h3>Rejected records</h3>${rejections}</section>`;
}
