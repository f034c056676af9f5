import { join } from 'node:path';
import { CsvSource, createSource, isSourceRejection } from '../../../src/sources/index.ts';
import type { SourceItem } from '../../../src/sources/index.ts';
import type { SourceRecord } from '../../../src/core/index.ts';

const SYNTHEA = join(__dirname, '..', '..', '..', '..', 'shared', 'testdata', 'synthea', 'csv');

/** Data rows per table, as shared/testdata/README.md lists them. */
const SYNTHEA_COUNTS: Readonly<Record<string, number>> = {
  patients: 11, encounters: 388, conditions: 273, observations: 3626, medications: 173, procedures: 889, immunizations: 129, allergies: 14,
  careplans: 37, devices: 11, imaging_studies: 11, supplies: 47, claims: 561, claims_transactions: 5567, payer_transitions: 128, payers: 10,
  organizations: 47, providers: 47,
};

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

function countByKind(items: readonly SourceItem[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const item of items) counts[item.ref.kind] = (counts[item.ref.kind] ?? 0) + 1;
  return counts;
}

describe('csv: Synthea export without a descriptor', () => {
  const source = createSource(`csv:${SYNTHEA}`, { name: 'synthea' }) as CsvSource;
  let all: SourceRecord<Record<string, string>>[] = [];

  beforeAll(async () => {
    const items = await collect(source);
    expect(items.filter(isSourceRejection)).toEqual([]);
    all = items as SourceRecord<Record<string, string>>[];
  });

  it('recognises the layout and reads every data row of the 18 tables', async () => {
    expect(source.layout.descriptorOrigin).toBe('synthea');
    expect(await source.listKinds()).toEqual(Object.keys(SYNTHEA_COUNTS));
    expect(countByKind(all)).toEqual(SYNTHEA_COUNTS);
  });

  it('keys rows by their id column, or by file:line when the table has none', () => {
    const patient = all.find((r) => r.ref.kind === 'patients') as SourceRecord<Record<string, string>>;
    expect(patient).toMatchObject({
      ref: { source: 'synthea', kind: 'patients', locator: 'patients.csv:2' },
      key: 'b37f7960-7e9e-f3f7-f891-79ae4f632406',
      patientKey: 'b37f7960-7e9e-f3f7-f891-79ae4f632406',
      data: { FIRST: 'Temika453', LAST: 'Wuckert783', BIRTHDATE: '2011-03-18', GENDER: 'F', ZIP: '02081' },
    });
    expect(patient.data).not.toHaveProperty('DEATHDATE'); // empty cells are left out
    const observation = all.find((r) => r.ref.kind === 'observations') as SourceRecord;
    expect(observation.key).toBe('observations.csv:2');
    const claimLine = all.find((r) => r.ref.kind === 'claims_transactions') as SourceRecord;
    expect(claimLine).toMatchObject({ key: 'a5f98ec6-9dca-f416-bcce-59364e74a7b0', patientKey: 'b37f7960-7e9e-f3f7-f891-79ae4f632406' });
    const payer = all.find((r) => r.ref.kind === 'payers') as SourceRecord;
    expect(payer.patientKey).toBeUndefined();
  });

  it('lists a table\'s columns, the ones empty in every row too', async () => {
    const columns = await source.listColumns('patients');
    expect(columns).toHaveLength(27);
    expect(columns?.slice(0, 4)).toEqual(['Id', 'BIRTHDATE', 'DEATHDATE', 'SSN']);
    expect(await source.listColumns('nope')).toBeUndefined();
  });

  it('lists the 11 patients', async () => {
    const patients = await source.listPatients();
    expect(patients).toHaveLength(11);
    expect(patients).toContain('0432d0f1-d9c8-da30-9750-39bfe10c0cd9');
  });

  it("reads each patient's records from the index: the same records a full read attributes to them", async () => {
    for (const patient of await source.listPatients()) {
      const scoped = await collect(source, { patientKeys: [patient] });
      const expected = all.filter((r) => r.patientKey === patient);
      expect(scoped).toEqual(expected);
    }
  });

  it('reads the records of no patient (the shared task\'s) without the patient tables\' other rows: the same a full read attributes to no patient', async () => {
    const shared = await collect(source, { withoutPatient: true });
    expect(shared).toEqual(all.filter((r) => r.patientKey === undefined));
    expect(new Set(shared.map((r) => r.ref.kind))).toEqual(new Set(['organizations', 'payers', 'providers']));
  });

  it('filters kinds inside a patient scope', async () => {
    const scoped = await collect(source, { kinds: ['encounters', 'payers'], patientKeys: ['b37f7960-7e9e-f3f7-f891-79ae4f632406'] });
    expect(new Set(scoped.map((i) => i.ref.kind))).toEqual(new Set(['encounters']));
    expect(scoped).toHaveLength(all.filter((r) => r.ref.kind === 'encounters' && r.patientKey === 'b37f7960-7e9e-f3f7-f891-79ae4f632406').length);
  });

  it('stops when the signal aborts', async () => {
    const controller = new AbortController();
    let seen = 0;
    await expect(
      (async () => {
        for await (const item of source.read({ signal: controller.signal })) {
          expect(item).toBeDefined();
          if (++seen === 5) controller.abort(new Error('cancelled by test'));
        }
      })(),
    ).rejects.toThrow('cancelled by test');
    expect(seen).toBe(5);
  });
});
