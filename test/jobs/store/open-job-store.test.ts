import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jobStoreOptionsFromLocation, openJobStore } from '../../../src/jobs/index.ts';

describe('openJobStore', () => {
  it('reads a --store location: a postgres URL (with ?schema=) or a SQLite file path', () => {
    expect(jobStoreOptionsFromLocation('postgres://migrate@db.example:5432/jobs?schema=fhirmig&sslmode=require')).toEqual({
      backend: 'postgres',
      connectionString: 'postgres://migrate@db.example:5432/jobs?sslmode=require',
      schema: 'fhirmig',
    });
    expect(jobStoreOptionsFromLocation('postgresql://db/jobs')).toEqual({ backend: 'postgres', connectionString: 'postgresql://db/jobs' });
    expect(jobStoreOptionsFromLocation('./state/jobs.db', { now: Date.now })).toEqual({ backend: 'sqlite', path: './state/jobs.db', now: Date.now });
  });

  it('opens the backend the options name, behind the JobStore interface', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fhirmig-open-'));
    try {
      const store = await openJobStore(jobStoreOptionsFromLocation(join(dir, 'jobs.db')));
      expect(store.backend).toBe('sqlite');
      expect(await store.listJobs()).toEqual([]);
      await store.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
