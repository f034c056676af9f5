import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CcdaSource, createSource, isSourceRejection } from '../../../src/sources/index.ts';
import type { LegacySource, SourceItem } from '../../../src/sources/index.ts';
import type { SourceRecord } from '../../../src/core/index.ts';

const SAMPLES = join(__dirname, '..', '..', '..', '..', 'shared', 'testdata', 'ccda');

async function collect(source: LegacySource, options?: Parameters<LegacySource['read']>[0]): Promise<SourceItem[]> {
  const items: SourceItem[] = [];
  for await (const item of source.read(options)) items.push(item);
  return items;
}

const asList = (value: unknown): any[] => (value === undefined ? [] : Array.isArray(value) ? value : [value]);

describe('ccda: the 34 sample documents', () => {
  const source = createSource(`ccda:${SAMPLES}`, { name: 'cda-archive' });
  let records: SourceRecord<any>[] = [];

  beforeAll(async () => {
    const items = await collect(source);
    expect(items.filter(isSourceRejection)).toEqual([]);
    records = items as SourceRecord<any>[];
  });

  it('reads every document, one record each', () => {
    const files = ['fhir-converter', 'hl7-c-cda-examples'].flatMap((d) => readdirSync(join(SAMPLES, d)).map((f) => `${d}/${f}`));
    expect(files).toHaveLength(34);
    expect(records.map((r) => r.ref.locator.split('#')[0]).sort()).toEqual(files.sort());
  });

  it('names each document by its type and keys it by ClinicalDocument/id', () => {
    const byFile = (file: string): SourceRecord<any> => records.find((r) => r.ref.locator.startsWith(`hl7-c-cda-examples/${file}#`)) as SourceRecord<any>;
    expect(Object.fromEntries(['CCD_1.xml', 'Discharge_Summary.xml', 'Progress_Note.xml', 'Care_Plan.xml', 'Diagnostic_Imaging_Report.xml'].map((f) => [f, byFile(f).ref.kind]))).toEqual({
      'CCD_1.xml': 'CCD',
      'Discharge_Summary.xml': 'DischargeSummary',
      'Progress_Note.xml': 'ProgressNote',
      'Care_Plan.xml': 'CarePlan',
      'Diagnostic_Imaging_Report.xml': 'DiagnosticImagingReport',
    });
    expect(byFile('CCD_1.xml')).toMatchObject({
      key: 'hl7-c-cda-examples/CCD_1.xml#2.16.840.1.113883.19.5.99999.1^TT988',
      patientKey: '444222222',
      ref: { source: 'cda-archive', kind: 'CCD', locator: 'hl7-c-cda-examples/CCD_1.xml#2.16.840.1.113883.19.5.99999.1^TT988' },
    });
  });

  it('keeps what the FHIR converter drops, such as lab interpretation codes', () => {
    const ccd = records.find((r) => r.ref.locator.startsWith('hl7-c-cda-examples/CCD_1.xml#')) as SourceRecord<any>;
    const sections = asList(ccd.data.component.structuredBody.component).flatMap((c) => asList(c.section));
    const results = sections.find((s) => s.code['@_code'] === '30954-2');
    const observations = asList(results.entry).flatMap((e) => asList(e.organizer)).flatMap((o) => asList(o.component)).flatMap((c) => asList(c.observation));
    const interpretations = observations.flatMap((o) => asList(o.interpretationCode)).map((i) => i['@_code']);
    expect(interpretations.length).toBeGreaterThan(0);
    expect(interpretations.every((code) => typeof code === 'string')).toBe(true);
  });

  it("lists patients and reads one patient's documents from the index", async () => {
    const patients = await source.listPatients();
    expect(patients).toContain('444222222');
    const scoped = await collect(source, { patientKeys: ['998991'] });
    expect(scoped).toEqual(records.filter((r) => r.patientKey === '998991'));
    expect(scoped.length).toBeGreaterThanOrEqual(4);
    const ccds = await collect(source, { patientKeys: ['998991', '444222222'], kinds: ['CCD'] });
    expect(ccds.every((r) => r.ref.kind === 'CCD')).toBe(true);
    expect(await source.listKinds()).toEqual(expect.arrayContaining(['CCD', 'DischargeSummary', 'ProgressNote', 'UnstructuredDocument']));
    // the index reads headers only: it must agree with the full parse
    expect(await source.listKinds()).toEqual([...new Set(records.map((r) => r.ref.kind))].sort());
    expect(patients).toEqual([...new Set(records.map((r) => r.patientKey as string))].sort());
  });
});

describe('ccda: malformed documents', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'fhirmig-ccda-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('rejects malformed XML with file, line and column, and reads the next document', async () => {
    writeFileSync(join(dir, 'a-broken.xml'), '<?xml version="1.0"?>\n<ClinicalDocument xmlns="urn:hl7-org:v3">\n  <id root="1.2.3"/>\n  <title>Broken</titel>\n</ClinicalDocument>\n');
    writeFileSync(join(dir, 'b-ok.xml'), '<ClinicalDocument xmlns="urn:hl7-org:v3"><id root="1.2.3" extension="B"/><code code="11506-3"/><recordTarget><patientRole><id nullFlavor="UNK"/><id root="2.16" extension="P9"/></patientRole></recordTarget></ClinicalDocument>');
    writeFileSync(join(dir, 'c-not-cda.xml'), '<Bundle xmlns="http://hl7.org/fhir"/>');
    const items = await collect(new CcdaSource(dir));
    expect(items.map((i) => (isSourceRejection(i) ? `REJECTED ${i.ref.locator}` : `${i.ref.kind} ${i.ref.locator} ${i.patientKey}`))).toEqual([
      'REJECTED a-broken.xml:4:16',
      'ProgressNote b-ok.xml#1.2.3^B P9',
      'REJECTED c-not-cda.xml:1:1',
    ]);
    expect(items[0]).toMatchObject({ code: 'FHIRMIG_ERR_SOURCE_PARSE', message: expect.stringContaining('malformed XML') });
  });
});
