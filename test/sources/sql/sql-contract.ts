/**
 * One contract suite for every SQL backend (STYLE.md: one interface, one contract test suite):
 * the legacy schema loaded from the Synthea CSVs must stream back complete, typed, patient-scoped
 * and identical across SQLite, PostgreSQL and MariaDB.
 */
import { createSource, isSourceRejection } from '../../../src/sources/index.ts';
import type { LegacySource, SourceItem } from '../../../src/sources/index.ts';
import type { SourceRecord } from '../../../src/core/index.ts';
import { createLegacyDatabase } from '../../support/legacy-sql/loader.ts';
import type { LegacyDatabase } from '../../support/legacy-sql/loader.ts';
import type { LegacyDialect } from '../../support/legacy-sql/schema.ts';

/** Rows per legacy table for the Synthea run in shared/testdata (derived in transform.ts). */
export const EXPECTED_COUNTS: Readonly<Record<string, number>> = {
  patients: 11, visits: 388, problems: 273, lab_results: 1557, prescriptions: 173, allergies: 14, notes: 388, imaging_orders: 11, charges: 1579,
};

export async function collect(source: LegacySource, options?: Parameters<LegacySource['read']>[0]): Promise<SourceItem[]> {
  const items: SourceItem[] = [];
  for await (const item of source.read(options)) items.push(item);
  return items;
}

export function countByKind(items: readonly SourceItem[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const item of items) counts[item.ref.kind] = (counts[item.ref.kind] ?? 0) + 1;
  return counts;
}

export interface ContractState {
  db?: LegacyDatabase;
  source?: LegacySource;
  all?: SourceRecord[];
}

