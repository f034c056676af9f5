import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CsvSource, isSourceRejection } from '../../../src/sources/index.ts';
import type { SourceItem } from '../../../src/sources/index.ts';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'fhirmig-csv-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** Sources a test read from: closed after it (patient reads keep a file handle open per table until close). */
const readFrom = new Set<CsvSource>();
afterEach(async () => {
  await Promise.all([...readFrom].map((source) => source.close()));
  readFrom.clear();
});

async function collect(source: CsvSource, options?: Parameters<CsvSource['read']>[0]): Promise<SourceItem[]> {
  readFrom.add(source);
  const items: SourceItem[] = [];
  for await (const item of source.read(options)) items.push(item);
  return items;
}

const summary = (items: readonly SourceItem[]): string[] =>
  items.map((i) => (isSourceRejection(i) ? `${i.ref.locator} REJECTED ${i.code}${i.field ? ` ${i.field}` : ''}` : `${i.ref.locator} ${JSON.stringify(i.data)}`));

describe('csv: dialects and encodings', () => {
  it('reads quoted fields: delimiters, doubled quotes and line breaks inside quotes, with true line numbers', async () => {
    writeFileSync(join(dir, 'notes.csv'), 'id,text\n1,"a, b"\n2,"she said ""hi"""\n3,"two\nlines"\n4,plain\n');
    expect(summary(await collect(new CsvSource(dir)))).toEqual([
      'notes.csv:2 {"id":"1","text":"a, b"}',
      'notes.csv:3 {"id":"2","text":"she said \\"hi\\""}',
      'notes.csv:4 {"id":"3","text":"two\\nlines"}',
      'notes.csv:6 {"id":"4","text":"plain"}',
    ]);
  });

  it('drops a UTF-8 byte order mark and reads CRLF line ends', async () => {
    writeFileSync(join(dir, 'people.csv'), '\uFEFFId,Name\r\n7,Zoë\r\n');
    const [item] = await collect(new CsvSource(dir));
    expect(item).toMatchObject({ data: { Id: '7', Name: 'Zoë' } });
  });

  it('decodes Latin-1 files when the descriptor says so', async () => {
    writeFileSync(join(dir, 'people.csv'), Buffer.from('id;name;city\n1;Ren\u00e9e;K\u00f6ln\n', 'latin1'));
    writeFileSync(join(dir, 'source.json'), JSON.stringify({ encoding: 'ISO-8859-1', delimiter: ';', tables: { people: { key: 'id' } } }));
    const source = new CsvSource(dir);
    expect(source.layout.descriptorOrigin).toBe('source.json');
    expect(summary(await collect(source))).toEqual(['people.csv:2 {"id":"1","name":"Renée","city":"Köln"}']);
  });

  it('decodes windows-1252 (the euro sign, curly quotes) from Windows exports', async () => {
    writeFileSync(join(dir, 'charges.csv'), Buffer.from([...Buffer.from('id,note\n1,'), 0x80, 0x20, 0x93, 0x6f, 0x6b, 0x94, 0x20, 0xe9, 0x0a]));
    const source = new CsvSource(dir, { descriptor: { encoding: 'windows-1252', tables: { charges: { key: 'id' } } } });
    expect(summary(await collect(source))).toEqual(['charges.csv:2 {"id":"1","note":"€ “ok” é"}']);
  });

  it('reads tab-separated .tsv files and semicolons from the descriptor', async () => {
    writeFileSync(join(dir, 'a.tsv'), 'x\ty\n1\t2\n');
    writeFileSync(join(dir, 'b.csv'), 'x;y\n3;4\n');
    const source = new CsvSource(dir, { descriptor: { tables: { a: { file: 'a.tsv', delimiter: '\t' }, b: { delimiter: ';' } } } });
    expect(summary(await collect(source))).toEqual(['a.tsv:2 {"x":"1","y":"2"}', 'b.csv:2 {"x":"3","y":"4"}']);
    const auto = new CsvSource(dir);
    expect(await auto.listKinds()).toEqual(['a', 'b']);
    expect(summary(await collect(auto, { kinds: ['a'] }))).toEqual(['a.tsv:2 {"x":"1","y":"2"}']);
  });
});

