import { LINEAGE, buildMapSet, countByType, mapAllMessages, readRouting } from './support.ts';
import type { MessageOutcome, Resource } from './support.ts';

/**
 * Issue 4 acceptance for HL7 v2: every sample message under testdata/hl7v2 ends mapped (all its
 * resources valid against US Core 6.1.0), rejected with a located reason, or skipped by rule with
 * its type named in maps/hl7v2/messages.json. The per-type counts are printed and asserted.
 */
describe('HL7 v2 samples through the hl7v2 map set', () => {
  jest.setTimeout(60_000);
  let outcomes: MessageOutcome[] = [];

  const mappedResources = (): Resource[] => outcomes.flatMap((o) => (o.kind === 'mapped' ? [...o.resources] : []));
  const lineageOf = (r: Resource): string | undefined => ((r['identifier'] ?? []) as fhir4.Identifier[]).find((i) => i.system === LINEAGE)?.value;

  beforeAll(async () => {
    const set = buildMapSet();
    outcomes = await mapAllMessages(set, readRouting());
    console.log(`${[...set.unmapped].length} codes no ConceptMap translates: ${[...set.unmapped].slice(0, 15).map(([k, n]) => `${k} ×${n}`).join(', ')}`);
    const counts = countByType(outcomes);
    const lines = Object.entries(counts).map(([type, c]) => `${type.padEnd(8)} mapped ${c.mapped} rejected ${c.rejected} skipped ${c.skipped}`);
    const rejected = outcomes.flatMap((o) => (o.kind === 'rejected' ? [`${o.locator}: ${o.reason}`] : []));
    console.log(`HL7 v2 samples per message type\n${lines.join('\n')}\nrejected:\n${rejected.join('\n')}`);
  });

  it('gives every message exactly one outcome', () => {
    expect(outcomes).toHaveLength(EXPECTED_TOTAL.mapped + EXPECTED_TOTAL.rejected + EXPECTED_TOTAL.skipped);
  });

  it('maps, rejects and skips the expected numbers of messages', () => {
    const total = { mapped: 0, rejected: 0, skipped: 0 };
    for (const o of outcomes) total[o.kind]++;
    expect(total).toEqual(EXPECTED_TOTAL);
  });

  it('rejects only the ORU and OUL messages whose report has no effective time, located by MSH-10 and OBR', () => {
    const rejected = outcomes.flatMap((o) => (o.kind === 'rejected' ? [o] : []));
    expect(rejected.map((o) => o.locator)).toEqual([
      'fhir-converter/LAB-ORU-1.hl7#1/182 (182/OBR-2)', 'fhir-converter/LAB-ORU-2.hl7#1/ControlID (ControlID/OBR-1)',
      ...['R22-01', 'R22-02', 'R23-01', 'R23-02', 'R24-01', 'R24-02'].map((n) => `fhir-converter/OUL-${n}.hl7#1/1932 (1932/OBR-)`),
    ]);
    for (const o of rejected) expect(o.reason).toContain('us-core-8');
  });

  it('gives every mapped resource its lineage identifier <MSH-10>/<segment>', () => {
    const mapped = outcomes.flatMap((o) => (o.kind === 'mapped' ? o.resources.map((r) => ({ key: o.key, r })) : []));
    expect(mapped.length).toBe(EXPECTED_RESOURCES);
    for (const { key: recordKey, r } of mapped) {
      // The record key is the message's place and its MSH-10 (`file#n/<MSH-10>`): the lineage key starts with the MSH-10.
      const key = /#\d+\/(.*)$/.exec(recordKey)?.[1] ?? recordKey;
      const lineage = ((r['identifier'] ?? []) as fhir4.Identifier[]).find((i) => i.system === LINEAGE);
      expect(lineage?.value).toMatch(new RegExp(`^${key.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/(PID|PV1|NK1-|AL1-|OBR-|OBX-|RXA-|RXE-|TXA|SCH|DG1-|PR1-|IN1-|FT1-|GT1-|IAM-|PRB-|ORDER-[0-9]+/(OBR|RXA)-)`));
    }
  });

  it('maps OBX-5 by OBX-2, OBX-7 to referenceRange and OBX-8 through table 0078 (ORU-R01-01)', () => {
    const observation = mappedResources().find((r) => lineageOf(r) === '2.16.840.1.114222.4.3.3.5.1.2-20120314235954.325/OBR-1/OBX-1');
    expect(observation).toMatchObject({
      status: 'preliminary',
      category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: 'laboratory' }] }],
      valueCodeableConcept: { coding: [{ system: 'http://snomed.info/sct', code: '27268008', display: 'Salmonella' }] },
      interpretation: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation', code: 'A' }] }],
      referenceRange: [{ low: { value: 70 }, high: { value: 80 }, text: '70-80' }],
      subject: { identifier: { system: LINEAGE, value: '2.16.840.1.114222.4.3.3.5.1.2-20120314235954.325/PID' } },
    });
  });

  it('gives numeric results a UCUM Quantity when OBX-6.3 names UCUM', () => {
    const quantities = mappedResources().flatMap((r) => (r.resourceType === 'Observation' && r['valueQuantity'] ? [r['valueQuantity'] as fhir4.Quantity] : []));
    expect(quantities.length).toBeGreaterThan(0);
    expect(quantities.filter((q) => q.system === 'http://unitsofmeasure.org').every((q) => typeof q.code === 'string' && typeof q.value === 'number')).toBe(true);
  });

  it('puts the MDM^T02/T06/T10 document text into DocumentReference content as base64', () => {
    const documents = mappedResources().filter((r) => r.resourceType === 'DocumentReference');
    expect(documents).toHaveLength(7);
    for (const d of documents) {
      const attachment = (d['content'] as fhir4.DocumentReferenceContent[])[0]?.attachment;
      expect(attachment?.contentType).toBe('text/plain');
      expect(Buffer.from(attachment?.data ?? '', 'base64').toString('utf8').length).toBeGreaterThan(10);
    }
  });

  it('codes VXU^V04 vaccines with CVX or NDC and a patient reference', () => {
    const immunizations = mappedResources().filter((r) => r.resourceType === 'Immunization');
    expect(immunizations).toHaveLength(8);
    const systems = new Set(immunizations.flatMap((i) => ((i['vaccineCode'] as fhir4.CodeableConcept).coding ?? []).map((c) => c.system)));
    expect([...systems].some((s) => s === 'http://hl7.org/fhir/sid/cvx')).toBe(true);
  });

  it('produces the expected resources per resource type', () => {
    const byType: Record<string, number> = {};
    for (const o of outcomes) if (o.kind === 'mapped') for (const r of o.resources) byType[r.resourceType] = (byType[r.resourceType] ?? 0) + 1;
    console.log(`HL7 v2 resources per type: ${JSON.stringify(byType)}`);
    expect(byType).toEqual(EXPECTED_RESOURCE_TYPES);
  });

  it('counts per message type as measured', () => {
    expect(countByType(outcomes)).toMatchObject(EXPECTED_BY_TYPE);
  });
});