export function sqlContract(dialect: LegacyDialect, state: ContractState): void {
  const source = (): LegacySource => state.source as LegacySource;

  beforeAll(async () => {
    state.db = await createLegacyDatabase(dialect);
    state.source = createSource(state.db.spec, { descriptor: state.db.descriptor, name: `legacy-${dialect}` });
    const items = await collect(state.source);
    expect(items.filter(isSourceRejection)).toEqual([]);
    state.all = items as SourceRecord[];
  }, 120_000);

  afterAll(async () => {
    await state.source?.close();
    await state.db?.drop();
  });

  it('streams every row of every table, as many as were loaded', () => {
    expect(state.db?.counts).toEqual(EXPECTED_COUNTS);
    expect(countByKind(state.all ?? [])).toEqual(EXPECTED_COUNTS);
  });

  it('locates each record by table and primary key, with its patient', () => {
    const lab = (state.all ?? []).find((r) => r.ref.kind === 'lab_results' && r.key === '42') as SourceRecord<Record<string, unknown>>;
    expect(lab.ref).toEqual({ source: `legacy-${dialect}`, kind: 'lab_results', locator: 'lab_results#42' });
    expect(lab.patientKey).toBe(String(lab.data.patient_id));
  });

  it('types values by the descriptor: numbers, ISO dates, NULLs left out', () => {
    const labs = (state.all ?? []).filter((r) => r.ref.kind === 'lab_results') as SourceRecord<Record<string, unknown>>[];
    const flagged = labs.filter((r) => r.data.abnormal_flag === 'H');
    expect(flagged.length).toBeGreaterThan(0);
    for (const r of flagged) expect(r.data.numeric_value as number).toBeGreaterThan(r.data.ref_high as number);
    const sample = labs.find((r) => r.data.loinc_code === '2339-0') as SourceRecord<Record<string, unknown>>;
    expect(sample.data).toMatchObject({ ref_low: 70, ref_high: 99, result_status: 'F', result_category: 'LAB' });
    expect(sample.data.result_ts).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$/);
    const patient = (state.all ?? []).find((r) => r.ref.kind === 'patients') as SourceRecord<Record<string, unknown>>;
    expect(patient.data.birth_date).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(labs.some((r) => 'ref_low' in r.data)).toBe(true);
    expect(labs.some((r) => !('ref_low' in r.data))).toBe(true); // NULL → absent
  });

  it('lists the patients of the patient table', async () => {
    expect(await source().listPatients()).toEqual(Array.from({ length: 11 }, (_, i) => String(i + 1)).sort());
    expect(await source().listKinds()).toEqual(Object.keys(EXPECTED_COUNTS));
  });

  it('lists the columns of a kind, the always-empty ones too', async () => {
    const columns = await source().listColumns?.('lab_results');
    expect(columns).toEqual(['result_id', 'patient_id', 'visit_id', 'loinc_code', 'test_name', 'result_value', 'numeric_value', 'units', 'ref_low', 'ref_high', 'abnormal_flag', 'result_category', 'result_status', 'result_ts']);
    expect(await source().listColumns?.('no_such_kind')).toBeUndefined();
  });

  it("reads one patient's records with a WHERE on the patient column", async () => {
    const items = await collect(source(), { patientKeys: ['3'] });
    const expected = (state.all ?? []).filter((r) => r.patientKey === '3');
    expect(items.length).toBe(expected.length);
    expect(items.every((i) => i.patientKey === '3')).toBe(true);
    expect(countByKind(items)).toEqual(countByKind(expected));
  });

  it('filters by kind and by a cohort of patients', async () => {
    const items = await collect(source(), { kinds: ['problems', 'allergies'], patientKeys: ['1', '2', '11'] });
    const expected = (state.all ?? []).filter((r) => ['problems', 'allergies'].includes(r.ref.kind) && ['1', '2', '11'].includes(r.patientKey ?? ''));
    expect(items.map((i) => i.ref.locator).sort()).toEqual(expected.map((i) => i.ref.locator).sort());
  });

  it('stops early without leaving the connection unusable', async () => {
    let seen = 0;
    for await (const item of source().read({ kinds: ['lab_results'] })) {
      expect(item.ref.kind).toBe('lab_results');
      if (++seen === 10) break;
    }
    const again = await collect(source(), { kinds: ['allergies'] });
    expect(again).toHaveLength(14);
  });

  it('stops at the record where the signal aborts, and the source stays usable', async () => {
    const controller = new AbortController();
    let seen = 0;
    const reading = (async () => {
      for await (const item of source().read({ kinds: ['lab_results'], signal: controller.signal })) {
        expect(item.ref.kind).toBe('lab_results');
        if (++seen === 3) controller.abort(new Error('cancelled by test'));
      }
    })();
    await expect(reading).rejects.toThrow('cancelled by test');
    expect(seen).toBe(3);
    expect(await collect(source(), { kinds: ['allergies'] })).toHaveLength(14);
  });

  it('serves a second statement while a read is open (listPatients inside a read loop)', async () => {
    let checked = false;
    for await (const item of source().read({ kinds: ['visits'] })) {
      expect(item.ref.kind).toBe('visits');
      if (!checked) {
        expect(await source().listPatients()).toHaveLength(11);
        checked = true;
      }
    }
    expect(checked).toBe(true);
  });

  it('reads a kind defined by a query, patient-scoped too', async () => {
    const descriptor = {
      ...state.db!.descriptor,
      tables: { abnormal_labs: { query: "SELECT result_id, patient_id, loinc_code, abnormal_flag FROM lab_results WHERE abnormal_flag IN ('H', 'L')", key: 'result_id', patient: 'patient_id' } },
    };
    const querySource = createSource(state.db!.spec, { descriptor: { tables: descriptor.tables } });
    try {
      const rows = await collect(querySource);
      const expected = (state.all ?? []).filter((r) => r.ref.kind === 'lab_results' && ['H', 'L'].includes((r.data as Record<string, unknown>).abnormal_flag as string));
      expect(rows.map((r) => r.key)).toEqual(expected.map((r) => r.key).sort((a, b) => Number(a) - Number(b)));
      const one = await collect(querySource, { patientKeys: ['5'] });
      expect(one.length).toBe(expected.filter((r) => r.patientKey === '5').length);
    } finally {
      await querySource.close();
    }
  });
}
