import { join } from 'node:path';
import { createSource, isSourceRejection } from '../../../src/sources/index.ts';
import { HL7_DIR, LINEAGE, buildMapSet, mapAllMessages, readRouting } from './support.ts';
import type { MapSet, MessageOutcome, Resource } from './support.ts';

/**
 * The HL7 v2 segments beyond PID/PV1/OBR/OBX, each through the sample that carries it, following
 * the HL7 V2-to-FHIR IG segment tables (../shared/testdata/v2-to-fhir/segments): DG1, PR1, IN1,
 * GT1, FT1, NTE, SPM, PD1, PV2, IAM/IAR, PRB, OBX-2 RP/ED; every resource asserted here passed
 * R4 + US Core 6.1.0 validation (a message with an invalid resource is rejected by the support).
 */
describe('HL7 v2 segment maps', () => {
  jest.setTimeout(60_000);
  let outcomes: MessageOutcome[] = [];
  let set: MapSet;
  const lineageOf = (r: Resource): string | undefined => ((r['identifier'] ?? []) as fhir4.Identifier[]).find((i) => i.system === LINEAGE)?.value;

  beforeAll(async () => {
    set = buildMapSet();
    outcomes = await mapAllMessages(set, readRouting());
  });
  const inMessage = (file: string): Resource[] => {
    const found = outcomes.find((o) => o.kind === 'mapped' && o.locator.includes(`/${file}#`));
    if (found?.kind !== 'mapped') throw new Error(`${file} not mapped`);
    return [...found.resources];
  };
  const byLineage = (resources: Resource[], value: string): Resource | undefined => resources.find((r) => lineageOf(r) === value);
  const refTo = (value: string) => ({ identifier: { system: LINEAGE, value } });

  it('maps DG1 to a US Core encounter-diagnosis Condition (IG DG1[Condition]; ADT-A01-01)', () => {
    expect(byLineage(inMessage('ADT-A01-01.hl7'), 'MSG00001/DG1-1')).toMatchObject({
      resourceType: 'Condition',
      meta: { profile: ['http://hl7.org/fhir/us/core/StructureDefinition/us-core-condition-encounter-diagnosis'] },
      category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-category', code: 'encounter-diagnosis' }] }],
      code: { coding: [{ system: 'http://snomed.info/sct', code: '422504002' }] },
      subject: refTo('MSG00001/PID'),
      encounter: refTo('MSG00001/PV1'),
      onsetDateTime: '2004-01-25T11:40:25+04:20', // DG1-5
      recordedDate: '2020-05-01T13:30:15+02:15', // DG1-19
      asserter: { display: 'ROBIN DIAG' }, // DG1-16
    });
  });

  it('maps PR1 to a US Core Procedure with the IG performer functions (IG PR1[Procedure]; ADT-A01-01)', () => {
    const procedure = byLineage(inMessage('ADT-A01-01.hl7'), 'MSG00001/PR1-1');
    expect(procedure).toMatchObject({
      resourceType: 'Procedure',
      status: 'completed',
      performedDateTime: '2005-01-25T11:40:00+01:00', // PR1-5
      code: { coding: [{ system: 'http://snomed.info/sct', code: '76164006' }] },
      category: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0230', code: 'D' }] },
      reasonCode: [{ coding: [{ code: '799008' }] }], // PR1-15
    });
    expect((procedure?.['performer'] as fhir4.ProcedurePerformer[]).map((p) => p.function?.coding?.[0]?.code)).toEqual(['88189002', '304292004', undefined]);
  });

  it('maps IN1 to a US Core Coverage whose payor is the payer Organization of the same bundle (IG IN1[Coverage]; DFT-P03-01)', () => {
    const resources = inMessage('DFT-P03-01.hl7');
    expect(byLineage(resources, 'MSG00001/IN1-1')).toMatchObject({
      resourceType: 'Coverage',
      status: 'active',
      subscriberId: 'HMO-12345', // IN1-49
      beneficiary: refTo('MSG00001/PID'),
      relationship: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/subscriber-relationship', code: 'spouse' }] }, // IN1-17 SPO
      period: { start: '1998-11-01' }, // IN1-12
      payor: [refTo('MSG00001/IN1-1/payer')],
      class: [{ type: { coding: [{ code: 'group' }] }, value: 'Grp-12345' }], // IN1-8
    });
    expect(byLineage(resources, 'MSG00001/IN1-1/payer')).toMatchObject({
      resourceType: 'Organization', active: true, name: 'Blue Cross Blue Shield of Texas', // IN1-4
      address: [{ city: 'VERONA', state: 'WI', postalCode: '53593' }], // IN1-5
    });
  });

  it('adds the IN2-61 patient member number as the US Core member id (identifier type MB; DFT-P11-02)', () => {
    const coverage = byLineage(inMessage('DFT-P11-02.hl7'), 'MSG00001/IN1-1');
    expect(coverage?.['identifier']).toContainEqual(expect.objectContaining({ value: 'MB-12345', type: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0203', code: 'MB', display: 'Member Number' }] } }));
  });

  it('gives an IN1 without a member id no Coverage (US Core us-core-15), keeping the others (ADT01-23, ADT04-23)', () => {
    const coverages = (file: string) => inMessage(file).filter((r) => r.resourceType === 'Coverage').map(lineageOf);
    expect(coverages('ADT01-23.hl7')).toEqual(['599102/IN1-1', '599102/IN1-2']); // IN1-3 is SELF PAY, no IN1-36/49
    expect(coverages('ADT04-23.hl7')).toEqual([]);
  });

  it('maps FT1 to a ChargeItem and its FINANCIAL_PROCEDURE PR1 to a Procedure keyed under it (DFT-P03-01)', () => {
    const resources = inMessage('DFT-P03-01.hl7');
    expect(byLineage(resources, 'MSG00001/FT1-1')).toMatchObject({
      resourceType: 'ChargeItem',
      status: 'billable',
      code: { coding: [{ system: 'http://www.ama-assn.org/go/cpt', code: '71045' }] }, // FT1-7
      subject: refTo('MSG00001/PID'),
      context: refTo('MSG00001/PV1'),
      occurrenceDateTime: '2019-11-22', // FT1-4
      quantity: { value: 2 }, // FT1-10
      priceOverride: { value: 100, currency: 'USD' }, // FT1-11
      reason: [{ coding: [{ code: '29857009' }] }, { coding: [{ code: '68235000' }] }], // FT1-19
    });
    expect(byLineage(resources, 'MSG00001/FT1-1/PR1-1')).toMatchObject({ resourceType: 'Procedure', code: { coding: [{ code: '71045' }] } });
    expect(resources.filter((r) => r.resourceType === 'Condition')).toHaveLength(2);
  });

  it('adds NTE comments as notes on the Observation and the ServiceRequest they follow (IG NTE[Observation], NTE[ServiceRequest])', () => {
    const observation = byLineage(inMessage('ORU-R01-01.hl7'), '2.16.840.1.114222.4.3.3.5.1.2-20120314235954.325/OBR-1/OBX-1');
    expect(observation?.['note']).toEqual([
      { text: 'Submission of serum', authorReference: { display: 'AARON ATTEND' }, time: '2020-10-10T16:00:00+02:15' },
      { text: 'No Antibodies Detected', authorReference: { display: 'AARON ATTEND' }, time: '2020-10-10T15:00:00+02:15' },
    ]);
    expect(byLineage(inMessage('MDHHS-OML-O21-1.hl7'), 'TC09SAPartAIG030101AA/ORDER-1/OBR-1')?.['note']).toEqual([{ text: 'the sky is blue' }]);
  });

  it('maps SPM to a US Core Specimen referenced from the report and its results (IG SPM[Specimen]; ORU-R01-01)', () => {
    const resources = inMessage('ORU-R01-01.hl7');
    const mid = '2.16.840.1.114222.4.3.3.5.1.2-20120314235954.325';
    expect(byLineage(resources, `${mid}/OBR-1/SPM-1`)).toMatchObject({
      resourceType: 'Specimen',
      meta: { profile: ['http://hl7.org/fhir/us/core/StructureDefinition/us-core-specimen'] },
      identifier: [{ value: `${mid}/OBR-1/SPM-1` }, { type: { coding: [{ code: 'PLAC' }] }, value: '2012545' }, { type: { coding: [{ code: 'FILL' }] }, value: '2012999999' }], // SPM-2
      accessionIdentifier: { value: 'AI-30' }, // SPM-30
      status: 'available', // SPM-20 Y
      type: { coding: [{ code: 'ASERU', display: 'Serum' }, { code: 'FUR' }] }, // SPM-4
      subject: refTo(`${mid}/PID`),
      collection: {
        collectedPeriod: { start: '2011-01-03T14:34:28-08:00', end: '2011-11-03T14:34:28-08:00' }, // SPM-17 with 17.2
        bodySite: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0488', code: 'BAP' }] }, // SPM-8
      },
      note: [{ text: 'This is a specimen resource' }], // SPM-14
    });
    expect(byLineage(resources, `${mid}/OBR-1`)?.['specimen']).toEqual([refTo(`${mid}/OBR-1/SPM-1`)]);
    expect(byLineage(resources, `${mid}/OBR-1/OBX-1`)?.['specimen']).toEqual(refTo(`${mid}/OBR-1/SPM-1`));
  });

  it('maps GT1 to an Account whose guarantor is the patient (GT1-11 SEL) or a guarantor RelatedPerson (IG GT1[Account], GT1[RelatedPerson])', () => {
    const self = inMessage('ADT-A01-01.hl7');
    expect(byLineage(self, 'MSG00001/GT1-1')).toMatchObject({ resourceType: 'Account', status: 'active', subject: [refTo('MSG00001/PID')], guarantor: [{ party: refTo('MSG00001/PID') }] });
    expect(byLineage(self, 'MSG00001/GT1-1/guarantor')).toBeUndefined();
    const brother = inMessage('DFT-P03-02.hl7');
    expect(byLineage(brother, 'MSG00001/GT1-1')).toMatchObject({ guarantor: [{ party: refTo('MSG00001/GT1-1/guarantor') }] });
    expect(byLineage(brother, 'MSG00001/GT1-1/guarantor')).toMatchObject({
      resourceType: 'RelatedPerson', active: true, patient: refTo('MSG00001/PID'),
      relationship: [{ coding: [{ code: 'BRO' }] }, { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-RoleClass', code: 'GUAR' }] }], // GT1-11
      name: [{ family: 'RADIANT', given: ['LUCY'] }], birthDate: '2001-04-12', gender: 'male', // GT1-3, GT1-8, GT1-9
    });
  });

  it('maps DFT^P11: the DG1, GT1 and IN1 of a FINANCIAL group keyed under its FT1 (DFT-P11-02)', () => {
    const keys = inMessage('DFT-P11-02.hl7').map((r) => `${r.resourceType} ${lineageOf(r) ?? ''}`);
    expect(keys).toEqual(expect.arrayContaining([
      'Condition MSG00001/DG1-1', 'Condition MSG00001/FT1-1/DG1-1', 'Condition MSG00001/FT1-2/DG1-1', 'ChargeItem MSG00001/FT1-1', 'Procedure MSG00001/FT1-1/PR1-1',
      'Coverage MSG00001/IN1-1', 'Coverage MSG00001/FT1-1/IN1-1', 'Organization MSG00001/FT1-1/IN1-1/payer', 'Account MSG00001/GT1-1', 'Account MSG00001/FT1-2/GT1-1',
    ]));
  });

  it('keeps an OBX-2 RP pointer in the IG valueAttachment extension with data-absent-reason unsupported (BAR-P12-01)', () => {
    expect(byLineage(inMessage('BAR-P12-01.hl7'), 'MSG00001/OBX-1')).toMatchObject({
      extension: [{ url: 'http://hl7.org/fhir/5.0/StructureDefinition/extension-Observation.valueAttachment', valueAttachment: { url: '60' } }],
      dataAbsentReason: { coding: [{ code: 'unsupported' }] },
    });
  });

  it('keys the orders of a message by their ORDER position, so set IDs restarting per ORDER do not collide (ORM-O01-03, VXU-V04-02)', () => {
    expect(inMessage('ORM-O01-03.hl7').filter((r) => r.resourceType === 'ServiceRequest').map(lineageOf)).toEqual(['MSG00018/ORDER-1/OBR-1', 'MSG00018/ORDER-2/OBR-1']);
    expect(inMessage('VXU-V04-02.hl7').filter((r) => r.resourceType === 'Immunization').map(lineageOf)).toEqual(['MSG00001/ORDER-1/RXA-1', 'MSG00001/ORDER-2/RXA-1', 'MSG00001/ORDER-3/RXA-1']);
  });

  it('repeats a lineage key inside a message only where the source repeats a set ID (documented gap)', () => {
    const repeats = outcomes.flatMap((o) => {
      if (o.kind !== 'mapped') return [];
      const keys = o.resources.map((r) => `${r.resourceType} ${lineageOf(r) ?? ''}`);
      return [...new Set(keys.filter((k, i) => keys.indexOf(k) !== i))].map((k) => `${o.locator.replace(/#.*$/, '').replace(/^.*\//, '')} ${k}`);
    });
    // BAR-P12-02 sends two DG1 with set ID 1: their lineage keys collide (README "Lineage").
    expect(repeats.sort()).toEqual(['BAR-P12-02.hl7 Condition MSG00001/DG1-1']);
  });

  it('maps ADT^A60 IAM + IAR + NTE to a US Core AllergyIntolerance (IG IAM[AllergyIntolerance]; ADT-A60-01)', () => {
    expect(byLineage(inMessage('ADT-A60-01.hl7'), 'MSG00001/IAM-1')).toMatchObject({
      resourceType: 'AllergyIntolerance',
      clinicalStatus: { coding: [{ code: 'active' }] },
      verificationStatus: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/allergyintolerance-verification', code: 'confirmed' }] }, // IAM-17 C
      category: ['food'], // IAM-2 FA
      code: { coding: [{ code: '12345', display: 'Peanut Allergy' }] }, // IAM-3
      onsetDateTime: '2018-05', // IAM-11
      encounter: refTo('MSG00001/PV1'),
      reaction: [{ manifestation: [{ coding: [{ code: '34567', display: 'Skin Rashness' }] }], severity: 'mild' }], // IAR-1, IAR-2
      note: [{ text: 'Allergy to peanuts observed.' }],
    });
  });

  it('maps PPR^PC1 PRB to a US Core problem-list Condition keyed by the problem instance ID (PC1-Problem-Add)', () => {
    expect(inMessage('PC1-Problem-Add-v2.3.1.hl7').find((r) => r.resourceType === 'Condition')).toMatchObject({
      identifier: [{ system: LINEAGE, value: '331/PRB-26744' }, { value: '26744' }], // PRB-4
      category: [{ coding: [{ code: 'problem-list-item' }] }],
      code: { coding: [{ system: 'http://hl7.org/fhir/sid/icd-9-cm', code: '596.5' }] }, // PRB-3
      subject: refTo('331/PID'), onsetDateTime: '2004-06-29', recordedDate: '2004-06-29', // PRB-16, PRB-7
    });
  });

  it('keeps OBX-2 ED data in the IG valueAttachment extension (OUL-R24-01, rejected as a whole for its report)', async () => {
    const source = createSource(`hl7v2:${join(HL7_DIR, 'fhir-converter', 'OUL-R24-01.hl7')}`);
    let bundle: fhir4.Bundle | undefined;
    for await (const item of source.read()) if (!isSourceRejection(item)) bundle = set.engine.transform(set.maps.get('oul.map') as fhir4.StructureMap, item.data) as fhir4.Bundle;
    await source.close();
    const thumbnail = bundle?.entry?.map((e) => e.resource as fhir4.Observation).find((r) => r.identifier?.[0]?.value === '1932/OBR-/OBX-2');
    expect(thumbnail?.extension).toEqual([{ url: 'http://hl7.org/fhir/5.0/StructureDefinition/extension-Observation.valueAttachment', valueAttachment: { contentType: 'image/jpeg', data: 'VGhpcyBpcyBhIEJhc2U2NCBzdHJpbmc=' } }]);
    expect(thumbnail?.dataAbsentReason?.coding?.[0]?.code).toBe('unsupported');
  });

  it('maps PD1 to Patient.generalPractitioner and PV2 to Encounter reason and referrer (IG PD1[Patient], PV2[Encounter]; ADT-A01-01)', () => {
    const resources = inMessage('ADT-A01-01.hl7');
    expect(byLineage(resources, 'MSG00001/PID')?.['generalPractitioner']).toEqual([{ display: 'LINDAS TEST ORGANIZATION' }, { display: 'rold Hippo' }]);
    const encounter = byLineage(resources, 'MSG00001/PV1');
    expect(encounter?.['reasonCode']).toEqual([{ coding: [{ code: '140004', display: 'Chronic pharyngitis', system: 'http://snomed.info/sct' }], text: 'Chronic pharyngitis' }]);
    expect(encounter?.['participant']).toContainEqual({ type: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ParticipationType', code: 'REF', display: 'referrer' }], text: 'referrer' }], individual: { display: 'Harold Hippocrates' } });
  });

  it('maps the NK1 and OBX of the ADT NEXT_OF_KIN and OBSERVATION groups (ADT-A01-01)', () => {
    const resources = inMessage('ADT-A01-01.hl7');
    expect(resources.filter((r) => r.resourceType === 'RelatedPerson').length).toBeGreaterThan(0);
    expect(byLineage(resources, 'MSG00001/OBX-27')).toMatchObject({ resourceType: 'Observation', status: 'preliminary', code: { coding: [{ code: '8867-4' }] } });
  });
});
