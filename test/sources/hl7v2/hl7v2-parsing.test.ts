import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Hl7v2Source, isSourceRejection, unescapeHl7 } from '../../../src/sources/index.ts';
import type { SourceItem } from '../../../src/sources/index.ts';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'fhirmig-hl7-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

async function read(file: string, content: string | Buffer, options: ConstructorParameters<typeof Hl7v2Source>[1] = {}): Promise<SourceItem[]> {
  writeFileSync(join(dir, file), content);
  const source = new Hl7v2Source(dir, { name: 't', ...options });
  const items: SourceItem[] = [];
  for await (const item of source.read()) items.push(item);
  return items;
}

const ORU = (id: string, mrn: string, extra: string[] = []): string[] => [
  `MSH|^~\\&|LAB|HOSP|EHR|HOSP|20240102120000||ORU^R01^ORU_R01|${id}|P|2.5.1`,
  `PID|1||${mrn}^^^HOSP^MR~999-99-9999^^^SSA^SS||Doe^Jane^Q||19800101|F`,
  'OBR|1|PL1|FL1|2345-7^Glucose^LN',
  'OBX|1|NM|2345-7^Glucose^LN||182|mg/dL^^UCUM|70-99|H|||F',
  'NTE|1||Fasting\\.br\\sample',
  ...extra,
];

const summary = (items: readonly SourceItem[]): string[] => items.map((i) => (isSourceRejection(i) ? `REJECTED ${i.ref.locator}` : `${i.ref.kind} ${i.ref.locator}`));

describe('hl7v2: segment ends, framing and batches', () => {
  it('reads \\r, \\n and \\r\\n segment ends alike', async () => {
    const datas = [];
    for (const end of ['\r', '\n', '\r\n']) {
      const items = await read('m.hl7', ORU('M1', '123').join(end) + end);
      expect(summary(items)).toEqual(['ORU^R01 m.hl7#1/M1']);
      datas.push((items[0] as { data: unknown }).data);
    }
    expect(datas[1]).toEqual(datas[0]);
    expect(datas[2]).toEqual(datas[0]);
  });

  it('splits an MLLP-framed file and reports a frame that never closes', async () => {
    const frame = (lines: string[]): string => `\x0b${lines.join('\r')}\r\x1c\r`;
    const cut = `\x0b${ORU('M3', '789').slice(0, 3).join('\r')}`;
    const items = await read('feed.mllp', frame(ORU('M1', '123')) + frame(ORU('M2', '456')) + cut);
    expect(summary(items)).toEqual(['ORU^R01 feed.mllp#1/M1', 'ORU^R01 feed.mllp#2/M2', 'REJECTED feed.mllp#3/M3']);
    expect(items[2]).toMatchObject({ code: 'FHIRMIG_ERR_SOURCE_PARSE', message: expect.stringContaining('MLLP frame is not closed') });
  });

  it('unwraps FHS/BHS batches and checks the BTS message count', async () => {
    const batch = ['FHS|^~\\&|LAB', 'BHS|^~\\&|LAB', ...ORU('B1', '1'), ...ORU('B2', '2'), 'BTS|2', 'BHS|^~\\&|LAB', ...ORU('B3', '3'), 'BTS|2', 'FTS|2'];
    const items = await read('batch.hl7', batch.join('\r'));
    expect(summary(items)).toEqual(['ORU^R01 batch.hl7#1/B1', 'ORU^R01 batch.hl7#2/B2', 'ORU^R01 batch.hl7#3/B3', 'REJECTED batch.hl7@' + String(batch.slice(0, 19).join('\r').length + 1)]);
    expect(items[3]).toMatchObject({ message: expect.stringContaining('BTS-1 declares 2 messages, the batch holds 1') });
  });
});

