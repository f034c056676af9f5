import { LINEAGE, buildMapSet, countByType, lineageOf, mapAllDocuments } from './support.ts';
import type { DocumentOutcome, Resource } from './support.ts';

/**
 * Issue 4 acceptance for C-CDA: every sample document under testdata/ccda ends mapped (all its
 * resources valid against US Core 6.1.0) or rejected with a located reason. Per-type counts are
 * printed and asserted.
 */
describe('C-CDA samples through the ccda map set', () => {
  jest.setTimeout(60_000);
  let outcomes: DocumentOutcome[] = [];
  const mappedResources = (): Resource[] => outcomes.flatMap((o) => (o.kind === 'mapped' ? [...o.resources] : []));

  beforeAll(async () => {
    const set = buildMapSet();
    outcomes = await mapAllDocuments(set);
    console.log(`${[...set.unmapped].length} codes no ConceptMap translates: ${[...set.unmapped].slice(0, 15).map(([k, n]) => `${k} ×${n}`).join(', ')}`);
    const lines = Object.entries(countByType(outcomes)).map(([type, c]) => `${type.padEnd(24)} mapped ${c.mapped} rejected ${c.rejected} skipped ${c.skipped}`);
    const rejected = outcomes.flatMap((o) => (o.kind === 'rejected' ? [`${o.locator}: ${o.reason}`] : []));
    const byType: Record<string, number> = {};
    for (const r of mappedResources()) byType[r.resourceType] = (byType[r.resourceType] ?? 0) + 1;
    console.log(`C-CDA samples per document type\n${lines.join('\n')}\nresources: ${JSON.stringify(byType)}\nrejected:\n${rejected.join('\n')}`);
  });

  it('gives every document exactly one outcome', () => {
    expect(outcomes).toHaveLength(34);
  });

  it('rejects the Transfer Summaries for their impossible encounter date, located', () => {
    const rejected = outcomes.flatMap((o) => (o.kind === 'rejected' ? [o] : []));
    expect(rejected.map((o) => o.locator)).toEqual([
      'fhir-converter/Transfer_Summary.ccda#04fc2b90-10e0-11e2-892e-0800200c9a66 (04fc2b90-10e0-11e2-892e-0800200c9a66/2a620155-9d11-439e-92b3-5d9815ff4de8)',
      'hl7-c-cda-examples/Transfer_Summary.xml#04fc2b90-10e0-11e2-892e-0800200c9a66 (04fc2b90-10e0-11e2-892e-0800200c9a66/2a620155-9d11-439e-92b3-5d9815ff4de8)',
    ]);
    for (const o of rejected) expect(o.reason).toContain("'2001-30-21' is not a valid dateTime");
  });

  it('produces the expected resources per type, each with its lineage <document id>/<entry id>', () => {
    const byType: Record<string, number> = {};
    for (const r of mappedResources()) {
      byType[r.resourceType] = (byType[r.resourceType] ?? 0) + 1;
      expect(lineageOf(r)).toMatch(/^[^/]+\/[^/]+/);
    }
    expect(byType).toEqual(EXPECTED_RESOURCES);
  });

  it('keeps the lab interpretationCode, value and reference range @medplum/ccda drops (CCD_1 hemoglobin)', () => {
    const hemoglobin = mappedResources().find((r) => lineageOf(r) === '2.16.840.1.113883.19.5.99999.1^TT988/107c2dc0-67a5-11db-bd13-0800200c9a66');
    expect(hemoglobin).toMatchObject({
      resourceType: 'Observation',
      status: 'final',
      category: [{ coding: [{ code: 'laboratory' }] }],
      code: { coding: [{ system: 'http://loinc.org', code: '718-7' }] },
      valueQuantity: { value: 13.2, unit: 'g/dL', system: 'http://unitsofmeasure.org', code: 'g/dL' },
      interpretation: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation', code: 'N' }] }],
      referenceRange: [{ low: { value: 12 }, high: { value: 15.5 } }],
      subject: { identifier: { system: LINEAGE, value: '2.16.840.1.113883.19.5.99999.1^TT988/recordTarget' } },
    });
  });

  it('counts per document type as measured', () => {
    expect(countByType(outcomes)).toEqual(EXPECTED_BY_TYPE);
  });
});

const MAPPED_ALL = (n: number) => ({ mapped: n, rejected: 0, skipped: 0 });
const EXPECTED_BY_TYPE = {
  CCD: MAPPED_ALL(9), CarePlan: MAPPED_ALL(2), ConsultationNote: MAPPED_ALL(3), DiagnosticImagingReport: MAPPED_ALL(2),
  DischargeSummary: MAPPED_ALL(2), HistoryAndPhysical: MAPPED_ALL(2), OperativeNote: MAPPED_ALL(2), ProcedureNote: MAPPED_ALL(2),
  ProgressNote: MAPPED_ALL(2), ReferralNote: MAPPED_ALL(2), UnstructuredDocument: MAPPED_ALL(4),
  // Documented: both Transfer Summary samples hold an impossible date (encounter effectiveTime
  // value="200130212", month 30): the document is rejected, located by file#document id and the
  // encounter's lineage.
  TransferSummary: { mapped: 0, rejected: 2, skipped: 0 },
};
const EXPECTED_RESOURCES = {
  Patient: 32, Condition: 47, MedicationRequest: 29, AllergyIntolerance: 44, Immunization: 27, Observation: 193, Encounter: 8, Procedure: 27,
};
