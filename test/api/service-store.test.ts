import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { buildApp, openServiceStore } from '../../src/app.ts';
import { PG_TEST_URL, postgresDescribe } from '../jobs/store/support/postgres-gate.ts';
import { LogSink, ROOT, fakeOperations, testConfig } from './support.ts';

/** The job store the service opens from `store.*` (README: Service configuration). */
let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'fhirmig-service-store-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('openServiceStore', () => {
  it('a relative SQLite store.path lives in dataDir', async () => {
    const app = await buildApp(testConfig({ dataDir: dir, store: { path: 'state/jobs.sqlite' } }), { operations: fakeOperations(), logStream: new LogSink(), cwd: ROOT });
    await app.ready();
    expect(existsSync(join(dir, 'state', 'jobs.sqlite'))).toBe(true);
    await app.close();
  });

  it('store.kind postgres without store.url is FHIRMIG_ERR_CONFIG_INVALID', async () => {
    await expect(openServiceStore(testConfig({ store: { kind: 'postgres' } }))).rejects.toMatchObject({ code: 'FHIRMIG_ERR_CONFIG_INVALID' });
  });
});

postgresDescribe()('openServiceStore on PostgreSQL', () => {
  const schema = `fhirmig_test_${randomBytes(6).toString('hex')}`;
  afterAll(async () => {
    const admin = new pg.Client({ connectionString: PG_TEST_URL });
    await admin.connect();
    await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`).finally(() => admin.end());
  });

  it('opens the configured PostgreSQL store (?schema=) and runs an export on it', async () => {
    const app = await buildApp(testConfig({ dataDir: dir, store: { kind: 'postgres', url: `${PG_TEST_URL}?schema=${schema}` }, export: { retryAfterSeconds: 0 } }), { operations: fakeOperations(), logStream: new LogSink(), cwd: ROOT });
    try {
      const kick = await app.inject({ method: 'GET', url: '/fhir/$export', headers: { prefer: 'respond-async' } });
      expect(kick.statusCode).toBe(202);
      const status = new URL(String(kick.headers['content-location'])).pathname;
      let response = await app.inject({ method: 'GET', url: status });
      for (let i = 0; i < 100 && response.statusCode === 202; i++) {
        await new Promise((resolve) => setTimeout(resolve, 20));
        response = await app.inject({ method: 'GET', url: status });
      }
      expect(response.statusCode).toBe(200);
      expect(response.json()).toMatchObject({ output: [], error: [] });
    } finally {
      await app.close();
    }
  });
});
