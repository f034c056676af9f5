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

  const inDocument = (file: string): Resource[] => {
    const found = outcomes.find((o) => o.kind === 'mapped' && o.locator.startsWith(`${file}#`));
    if (found?.kind !== 'mapped') throw new Error(`${file} not mapped`);
    return [...found.resources];
  };
  const attachmentText = (r: Resource | undefined): string => Buffer.from((r?.['content'] as fhir4.DocumentReferenceContent[])[0]?.attachment.data ?? '', 'base64').toString('utf8');
  const DS = '2.16.840.1.113883.19.5.99999.1^TT988';

  it('maps a narrative-only section to a US Core DocumentReference: LOINC section code as type, the text as attachment (Discharge Summary hospital course)', () => {
    const course = inDocument('hl7-c-cda-examples/Discharge_Summary.xml').find((r) => lineageOf(r) === `${DS}/section/8648-8`);
    expect(course).toMatchObject({
      resourceType: 'DocumentReference',
      meta: { profile: ['http://hl7.org/fhir/us/core/StructureDefinition/us-core-documentreference'] },
      status: 'current',
      type: { coding: [{ system: 'http://loinc.org', code: '8648-8' }] },
      category: [{ coding: [{ code: 'clinical-note' }] }],
      subject: { identifier: { system: LINEAGE, value: `${DS}/recordTarget` } },
      date: '2014-09-17T19:04:00-05:00', // ClinicalDocument/effectiveTime
      description: 'HOSPITAL COURSE',
      content: [{ attachment: { contentType: 'text/plain', title: 'HOSPITAL COURSE' } }],
    });
    expect(attachmentText(course)).toMatch(/^Patient presented with dark stools and pain lower left quadrant of abdomen\. After examination and imaging,/);
  });

  it('keeps the narrative of a mapped section that has no entry ("No Information"), and only then', () => {
    const notes = inDocument('fhir-converter/CCD.ccda').filter((r) => r.resourceType === 'DocumentReference');
    const problems = notes.find((r) => (r['type'] as fhir4.CodeableConcept).coding?.[0]?.code === '11450-4');
    expect(attachmentText(problems)).toBe('No Information');
    const withEntries = inDocument('hl7-c-cda-examples/CCD_1.xml').filter((r) => r.resourceType === 'DocumentReference').map((r) => (r['type'] as fhir4.CodeableConcept).coding?.[0]?.code);
    expect(withEntries).not.toContain('11450-4');
    expect(withEntries).not.toContain('30954-2');
  });

  it('maps a subsection (section/component/section) like a section (Referral Note physical exam → skin findings)', () => {
    const keys = inDocument('hl7-c-cda-examples/Referral_Note.xml').map(lineageOf);
    expect(keys).toEqual(expect.arrayContaining(['6f1bd58b-c58f-40b7-b314-caf1294ed98b/section/29545-1', '6f1bd58b-c58f-40b7-b314-caf1294ed98b/section/8709-8']));
  });

  it('renders a table narrative cell by cell in document order, without attribute values (discharge medications)', () => {
    const medications = inDocument('hl7-c-cda-examples/Discharge_Summary.xml').find((r) => lineageOf(r) === `${DS}/section/75311-1`);
    const lines = attachmentText(medications).split('\n');
    expect(lines.slice(0, 6)).toEqual(['Medication', 'Instructions', 'Dosage', 'Effective Dates (start - stop)', 'Status', 'Ibuprofen 600mg Oral Tablet']);
    expect(lines).not.toContain('MedicationName_0'); // @ID
  });

  it('maps the family history organizer to FamilyMemberHistory with conditions and age at onset (Discharge Summary)', () => {
    expect(inDocument('hl7-c-cda-examples/Discharge_Summary.xml').find((r) => r.resourceType === 'FamilyMemberHistory')).toMatchObject({
      status: 'completed',
      patient: { identifier: { value: `${DS}/recordTarget` } },
      relationship: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-RoleCode', code: 'FTH' }, { system: 'http://snomed.info/sct', code: '9947008' }] },
      sex: { coding: [{ system: 'http://hl7.org/fhir/administrative-gender', code: 'male' }] },
      bornDate: '1910',
      condition: [
        { code: { coding: [{ system: 'http://snomed.info/sct', code: '22298006' }] }, onsetAge: { value: 57, system: 'http://unitsofmeasure.org', code: 'a' } },
        { code: { coding: [{ code: '46635009' }] }, onsetAge: { value: 6 } },
      ],
    });
  });

  it('maps smoking status to US Core smoking status (code 72166-2 also for R1.1 ASSERTION) and other social history to social-history Observations', () => {
    const social = inDocument('hl7-c-cda-examples/CCD_1.xml').filter((r) => ((r['category'] ?? []) as fhir4.CodeableConcept[]).some((c) => c.coding?.[0]?.code === 'social-history'));
    expect(social.map((r) => [(r['meta'] as fhir4.Meta | undefined)?.profile?.[0] ?? null, (r['code'] as fhir4.CodeableConcept).coding?.[0]?.code])).toEqual([
      ['http://hl7.org/fhir/us/core/StructureDefinition/us-core-smokingstatus', '72166-2'], [null, '11367-0'], [null, '74013-4'],
    ]);
    expect(social[0]).toMatchObject({ status: 'final', effectiveDateTime: '2012-09-10', valueCodeableConcept: { coding: [{ system: 'http://snomed.info/sct', code: '8517006' }] } });
    expect(social[2]).toMatchObject({ valueQuantity: { value: 12 } });
    const r11 = inDocument('fhir-converter/170.314B2_Amb_CCD.ccda').filter((r) => (r['meta'] as fhir4.Meta | undefined)?.profile?.[0]?.endsWith('us-core-smokingstatus'));
    expect(r11.map((r) => [(r['code'] as fhir4.CodeableConcept).coding?.[0]?.code, (r['valueCodeableConcept'] as fhir4.CodeableConcept).coding?.[0]?.code])).toEqual([['72166-2', '266919005'], ['72166-2', '428041000124106']]);
  });

  it('maps a goal observation to a US Core Goal with its target (Care Plan)', () => {
    expect(inDocument('hl7-c-cda-examples/Care_Plan.xml').find((r) => r.resourceType === 'Goal')).toMatchObject({
      meta: { profile: ['http://hl7.org/fhir/us/core/StructureDefinition/us-core-goal'] },
      lifecycleStatus: 'active',
      description: { coding: [{ system: 'http://loinc.org', code: '44616-1' }] },
      startDate: '2013-09-02',
      target: [{ measure: { coding: [{ code: '44616-1' }] }, detailRange: { low: { value: 92, unit: '%', system: 'http://unitsofmeasure.org', code: '%' } } }],
    });
  });

  it('maps an unstructured document body to a DocumentReference: embedded base64 as data, a reference as url', () => {
    const embedded = inDocument('fhir-converter/CDA_with_Embedded_PDF.ccda').find((r) => r.resourceType === 'DocumentReference');
    const attachment = (embedded?.['content'] as fhir4.DocumentReferenceContent[])[0]?.attachment;
    expect(attachment?.contentType).toBe('application/pdf');
    expect(Buffer.from(attachment?.data ?? '', 'base64').subarray(0, 5).toString('latin1')).toBe('%PDF-');
    expect(inDocument('fhir-converter/sample.ccda').find((r) => r.resourceType === 'DocumentReference')).toMatchObject({
      type: { coding: [{ system: 'http://loinc.org', code: '11490-0' }] }, content: [{ attachment: { url: 'UD_sample.pdf' } }],
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
  Patient: 32, Condition: 47, MedicationRequest: 29, AllergyIntolerance: 44, Immunization: 27, Observation: 214, Encounter: 8, Procedure: 27,
  DocumentReference: 228, FamilyMemberHistory: 8, Goal: 2,
};
