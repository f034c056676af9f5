import { runJob } from '../../../src/jobs/index.ts';
import type { MigrationEnv } from '../../../src/jobs/index.ts';
import { loopbackSuite, plan } from './support.ts';

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

it('a task that outlives its lease (event loop blocked) is run once, by its own loop', async () => {
  let blocked = 0;
  const slow: MigrationEnv = {
    ...suite.env,
    validate: (resource) => {
      // The first 60 resources take 25 ms each: the critical tasks of both patients outlive a 50 ms lease.
      if (blocked++ < 60) busy(25);
      return suite.env.validate(resource);
    },
  };
  const job = await plan(slow, suite.server.url);
  const done = await runJob(slow, job.id, { concurrency: 3, leaseMs: 50 });
  expect(done.state).toBe('completed');
  const tasks = await suite.store.listTasks(job.id);
  expect(tasks.map((t) => t.state)).toEqual(tasks.map(() => 'done'));
  // Every record once: no task was run by two loops (each phase's task records its own records).
  const ledger = (await suite.store.listOutcomes(job.id, { limit: 100_000 })).entries;
  const keys = ledger.map((e) => `${e.ref.kind}|${e.recordKey}`);
  expect(new Set(keys).size).toBe(keys.length);
  expect(done.progress.recordsRead).toBe(ledger.length);
});
