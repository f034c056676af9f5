import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { PG_TEST_URL, postgresDescribe } from '../jobs/store/support/postgres-gate.ts';
import { ROOT, testApp, testConfig } from './support.ts';

/** The service on the PostgreSQL job store (`store.kind` postgres, `store.url`): the same routes, jobs in PostgreSQL. */
jest.setTimeout(60_000);

const gate = postgresDescribe();
const schema = `fhirmig_api_${randomBytes(6).toString('hex')}`;
const SHARED = join(ROOT, '..', 'shared', 'testdata');
const scratch = mkdtempSync(join(tmpdir(), 'fhirmig-api-pg-'));

afterAll(async () => {
  const admin = new pg.Client({ connectionString: PG_TEST_URL });
  try {
    await admin.connect();
    await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  } catch {
    // unreachable: the tests were skipped
  } finally {
    await admin.end().catch(() => undefined);
  }
});

gate('migrations on the PostgreSQL store', () => {
  it('opens the store from config, answers /ready, and runs a job whose rows land in PostgreSQL', async () => {
    const config = testConfig({ store: { kind: 'postgres', url: `${PG_TEST_URL}?schema=${schema}` }, migrations: { allowedRoots: [SHARED, scratch] } });
    const { app } = await testApp(config, { packageRoot: ROOT });
    let id: string;
    try {
      const ready = await app.inject({ method: 'GET', url: '/ready' });
      expect(ready.json().checks).toContainEqual({ name: 'store', ok: true, detail: 'postgres job store answers' });
      const started = await app.inject({
        method: 'POST', url: '/migrations', headers: { 'content-type': 'application/json' },
        payload: { source: `csv:${join(SHARED, 'synthea', 'csv')}`, target: `file:${join(scratch, 'out')}`, dryRun: true, scope: { kind: 'patients', patientIds: ['b37f7960-7e9e-f3f7-f891-79ae4f632406'] } },
      });
      expect(started.statusCode).toBe(202);
      id = (started.json() as { id: string }).id;
      for (;;) {
        const job = (await app.inject({ method: 'GET', url: `/migrations/${id}` })).json() as { state: string };
        if (job.state === 'completed') break;
        expect(['queued', 'running']).toContain(job.state);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    } finally {
      await app.close();
    }
    const admin = new pg.Client({ connectionString: PG_TEST_URL });
    await admin.connect();
    try {
      const { rows } = await admin.query(`SELECT state FROM ${schema}.jobs WHERE id = $1`, [id]);
      expect(rows).toEqual([{ state: 'completed' }]);
    } finally {
      await admin.end();
    }
  });
});