describe('hl7v2: fields, escapes and bad messages', () => {
  it('splits repetitions, components and sub-components, and decodes escapes', async () => {
    const [item] = await read('m.hl7', [...ORU('M1', '123'), 'NTE|2||A\\F\\B\\S\\C\\T\\D\\R\\E\\E\\F\\X41\\\\H\\bold\\N\\'].join('\r'));
    const data = (item as { data: any }).data;
    const pid = data.PATIENT_RESULT[0].PATIENT.PID;
    expect(pid['3']).toEqual([
      { '1': '123', '4': 'HOSP', '5': 'MR' },
      { '1': '999-99-9999', '4': 'SSA', '5': 'SS' },
    ]);
    const observation = data.PATIENT_RESULT[0].ORDER_OBSERVATION[0].OBSERVATION[0];
    expect(observation.OBX['5'][0]['1']).toBe('182');
    expect(observation.NTE[0]['3'][0]['1']).toBe('Fasting\nsample');
    expect(observation.NTE[1]['3'][0]['1']).toBe('A|B^C&D~E\\F' + 'A' + 'bold');
    expect(item).toMatchObject({ patientKey: '123', key: 'm.hl7#1/M1' });
  });

  it('keeps sub-components as an object and MSH-1/MSH-2 verbatim', async () => {
    const [item] = await read('m.hl7', ['MSH|^~\\&|A|B|C|D|20240101||ADT^A04|X9|P|2.5', 'EVN|A04', 'PID|1||77^^^HOSP&1.2.3&ISO^MR||Roe^Rick', 'PV1|1|O'].join('\n'));
    const data = (item as { data: any }).data;
    expect(data.MSH['1']).toEqual([{ '1': '|' }]);
    expect(data.MSH['2']).toEqual([{ '1': '^~\\&' }]);
    expect(data.PID['3'][0]['4']).toEqual({ '1': 'HOSP', '2': '1.2.3', '3': 'ISO' });
    expect(item?.ref.kind).toBe('ADT^A04');
  });

  it('honours the delimiters a message declares', async () => {
    const [item] = await read('m.hl7', ['MSH*#!$%*A*B*C*D*20240101**ADT#A08*Z1*P*2.3', 'EVN*A08', 'PID*1**55####MR!66####PI**Poe#Ed$F$x', 'PV1*1*I'].join('\r'));
    const pid = (item as { data: any }).data.PID;
    expect(pid['3']).toEqual([{ '1': '55', '5': 'MR' }, { '1': '66', '5': 'PI' }]);
    expect(pid["5"][0]).toEqual({ "1": "Poe", "2": "Ed*x" });
  });

  it('rejects a broken segment with its message and index, and reads the next message', async () => {
    const text = [...ORU('M1', '1').slice(0, 3), 'this is not a segment', ...ORU('M1', '1').slice(3), ...ORU('M2', '2')].join('\r');
    const items = await read('m.hl7', text);
    expect(summary(items)).toEqual(['REJECTED m.hl7#1/M1/segment[4]', 'ORU^R01 m.hl7#2/M2']);
    expect(items[0]).toMatchObject({ code: 'FHIRMIG_ERR_SOURCE_PARSE', message: 'm.hl7#1/M1/segment[4]: segment 4 is broken: it does not start with a segment id and the field separator' });
  });

  it('rejects truncated messages: MSH alone, or stopping before the last required part', async () => {
    const items = await read('m.hl7', [ORU('T1', '1')[0], ...ORU('T2', '2').slice(0, 2), ...ORU('T3', '3')].join('\r'));
    expect(summary(items)).toEqual(['REJECTED m.hl7#1/T1', 'REJECTED m.hl7#2/T2', 'ORU^R01 m.hl7#3/T3']);
    expect((items[1] as { message: string }).message).toContain('the message is truncated');
  });

  it('gives a message of unknown structure a flat tree', async () => {
    const [item] = await read('m.hl7', ['MSH|^~\\&|A|B|C|D|20240101||ZZZ^Z99|Q1|P|2.5', 'PID|1||9', 'ZXY|a|b', 'ZXY|c'].join('\r'));
    expect((item as { data: any }).data).toEqual({
      MSH: expect.any(Object),
      PID: [{ '1': [{ '1': '1' }], '3': [{ '1': '9' }] }],
      ZXY: [{ '1': [{ '1': 'a' }], '2': [{ '1': 'b' }] }, { '1': [{ '1': 'c' }] }],
    });
  });

  it('decodes Latin-1 feeds when told', async () => {
    const lines = ['MSH|^~\\&|A|B|C|D|20240101||ADT^A04|L1|P|2.5|||||||8859/1', 'EVN|A04', 'PID|1||1^^^H^MR||M\u00fcller^J\u00fcrgen', 'PV1|1|O'];
    const [item] = await read('m.hl7', Buffer.from(lines.join('\r'), 'latin1'), { encoding: 'latin1' });
    expect((item as { data: any }).data.PID['5'][0]).toEqual({ '1': 'Müller', '2': 'Jürgen' });
  });

  it('reads one patient from the index across files', async () => {
    writeFileSync(join(dir, 'a.hl7'), [...ORU('A1', 'P1'), ...ORU('A2', 'P2')].join('\r'));
    writeFileSync(join(dir, 'b.hl7'), [...ORU('B1', 'P2'), ...ORU('B2', 'P1')].join('\r'));
    const source = new Hl7v2Source(dir);
    expect(await source.listPatients()).toEqual(['P1', 'P2']);
    const scoped: SourceItem[] = [];
    for await (const item of source.read({ patientKeys: ['P1'] })) scoped.push(item);
    expect(scoped.map((i) => i.ref.locator)).toEqual(['a.hl7#1/A1', 'b.hl7#2/B2']);
    expect(scoped.every((i) => i.patientKey === 'P1')).toBe(true);
  });
});

