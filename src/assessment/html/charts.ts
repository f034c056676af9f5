import { escapeHtml } from './escape.ts';

export interface Bar {
  readonly label: string;
  readonly value: number;
}

const ROW_HEIGHT = 18;
const LABEL_WIDTH = 220;
const BAR_WIDTH = 420;

/** A horizontal bar chart as inline SVG (no scripts, no external assets). */
export function barChart(title: string, bars: readonly Bar[], colour = '#3b6ea5'): string {
  if (bars.length === 0) return '';
  const max = Math.max(...bars.map((b) => b.value), 1);
  const height = bars.length * ROW_HEIGHT + 24;
  const width = LABEL_WIDTH + BAR_WIDTH + 80;
  const rows = bars.map((bar, i) => {
    const y = 20 + i * ROW_HEIGHT;
    const length = Math.max(1, Math.round((bar.value / max) * BAR_WIDTH));
    return [
      `<text x="${LABEL_WIDTH - 6}" y="${y + 12}" text-anchor="end">${escapeHtml(truncate(bar.label, 34))}</text>`,
      `<rect x="${LABEL_WIDTH}" y="${y + 2}" width="${length}" height="${ROW_HEIGHT - 5}" fill="${colour}"><title>${escapeHtml(bar.label)}: ${bar.value}</title></rect>`,
      `<text x="${LABEL_WIDTH + length + 4}" y="${y + 12}">${bar.value}</text>`,
    ].join('');
  });
  return `<svg class="chart" role="img" aria-label="${escapeHtml(title)}" xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-size="11" font-family="sans-serif"><text x="0" y="12" font-weight="bold">${escapeHtml(title)}</text>${rows.join('')}</svg>`;
}

/** A small inline bar for a rate in [0, 1] (empty rates in the column table). */
export function rateBar(rate: number): string {
  const width = Math.round(Math.min(1, Math.max(0, rate)) * 60);
  const colour = rate > 0.5 ? '#c0504d' : rate > 0.1 ? '#e3a21a' : '#4f8a4f';
  return `<svg xmlns="http://www.w3.org/2000/svg" width="62" height="10" role="img" aria-label="${(rate * 100).toFixed(1)}%"><rect x="0" y="0" width="62" height="10" fill="#eee"/><rect x="1" y="1" width="${width}" height="8" fill="${colour}"/></svg> ${(rate * 100).toFixed(1)}%`;
}

function truncate(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
