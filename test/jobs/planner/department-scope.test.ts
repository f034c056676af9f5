import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { openSqliteJobStore, planMigration } from '../../../src/jobs/index.ts';
import type { JobScope, JobSpec, JobStore } from '../../../src/jobs/index.ts';
import { createSource, isSourceRejection } from '../../../src/sources/index.ts';
import type { LegacySource } from '../../../src/sources/index.ts';
import { createLegacyDatabase } from '../../support/legacy-sql/loader.ts';
import type { LegacyDatabase } from '../../support/legacy-sql/loader.ts';
import { postgresGate } from '../../support/legacy-sql/services.ts';
import { SYNTHEA_CSV, scratchDir } from '../runner/support.ts';

/**
 * Department / service-line scopes (issue 5: "a department / service-line filter on source
 * fields"): the patients with at least one record in TABLE whose COLUMN is one of the values,
 * asked of the source (CSV: one streaming pass; SQL: one SELECT DISTINCT), checked here against
 * an independent full read of the same table.
 */
jest.setTimeout(120_000);

const dir = scratchDir('department');
let store: JobStore;

beforeAll(async () => {
  store = await openSqliteJobStore({ path: join(dir, 'jobs.sqlite') });
});
afterAll(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});


/** The patients of `kind` records whose field is one of the values, by reading every record. */
async function expectedPatients(source: LegacySource, kind: string, field: string, values: readonly string[]): Promise<string[]> {
  const patients = new Set<string>();
  for await (const item of source.read({ kinds: [kind] })) {
    if (isSourceRejection(item) || item.patientKey === undefined) continue;
    if (values.includes(String((item.data as Record<string, unknown>)[field]))) patients.add(item.patientKey);
  }
  return [...patients].sort();
}

/** The first record of a kind (the loop's break closes the stream: an SQL driver streams one at a time). */
async function firstData(source: LegacySource, kind: string): Promise<Record<string, unknown>> {
  for await (const item of source.read({ kinds: [kind] })) if (!isSourceRejection(item)) return item.data as Record<string, unknown>;
  throw new Error(`no ${kind} record`);
}

function spec(source: string, scope: JobScope): JobSpec {
  return { source, target: 'file:/nowhere', mapSet: { id: 'x', versionHash: 'x' }, scope, options: { dryRun: true, phases: ['critical'], thresholds: {} } };
}

describe('CSV (Synthea encounters.csv)', () => {
  const source = createSource(`csv:${SYNTHEA_CSV}`);
  afterAll(() => source.close());

  it('a service line (ENCOUNTERCLASS) selects exactly the patients with such an encounter, one task each', async () => {
    const values = ['inpatient', 'snf'];
    const expected = await expectedPatients(source, 'encounters', 'ENCOUNTERCLASS', values);
    const all = await source.listPatients();
    expect(expected.length).toBeGreaterThan(0);
    expect(expected.length).toBeLessThan(all.length); // a real filter, not everyone
    const job = await planMigration(store, spec(`csv:${SYNTHEA_CSV}`, { kind: 'department', field: 'encounters.ENCOUNTERCLASS', values }), source);
    const tasks = await store.listTasks(job.id);
    expect(tasks.map((t) => t.patientKey).sort()).toEqual(expected);
    expect(tasks.some((t) => t.patientKey === '(shared)')).toBe(false);
  });

  it('a department (ORGANIZATION id) selects its patients', async () => {
    const org = String((await firstData(source, 'encounters'))['ORGANIZATION']);
    const expected = await expectedPatients(source, 'encounters', 'ORGANIZATION', [org]);
    expect(await source.patientsWhere?.({ kind: 'encounters', field: 'ORGANIZATION', values: [org] })).toEqual(expected);
    expect(await source.patientsWhere?.({ kind: 'encounters', field: 'ORGANIZATION', values: ['no-such-org'] })).toEqual([]);
  });

  it('an unknown table or column, a table without patients, or a malformed scope is FHIRMIG_ERR_SOURCE_FIELD, naming what exists', async () => {
    const plan = (field: string, values = ['x']): Promise<unknown> => planMigration(store, spec(`csv:${SYNTHEA_CSV}`, { kind: 'department', field, values }), source);
    await expect(plan('visits.ORGANIZATION')).rejects.toMatchObject({ code: 'FHIRMIG_ERR_SOURCE_FIELD', message: expect.stringContaining("no table 'visits' (its tables: ") });
    await expect(plan('encounters.DEPARTMENT')).rejects.toMatchObject({ code: 'FHIRMIG_ERR_SOURCE_FIELD', message: expect.stringContaining('ENCOUNTERCLASS') });
    await expect(plan('organizations.Id')).rejects.toMatchObject({ code: 'FHIRMIG_ERR_SOURCE_FIELD', message: expect.stringContaining('no patient column') });
    await expect(plan('ENCOUNTERCLASS')).rejects.toMatchObject({ code: 'FHIRMIG_ERR_SOURCE_FIELD', message: expect.stringContaining('TABLE.COLUMN') });
    await expect(plan('encounters.ENCOUNTERCLASS', [' '])).rejects.toMatchObject({ code: 'FHIRMIG_ERR_SOURCE_FIELD' });
  });
});

postgresGate().describe('PostgreSQL (the legacy SQL schema)', () => {
  let db: LegacyDatabase | undefined;
  let source: LegacySource;
  beforeAll(async () => {
    db = await createLegacyDatabase('postgres');
    source = createSource(db.spec, { descriptor: db.descriptor });
  }, 120_000);
  afterAll(async () => {
    await source?.close();
    await db?.drop();
  });

  it('visits.visit_class selects the patients with such a visit (text column), and facility_id a non-text column', async () => {
    const expected = await expectedPatients(source, 'visits', 'visit_class', ['inpatient']);
    expect(expected.length).toBeGreaterThan(0);
    const job = await planMigration(store, spec(db?.spec as string, { kind: 'department', field: 'visits.visit_class', values: ['inpatient'] }), source);
    expect((await store.listTasks(job.id)).map((t) => t.patientKey).sort()).toEqual(expected);

    const facility = String((await firstData(source, 'visits'))['facility_id']);
    expect(await source.patientsWhere?.({ kind: 'visits', field: 'facility_id', values: [facility] })).toEqual(await expectedPatients(source, 'visits', 'facility_id', [facility]));
  });

  it('an unknown column is FHIRMIG_ERR_SOURCE_FIELD with the table\'s columns; values are parameters, not SQL', async () => {
    await expect(source.patientsWhere?.({ kind: 'visits', field: 'ward', values: ['x'] })).rejects.toMatchObject({ code: 'FHIRMIG_ERR_SOURCE_FIELD', message: expect.stringContaining('visit_class') });
    expect(await source.patientsWhere?.({ kind: 'visits', field: 'visit_class', values: ["x') OR 1=1 --"] })).toEqual([]);
  });
});
