import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { jobStoreOptionsFromLocation, openJobStore, runJob } from '../../../src/jobs/index.ts';
import type { JobStore, MigrationEnv } from '../../../src/jobs/index.ts';
import { PG_TEST_URL, postgresDescribe } from '../store/support/postgres-gate.ts';
import { engineParts, loopbackSuite, plan } from './support.ts';

/**
 * A task held by a live work loop is never run twice (DESIGN.md: tasks with leases). CPU-bound
 * validation blocks the event loop, so the lease timer cannot fire while a task validates: with a
 * lease shorter than the task, another loop of the same run used to claim the expired task (the
 * loops shared one worker id) and run it again — its records twice in the ledger, or the job
 * thrown by FHIRMIG_ERR_JOB_LEASE_LOST. Each loop now has its own worker id, the lease is renewed
 * between records as well as on the timer, and a sibling that claims a task its run is still
 * running hands it back.
 */
jest.setTimeout(90_000);

const suite = loopbackSuite('lease');

/** Blocks the event loop for `ms` (as mapping and validating a large record does). */
function busy(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until) {
    // spin
  }
}

/** Runs a job whose first 60 validations block the event loop for 25 ms each, with a 50 ms lease and 3 loops. */
async function slowRun(store: JobStore): Promise<void> {
  let blocked = 0;
  const slow: MigrationEnv = {
    ...suite.env,
    store,
    validate: (resource) => {
      // The critical tasks of both patients outlive a 50 ms lease.
      if (blocked++ < 60) busy(25);
      return engineParts().validate(resource);
    },
  };
  const job = await plan(slow, suite.server.url);
  const done = await runJob(slow, job.id, { concurrency: 3, leaseMs: 50 });
  expect(done.state).toBe('completed');
  const tasks = await store.listTasks(job.id);
  expect(tasks.map((t) => t.state)).toEqual(tasks.map(() => 'done'));
  // Every record once: no task was run by two loops (each phase's task records its own records).
  const ledger = (await store.listOutcomes(job.id, { limit: 100_000 })).entries;
  const keys = ledger.map((e) => `${e.ref.kind}|${e.recordKey}`);
  expect(new Set(keys).size).toBe(keys.length);
  expect(done.progress.recordsRead).toBe(ledger.length);
}

it('a task that outlives its lease (event loop blocked) is run once, by its own loop (SQLite store)', async () => {
  await slowRun(suite.store);
});

/**
 * A loop that finds nothing left to claim in a phase while its siblings still run the phase's last
 * tasks ends at once: those tasks are the siblings' to finish. (It used to sleep half a second and
 * claim again, the whole run idle at every phase's end.) Waiting stays for tasks held by another worker.
 */
it('a loop finding no task while only its siblings hold the phase ends after one empty claim', async () => {
  const emptyClaims: string[] = [];
  const store: JobStore = new Proxy(suite.store, {
    get(target, property, receiver) {
      if (property !== 'claimTasks') return Reflect.get(target, property, receiver) as unknown;
      return async (...args: Parameters<JobStore['claimTasks']>) => {
        const claimed = await target.claimTasks(...args);
        if (claimed.length === 0) emptyClaims.push(`${args[4]?.phase ?? '(any)'} ${args[1]}`);
        return claimed;
      };
    },
  });
  const env: MigrationEnv = { ...suite.env, store };
  const job = await plan(env, suite.server.url, { dryRun: true });
  const done = await runJob(env, job.id, { concurrency: 3 });
  expect(done.state).toBe('completed');
  // Each of the 3 loops: one empty claim per phase (critical, clinical, administrative) and one in the final unfiltered pass.
  expect(emptyClaims).toHaveLength(3 * 4);
  expect(new Set(emptyClaims).size).toBe(emptyClaims.length);
});

const schema = `fhirmig_lease_${randomBytes(6).toString('hex')}`;
postgresDescribe()('on the PostgreSQL store (renewals are network round trips)', () => {
  let store: JobStore;
  beforeAll(async () => {
    store = await openJobStore(jobStoreOptionsFromLocation(`${PG_TEST_URL}?schema=${schema}`));
  });
  afterAll(async () => {
    await store?.close();
    const admin = new pg.Client({ connectionString: PG_TEST_URL });
    await admin.connect();
    await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await admin.end();
  });

  it('a task that outlives its lease is run once', async () => {
    await slowRun(store);
  });
});
