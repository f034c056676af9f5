import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { createSource, isSourceRejection } from '../../../src/sources/index.ts';
import type { Hl7Group, Hl7SegmentData, LegacySource, SourceItem } from '../../../src/sources/index.ts';
import type { SourceRecord } from '../../../src/core/index.ts';
import { findStructure } from '../../../src/sources/hl7v2/structures.ts';

const SAMPLES = join(__dirname, '..', '..', '..', '..', 'shared', 'testdata', 'hl7v2');
const FILES = readdirSync(join(SAMPLES, 'fhir-converter'));

async function collect(source: LegacySource, options?: Parameters<LegacySource['read']>[0]): Promise<SourceItem[]> {
  const items: SourceItem[] = [];
  for await (const item of source.read(options)) items.push(item);
  return items;
}

describe('hl7v2: the 139 FHIR-Converter samples', () => {
  const source = createSource(`hl7v2:${SAMPLES}`, { name: 'v2-archive' });
  let records: SourceRecord<Hl7Group>[] = [];

  beforeAll(async () => {
    const items = await collect(source);
    expect(items.filter(isSourceRejection)).toEqual([]);
    records = items as SourceRecord<Hl7Group>[];
  });

  it('reads every file as one message, none rejected', () => {
    expect(FILES).toHaveLength(139);
    expect(records).toHaveLength(139);
    expect(new Set(records.map((r) => r.ref.locator.split('#')[0]))).toEqual(new Set(FILES.map((f) => `fhir-converter/${f}`)));
  });

  it('names each message by its MSH-9 type and keys it by its place and MSH-10', () => {
    for (const record of records) {
      const file = record.ref.locator.split('#')[0] as string;
      const match = /^fhir-converter\/([A-Z]{3})-([A-Z]\d{2})-\d+\.hl7$/.exec(file);
      const msh = record.data.MSH as Hl7SegmentData;
      expect(record.ref.kind).toBe(`${msh['9']?.[0]?.['1']}^${msh['9']?.[0]?.['2']}`);
      // OML-O21-02.hl7 holds an ORM^O01 message
      if (match && !file.endsWith('OML-O21-02.hl7')) expect(`${file} ${record.ref.kind}`).toBe(`${file} ${match[1]}^${match[2]}`);
      // MSH-10 repeats across the samples (MSG00001): the key is the message's place and its MSH-10, unique in the source.
      expect(record.ref.locator).toBe(`${file}#1/${msh['10']?.[0]?.['1']}`);
      expect(record.key).toBe(record.ref.locator);
    }
  });

  it('groups ORU^R01 segments as the structure defines them, escapes decoded', () => {
    const oru = records.find((r) => r.ref.locator.startsWith('fhir-converter/ORU-R01-01.hl7')) as SourceRecord<any>;
    const result = oru.data.PATIENT_RESULT[0];
    expect(result.PATIENT.PID['5'][0]).toEqual({ '1': 'Finn', '2': 'Huckleberry', '7': 'L' });
    expect(result.PATIENT.PID['3'][0]['4']).toEqual({ '1': 'IA PHIMS Stage', '2': '2.16.840.1.114222.4.3.3.5.1.2', '3': 'ISO' });
    expect(result.PATIENT.PID['10'].map((race: Record<string, string>) => race['1'])).toEqual(['2106-3', '1002-5']);
    expect(result.PATIENT.VISIT.PV1['14'][0]['1']).toBe('NHS Provider-General (inc.A&E-this Hosp)');
    const order = result.ORDER_OBSERVATION[0];
    expect(order.OBR['4'][0]['1']).toBe('625-4');
    expect(order.NTE[0]['3'][0]['1']).toContain('E.coli O157:H7 & other STECs');
    expect(order.OBSERVATION[0].OBX['3'][0]['1']).toBe('625-4');
    expect(order.OBSERVATION[0].OBX['8'][0]['1']).toBe('A');
    expect(oru.patientKey).toBe('14');
  });

  it('lists the patients (PID-3, the MR identifier first) and reads one patient by index', async () => {
    const patients = await source.listPatients();
    expect(patients.length).toBeGreaterThan(5);
    const [first] = patients;
    const scoped = await collect(source, { patientKeys: [first as string] });
    expect(scoped).toEqual(records.filter((r) => r.patientKey === first));
    expect(await source.listKinds()).toEqual(expect.arrayContaining(['ADT^A01', 'ORU^R01', 'VXU^V04', 'MDM^T02', 'SIU^S12', 'RDE^O11', 'DFT^P03', 'OML^O21']));
  });

  it('places every top-level segment where its structure says (only mislabelled samples have strays)', () => {
    const strays: string[] = [];
    for (const record of records) {
      const type = (record.data.MSH as Hl7SegmentData)['9']?.[0] as Record<string, string>;
      const structure = findStructure(type['1'] as string, type['2'] ?? '', type['3']);
      if (!structure) continue;
      const names = new Set(structure.children.map((c) => (c.type === 'segment' ? c.id : c.name)));
      const extra = Object.keys(record.data).filter((k) => !names.has(k));
      if (extra.length > 0) strays.push(`${record.ref.locator.split('#')[0]}: ${extra.join(',')}`);
    }
    // MDM_01.hl7 is an MDM document labelled ADT^A01; SIU_12.hl7 a schedule labelled ADT^A60
    expect(strays).toEqual(['fhir-converter/MDM_01.hl7: ORC,TQ1,OBR,NTE,TXA', 'fhir-converter/SIU_12.hl7: SCH,PD1']);
  });

  it('fills the groups of the other message types', () => {
    const byFile = (name: string): any => records.find((r) => r.ref.locator.startsWith(`fhir-converter/${name}`))?.data;
    expect(byFile('VXU-V04-01.hl7').ORDER[0].RXA).toBeDefined();
    expect(byFile('ADT-A01-01.hl7').PID).toBeDefined();
    expect(byFile('MDM-T02-01.hl7').OBSERVATION.length).toBeGreaterThan(0);
    expect(byFile('SIU-S12-01.hl7').RESOURCES[0].RGS).toBeDefined();
    expect(byFile('RDE-O11-01.hl7').ORDER[0].RXE).toBeDefined();
    expect(byFile('DFT-P03-01.hl7').FINANCIAL[0].FT1).toBeDefined();
  });
});