describe('hl7v2: unescape', () => {
  const d = { field: '|', component: '^', repetition: '~', escape: '\\', subcomponent: '&' };
  it.each([
    ['a\\F\\b', 'a|b'],
    ['\\X48454C4C4F\\', 'HELLO'],
    ['\\XC3A9\\', 'é'],
    ['x\\.br\\y', 'x\ny'],
    ['x\\.sp2\\y', 'x\ny'],
    ['\\Zfoo', '\\Zfoo'],
    ['\\Q\\', '\\Q\\'],
    ['no escapes', 'no escapes'],
  ])('%s → %s', (input, expected) => {
    expect(unescapeHl7(input, d)).toBe(expected);
  });
});

describe('hl7v2: text that did not come from a file', () => {
  it('parses a posted message (or an MLLP frame) like a file', async () => {
    const { parseHl7v2Text } = await import('../../../src/sources/index.ts');
    const items = await parseHl7v2Text(`\x0b${ORU('P1', '42').join('\r')}\r\x1c\r`, { source: 'api', name: 'request-7' });
    expect(summary(items)).toEqual(['ORU^R01 request-7#1/P1']);
    expect(items[0]).toMatchObject({ patientKey: '42', ref: { source: 'api' } });
    const broken = await parseHl7v2Text('MSH|^~\\&|A', { source: 'api' });
    expect(summary(broken)).toEqual(['REJECTED message#1/MSH[1]']);
    expect(broken[0]).toMatchObject({ field: 'MSH-9' });
  });
});

describe('hl7v2: stray text', () => {
  it('reports a run of lines before the first MSH once, and reads the message after it', async () => {
    writeFileSync(join(dir, 'x.hl7'), ['Exported by LegacyLab 2.1', 'page 1 of 1', ...ORU('S1', '5')].join('\n'));
    const items: SourceItem[] = [];
    for await (const item of new Hl7v2Source(dir).read()) items.push(item);
    expect(summary(items)).toEqual(['REJECTED x.hl7@0', 'ORU^R01 x.hl7#1/S1']);
    expect(items[0]).toMatchObject({ ref: { kind: 'framing' }, message: 'x.hl7@0: text outside any message (lines before the first MSH)' });
  });
});