describe('csv: descriptors and bad rows', () => {
  const labs = [
    'lab_id,patient,test,value,taken,site',
    '1,P1,glucose,5.4,2024-01-02,A',
    '2,P1,glucose,5.9,2024-01-03', // one field short
    '3,P2,glucose,6.1,2024-02-30,B', // impossible date
    '4,P2,glucose,high,2024-03-01,B', // not a decimal
    '5,P2,"glucose"x,6.0,2024-03-02,B', // text after a closing quote
    '6,P1,glucose,5.1,2024-03-03,A',
    ',P3,glucose,5.0,2024-03-04,A', // empty key
    '8,P3,potassium,4.1,2024-03-05,A',
    '',
  ].join('\n');
  const descriptor = {
    tables: { labs: { key: 'lab_id', patient: 'patient', types: { value: 'decimal' as const, taken: 'date' as const } } },
  };

  it('quarantines each bad row with its line and reason, and reads the rest', async () => {
    writeFileSync(join(dir, 'labs.csv'), labs);
    const items = await collect(new CsvSource(dir, { descriptor }));
    expect(summary(items)).toEqual([
      'labs.csv:2 {"lab_id":"1","patient":"P1","test":"glucose","value":5.4,"taken":"2024-01-02","site":"A"}',
      'labs.csv:3 REJECTED FHIRMIG_ERR_SOURCE_PARSE',
      'labs.csv:4 REJECTED FHIRMIG_ERR_SOURCE_VALUE taken',
      'labs.csv:5 REJECTED FHIRMIG_ERR_SOURCE_VALUE value',
      'labs.csv:6 REJECTED FHIRMIG_ERR_SOURCE_PARSE',
      'labs.csv:7 {"lab_id":"6","patient":"P1","test":"glucose","value":5.1,"taken":"2024-03-03","site":"A"}',
      'labs.csv:8 REJECTED FHIRMIG_ERR_SOURCE_VALUE lab_id',
      'labs.csv:9 {"lab_id":"8","patient":"P3","test":"potassium","value":4.1,"taken":"2024-03-05","site":"A"}',
    ]);
    const short = items[1];
    expect(short).toMatchObject({ message: 'labs.csv:3: the row has 5 fields, the header has 6', patientKey: 'P1' });
    expect((items[2] as { message: string }).message).toBe('labs.csv:4: column taken is not a real date (YYYY-MM-DD)');
    expect(items[2]).toMatchObject({ key: '3', patientKey: 'P2' });
    // messages never carry the row's content
    for (const item of items.filter(isSourceRejection)) expect(item.message).not.toMatch(/glucose|P2|high/);
  });

  it("serves a patient's rows, bad ones included, from the index", async () => {
    writeFileSync(join(dir, 'labs.csv'), labs);
    const source = new CsvSource(dir, { descriptor });
    expect(await source.listPatients()).toEqual(['P1', 'P2', 'P3']);
    expect(summary(await collect(source, { patientKeys: ['P1'] }))).toEqual([
      'labs.csv:2 {"lab_id":"1","patient":"P1","test":"glucose","value":5.4,"taken":"2024-01-02","site":"A"}',
      'labs.csv:3 REJECTED FHIRMIG_ERR_SOURCE_PARSE',
      'labs.csv:7 {"lab_id":"6","patient":"P1","test":"glucose","value":5.1,"taken":"2024-03-03","site":"A"}',
    ]);
    expect(summary(await collect(source, { patientKeys: ['P3', 'nobody'] }))).toEqual([
      'labs.csv:8 REJECTED FHIRMIG_ERR_SOURCE_VALUE lab_id',
      'labs.csv:9 {"lab_id":"8","patient":"P3","test":"potassium","value":4.1,"taken":"2024-03-05","site":"A"}',
    ]);
  });

  it('reads every row once across the shared read and the patients\' reads: rows of no patient by offset, a short row with its patient', async () => {
    const rows = ['id,patient,test', '1,P1,a', '2,,b', '3,P2,c,extra', '4,P1,d', ',,e', '6,P2,f', ',P2,g', ''].join('\n');
    writeFileSync(join(dir, 'labs.csv'), rows);
    const source = new CsvSource(dir, { descriptor: { tables: { labs: { key: 'id', patient: 'patient' } } } });
    const shared = await collect(source, { withoutPatient: true });
    // Only the two rows without a patient are read: the others are left to their patients' tasks.
    expect(summary(shared)).toEqual(['labs.csv:3 {"id":"2","test":"b"}', 'labs.csv:6 REJECTED FHIRMIG_ERR_SOURCE_VALUE id']);
    const p2 = await collect(source, { patientKeys: ['P2'] });
    expect(summary(p2)).toEqual(['labs.csv:4 REJECTED FHIRMIG_ERR_SOURCE_PARSE', 'labs.csv:7 {"id":"6","patient":"P2","test":"f"}', 'labs.csv:8 REJECTED FHIRMIG_ERR_SOURCE_VALUE id']);
    // Rejected rows carry the patient they are filed under: that patient's task records them.
    expect(p2.filter(isSourceRejection).map((r) => r.patientKey)).toEqual(['P2', 'P2']);
    const patients = await source.listPatients();
    const perPatient = (await Promise.all(patients.map((p) => collect(source, { patientKeys: [p] })))).flat();
    const locators = [...shared, ...perPatient].map((i) => i.ref.locator).sort();
    expect(locators).toEqual((await collect(source)).map((i) => i.ref.locator).sort());
  });

  it('reads a whole irregular table for the records of no patient (the index cannot place its unparseable rows)', async () => {
    writeFileSync(join(dir, 'labs.csv'), labs);
    const shared = await collect(new CsvSource(dir, { descriptor }), { withoutPatient: true });
    // The caller keeps those without a patient: here the row whose quote breaks the CSV (its patient unreadable).
    expect(summary(shared.filter((i) => i.patientKey === undefined))).toEqual(['labs.csv:6 REJECTED FHIRMIG_ERR_SOURCE_PARSE']);
    expect(shared).toHaveLength(8);
  });

  it('joins composite keys with |', async () => {
    writeFileSync(join(dir, 'visits.csv'), 'site,no,patient\nA,1,P1\nB,1,P1\n');
    const source = new CsvSource(dir, { descriptor: { tables: { visits: { key: ['site', 'no'], patient: 'patient' } } } });
    expect((await collect(source)).map((i) => (i as { key: string }).key)).toEqual(['A|1', 'B|1']);
  });

  it('reports an unclosed quote on its line and resumes on the next', async () => {
    writeFileSync(join(dir, 't.csv'), 'a,b\n1,2\n3,"never closed\n4,5\n');
    expect(summary(await collect(new CsvSource(dir)))).toEqual(['t.csv:2 {"a":"1","b":"2"}', 't.csv:3 REJECTED FHIRMIG_ERR_SOURCE_PARSE', 't.csv:4 {"a":"4","b":"5"}']);
  });

  it('rejects a descriptor naming a missing file, a folder that does not exist, and a bad source.json', () => {
    expect(() => new CsvSource(dir, { descriptor: { tables: { gone: {} } } })).toThrow(expect.objectContaining({ code: 'FHIRMIG_ERR_SOURCE_SPEC' }));
    expect(() => new CsvSource(join(dir, 'nope'))).toThrow(expect.objectContaining({ code: 'FHIRMIG_ERR_INPUT_READ' }));
    writeFileSync(join(dir, 'source.json'), '{ "tables": ');
    expect(() => new CsvSource(dir)).toThrow(expect.objectContaining({ code: 'FHIRMIG_ERR_SOURCE_SPEC' }));
  });
});