const EXPECTED_RESOURCES = 456;
const EXPECTED_RESOURCE_TYPES: Record<string, number> = {
  Patient: 78, Encounter: 63, AllergyIntolerance: 22, RelatedPerson: 48, Immunization: 8, ServiceRequest: 15,
  DiagnosticReport: 3, Observation: 43, DocumentReference: 7, MedicationRequest: 6, Appointment: 7,
  Condition: 28, Procedure: 19, Coverage: 32, Organization: 32, ChargeItem: 8, Specimen: 7, Account: 30,
};
const EXPECTED_TOTAL = { mapped: 78, rejected: 8, skipped: 53 };
const MAPPED_ALL = (n: number) => ({ mapped: n, rejected: 0, skipped: 0 });
const SKIPPED_ALL = (n: number) => ({ mapped: 0, rejected: 0, skipped: n });
const REJECTED_ALL = (n: number) => ({ mapped: 0, rejected: n, skipped: 0 });
const EXPECTED_BY_TYPE = {
  'ADT^A01': MAPPED_ALL(5), 'ADT^A03': MAPPED_ALL(2), 'ADT^A04': MAPPED_ALL(5), 'ADT^A05': MAPPED_ALL(2), 'ADT^A06': MAPPED_ALL(2),
  'ADT^A07': MAPPED_ALL(2), 'ADT^A08': MAPPED_ALL(2), 'ADT^A13': MAPPED_ALL(2), 'ADT^A14': MAPPED_ALL(2), 'ADT^A28': MAPPED_ALL(2), 'ADT^A31': MAPPED_ALL(2), 'ADT^A60': MAPPED_ALL(3),
  // Documented gap: LAB-ORU-1 and LAB-ORU-2 have OBR-7 and OBR-22 empty (their only report time
  // sits in OBR-23), so the report has no effective time and US Core us-core-8 rejects it
  // (located by MSH-10 + OBR set id).
  'ORU^R01': { mapped: 3, rejected: 2, skipped: 0 },
  'VXU^V04': MAPPED_ALL(4), 'RDE^O11': MAPPED_ALL(2), 'RDE^O25': MAPPED_ALL(2), 'MDM^T02': MAPPED_ALL(3), 'MDM^T06': MAPPED_ALL(2), 'MDM^T10': MAPPED_ALL(2),
  'SIU^S12': MAPPED_ALL(3), 'SIU^S13': MAPPED_ALL(2), 'SIU^S14': MAPPED_ALL(2), 'DFT^P03': MAPPED_ALL(2), 'DFT^P11': MAPPED_ALL(2), 'BAR^P12': MAPPED_ALL(2),
  'ORM^O01': MAPPED_ALL(8), 'OML^O21': MAPPED_ALL(4), 'OMG^O19': MAPPED_ALL(2), 'PPR^PC1': MAPPED_ALL(1), 'PPR^PC2': MAPPED_ALL(1),
  // Documented: the OUL samples (digital pathology) have no OBR-7 / OBR-22, so their reports have no
  // effective time and US Core us-core-8 rejects them (located by MSH-10 + OBR set id, empty here).
  'OUL^R22': REJECTED_ALL(2), 'OUL^R23': REJECTED_ALL(2), 'OUL^R24': REJECTED_ALL(2),
  // Documented gap: not mapped yet, skipped by rule with the reason in maps/hl7v2/messages.json.
  'ADT^A02': SKIPPED_ALL(2), 'ADT^A40': SKIPPED_ALL(2), 'BAR^P01': SKIPPED_ALL(2),
  'MDM^T01': SKIPPED_ALL(2), 
  'RDS^O13': SKIPPED_ALL(2), 'REF^I12': SKIPPED_ALL(2),
};
