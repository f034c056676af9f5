import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { openSqliteJobStore } from '../../../src/jobs/index.ts';
import { SQLITE_MIGRATIONS } from '../../../src/jobs/store/sqlite/sqlite-migrations.ts';
import { PREVIOUS_LOADS } from '../../../src/jobs/store/sqlite/sqlite-records.ts';
import { defineJobStoreContract } from './job-store.contract.ts';
import type { StoreHarness } from './job-store.contract.ts';
import { PROVENANCE_ID, V3_ROWS_SQL } from './support/v3-rows.ts';

let dir = '';
let harness: StoreHarness;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'fhirmig-store-'));
  const path = join(dir, 'jobs.db');
  harness = {
    backend: 'sqlite',
    open: async (options = {}) => openSqliteJobStore({ path, ...options }),
    location: () => ({ backend: 'sqlite', path }),
  };
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('sqlite job store: contract', () => {
  defineJobStoreContract(() => harness);
});

describe('sqlite job store: the file', () => {
  it('is in WAL mode and passes an integrity check after the contract ran', () => {
    const db = new DatabaseSync(join(dir, 'jobs.db'));
    try {
      expect(db.prepare('PRAGMA journal_mode').get()).toEqual({ journal_mode: 'wal' });
      expect(db.prepare('PRAGMA integrity_check').get()).toEqual({ integrity_check: 'ok' });
      expect(db.prepare('SELECT MAX(version) AS v FROM schema_migrations').get()).toEqual({ v: SQLITE_MIGRATIONS.at(-1)?.version });
    } finally {
      db.close();
    }
  });

  it('looks previous loads up by one ledger index probe per wanted record, not a scan of the source', async () => {
    // The delta lookup runs once per patient: a scan of every ledger row of the source per call
    // made a migration quadratic (37% of a 22-patient e2e run before the fix).
    const path = join(dir, 'plan.db');
    await (await openSqliteJobStore({ path })).close();
    const db = new DatabaseSync(path);
    try {
      const plan = (db.prepare(`EXPLAIN QUERY PLAN ${PREVIOUS_LOADS}`).all('[]', 'csv:x') as { detail: string }[]).map((r) => r.detail);
      const probe = plan.findIndex((d) => /SEARCH l USING INDEX \S+ \(source=\? AND patient_key=\? AND kind=\? AND record_key=\?\)/.test(d));
      const wanted = plan.findIndex((d) => d.startsWith('SCAN json_each'));
      expect(probe).toBeGreaterThan(wanted);
      expect(wanted).toBeGreaterThanOrEqual(0);
    } finally {
      db.close();
    }
  });

  it('migrates a version 3 store to patient-first keys, keeping every ledger row and id with its patient', async () => {
    const path = join(dir, 'v3.db');
    const db = new DatabaseSync(path);
    db.exec('CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL)');
    for (const m of SQLITE_MIGRATIONS.filter((x) => x.version <= 3)) (db.exec(m.sql), db.prepare('INSERT INTO schema_migrations VALUES (?, 0)').run(m.version));
    db.exec(V3_ROWS_SQL);
    db.close();
    const store = openSqliteJobStore({ path });
    try {
      expect((await store.listOutcomes('j1')).entries.map((e) => [e.recordKey, e.patientKey, e.phase, e.targetIds])).toEqual([
        ['o1', 'pa', 'clinical', ['Observation/a']], ['org1', undefined, undefined, ['Organization/s']],
      ]);
      expect((await store.listIds('j1')).map((e) => [e.seq, e.targetId, e.patientKey])).toEqual([[1, 'a', 'pa'], [2, 's', undefined], [3, PROVENANCE_ID, 'pa']]);
      expect((await store.findPreviousLoads('s', [{ patientKey: 'pa', kind: 'observations', recordKey: 'o1' }])).map((p) => p.contentHash)).toEqual(['h1']);
      // the rebuilt tables keep counting ids on from the old ones
      await store.recordTaskResults('j1', [], [{ source: 's', patientKey: 'pb', kind: 'observations', recordKey: 'o2', resourceType: 'Observation', targetId: 'b' }]);
      expect((await store.listIds('j1')).at(-1)?.seq).toBe(4);
    } finally {
      await store.close();
    }
  });

  it('refuses a store whose schema is newer than this release (FHIRMIG_ERR_STORE_VERSION)', () => {
    const path = join(dir, 'future.db');
    openSqliteJobStore({ path }).close();
    const db = new DatabaseSync(path);
    db.prepare('INSERT INTO schema_migrations (version, applied_at) VALUES (99, 0)').run();
    db.close();
    expect(() => openSqliteJobStore({ path })).toThrow(expect.objectContaining({ code: 'FHIRMIG_ERR_STORE_VERSION', status: 500 }));
  });

  it('reports a file it cannot open as FHIRMIG_ERR_STORE_UNAVAILABLE (503, retryable)', () => {
    expect(() => openSqliteJobStore({ path: join(dir, 'no', 'such', 'folder', 'jobs.db') })).toThrow(
      expect.objectContaining({ code: 'FHIRMIG_ERR_STORE_UNAVAILABLE', status: 503, retryable: true }),
    );
  });
});
