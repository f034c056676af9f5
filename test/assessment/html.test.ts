import { assessSource, renderAssessmentHtml } from '../../src/assessment/index.ts';
import type { AssessmentItem } from '../../src/assessment/index.ts';

async function* one(): AsyncGenerator<AssessmentItem> {
  yield { ref: { source: 's', kind: 'people', locator: 'people.csv:2' }, key: 'p1', patientKey: 'p1', data: { NAME: '<script>alert(1)</script>', DOB: '2001-13-01' } };
  yield { ref: { source: 's', kind: 'visits', locator: 'visits.csv:2' }, key: 'v1', patientKey: 'nobody', data: { ID: 'v1' } };
}

describe('renderAssessmentHtml', () => {
  it('is one self-contained page with every section, inline SVG charts and escaped values', async () => {
    const report = await assessSource(one(), { source: 'csv:<demo>', columnTypes: { people: { DOB: 'date' } }, patients: { kind: 'people', given: ['NAME'], family: [], identifiers: [] } });
    const html = renderAssessmentHtml(report);
    for (const id of ['summary', 'inventory', 'columns', 'invalid-values', 'duplicates', 'orphans', 'unmapped-codes', 'decisions']) {
      expect(html).toContain(`<section id="${id}">`);
    }
    expect(html).toContain('<svg class="chart"');
    expect(html).toContain('csv:&lt;demo&gt;');
    expect(html).not.toContain('<script');
    expect(html).not.toMatch(/(src|href)="(https?:)?\/\//);
    expect(html).toContain('<code>nobody</code>');
    expect(report.summary.invalidValues).toBe(1);
  });
});
