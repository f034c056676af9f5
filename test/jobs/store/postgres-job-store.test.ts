import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { openPostgresJobStore } from '../../../src/jobs/index.ts';
import { POSTGRES_MIGRATIONS } from '../../../src/jobs/store/postgres/postgres-migrations.ts';
import { defineJobStoreContract } from './job-store.contract.ts';
import type { StoreHarness } from './job-store.contract.ts';
import { PG_TEST_URL, postgresDescribe } from './support/postgres-gate.ts';
import { PROVENANCE_ID, V3_ROWS_SQL } from './support/v3-rows.ts';

const gate = postgresDescribe();
const schema = `fhirmig_test_${randomBytes(6).toString('hex')}`;
const harness: StoreHarness = {
  backend: 'postgres',
  open: (options = {}) => openPostgresJobStore({ connectionString: PG_TEST_URL, schema, maxConnections: 2, ...options }),
  location: () => ({ backend: 'postgres', connectionString: PG_TEST_URL, schema }),
};

async function dropSchema(): Promise<void> {
  const admin = new pg.Client({ connectionString: PG_TEST_URL });
  await admin.connect();
  try {
    await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  } finally {
    await admin.end();
  }
}

gate('postgres job store', () => {
  afterAll(dropSchema);

  describe('contract', () => {
    defineJobStoreContract(() => harness);
  });

  it('migrates once when several workers open at the same time', async () => {
    const stores = await Promise.all([1, 2, 3].map(() => harness.open()));
    await Promise.all(stores.map((s) => s.close()));
    const admin = new pg.Client({ connectionString: PG_TEST_URL });
    await admin.connect();
    try {
      const { rows } = await admin.query(`SELECT version FROM ${schema}.schema_migrations`);
      expect(rows).toEqual(POSTGRES_MIGRATIONS.map((m) => ({ version: m.version })));
    } finally {
      await admin.end();
    }
  });

  it('migrates a version 3 schema to patient-first keys, keeping every ledger row and id with its patient', async () => {
    const v3 = `${schema}_v3`;
    const admin = new pg.Client({ connectionString: PG_TEST_URL });
    await admin.connect();
    try {
      await admin.query(`CREATE SCHEMA ${v3}; SET search_path = ${v3}; CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, applied_at BIGINT NOT NULL)`);
      for (const m of POSTGRES_MIGRATIONS.filter((x) => x.version <= 3)) await admin.query(`${m.sql}; INSERT INTO schema_migrations VALUES (${m.version}, 0)`);
      await admin.query(V3_ROWS_SQL);
      const store = await openPostgresJobStore({ connectionString: PG_TEST_URL, schema: v3, maxConnections: 1 });
      try {
        expect((await store.listOutcomes('j1')).entries.map((e) => [e.recordKey, e.patientKey])).toEqual([['o1', 'pa'], ['org1', undefined]]);
        expect((await store.listIds('j1')).map((e) => [e.targetId, e.patientKey])).toEqual([['a', 'pa'], ['s', undefined], [PROVENANCE_ID, 'pa']]);
        expect((await store.findPreviousLoads('s', [{ patientKey: 'pa', kind: 'observations', recordKey: 'o1' }])).map((p) => p.contentHash)).toEqual(['h1']);
        // the old unique keys are gone: the same record under another patient is another row
        await store.recordTaskResults('j1', [{ ref: { source: 's', kind: 'observations', locator: 'o.csv:3' }, recordKey: 'o1', patientKey: 'pb', outcome: 'loaded' }], []);
        expect((await store.listOutcomes('j1')).total).toBe(3);
      } finally {
        await store.close();
      }
    } finally {
      await admin.query(`DROP SCHEMA IF EXISTS ${v3} CASCADE`);
      await admin.end();
    }
  });

  it('reports an unreachable server as FHIRMIG_ERR_STORE_UNAVAILABLE (503, retryable)', async () => {
    await expect(openPostgresJobStore({ connectionString: 'postgres://postgres@127.0.0.1:1/test', schema })).rejects.toMatchObject({
      code: 'FHIRMIG_ERR_STORE_UNAVAILABLE',
      status: 503,
      retryable: true,
    });
  });

  it('refuses a schema name that is not a plain identifier', async () => {
    await expect(openPostgresJobStore({ connectionString: PG_TEST_URL, schema: 'x; DROP TABLE y' })).rejects.toMatchObject({ code: 'FHIRMIG_ERR_CONFIG_INVALID' });
  });
});
