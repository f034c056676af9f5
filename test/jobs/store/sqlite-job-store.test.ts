import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { openSqliteJobStore } from '../../../src/jobs/index.ts';
import { SQLITE_MIGRATIONS } from '../../../src/jobs/store/sqlite/sqlite-migrations.ts';
import { PREVIOUS_LOADS } from '../../../src/jobs/store/sqlite/sqlite-records.ts';
import { claimableIdsSql } from '../../../src/jobs/store/sqlite/sqlite-tasks.ts';
import { jobSpec } from './contract/harness.ts';
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

  it('claims by two ordered index walks (pending; claimed with an expired lease), never reading every task of the job', async () => {
    // A claim that read and sorted all of the job's tasks made a job's claims quadratic in its tasks.
    const path = join(dir, 'claim-plan.db');
    await (await openSqliteJobStore({ path })).close();
    const db = new DatabaseSync(path);
    try {
      for (const byPhase of [false, true]) {
        const plan = (db.prepare(`EXPLAIN QUERY PLAN ${claimableIdsSql(byPhase)}`).all(...(byPhase ? ['j', 'p', 1, 'j', 0, 'p', 1, 1] : ['j', 1, 'j', 0, 1, 1])) as { detail: string }[]).map((r) => r.detail);
        const searches = plan.filter((d) => d.startsWith('SEARCH tasks'));
        expect(searches).toHaveLength(2);
        for (const search of searches) expect(search).toMatch(/USING (COVERING )?INDEX tasks_claimable \(job_id=\? AND state=\?\)/);
        // the only sort is of the ≤ 2 × limit ids the two walks return
        expect(plan.filter((d) => d.includes('TEMP B-TREE'))).toHaveLength(1);
        expect(plan.at(-1)).toBe('USE TEMP B-TREE FOR ORDER BY');
      }
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

  it('checkpoints its WAL in a thread once it writes much, and leaves no WAL file behind when closed', async () => {
    const path = join(dir, 'checkpointed.db');
    const store = openSqliteJobStore({ path });
    const dbSize = (): number => statSync(path).size;
    try {
      const job = await store.createJob(jobSpec());
      const sizeBefore = dbSize();
      // 80 task commits of 200 rows each: ~2,000 pages, far below the writer's own autocheckpoint (80,000 pages).
      for (let task = 0; task < 80; task++) {
        const rows = Array.from({ length: 200 }, (_, i) => ({ ref: { source: 's', kind: 'observations', locator: `o.csv:${i}` }, recordKey: `o${task}-${i}`, patientKey: `p${task}`, outcome: 'skipped' as const, contentHash: 'x'.repeat(40) }));
        await store.recordTaskResults(job.id, rows, []);
      }
      // Pages reach the database file only through a checkpoint: here the thread's (it looks every 500 ms).
      for (let waited = 0; dbSize() < sizeBefore + 1_000_000 && waited < 5_000; waited += 100) await sleep(100);
      expect(dbSize()).toBeGreaterThan(sizeBefore + 1_000_000);
      expect((await store.countOutcomes(job.id)).total.skipped).toBe(16_000);
    } finally {
      await store.close();
    }
    // The checkpointer's connection closed first: the writer's close was the last one, which removes the WAL.
    expect(existsSync(`${path}-wal`)).toBe(false);
    const reopened = openSqliteJobStore({ path });
    try {
      expect((await reopened.listOutcomes((await reopened.listJobs())[0]?.id ?? '', { limit: 1, offset: 15_999 })).entries.map((e) => e.recordKey)).toEqual(['o79-199']);
    } finally {
      await reopened.close();
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
