import { rmSync } from 'node:fs';
import { reconcileJob, runJob } from '../../../src/jobs/index.ts';
import type { JobStore, MigrationEnv, Task } from '../../../src/jobs/index.ts';
import { runPatientTask } from '../../../src/jobs/runner/patient-task.ts';
import { startFaultProxy } from '../../support/fault-proxy.ts';
import type { FaultProxy } from '../../support/fault-proxy.ts';
import { startFhirServer } from '../../support/fhir-server.ts';
import type { RunningFhirServer } from '../../support/fhir-server.ts';
import { PATIENTS, buildEnv, engineParts, useR4OnlyValidation, openScratchStore, plan, scratchDir } from './support.ts';

/** A target that fails for a while: the job completes (retries) or pauses and resumes, losing nothing. */
jest.setTimeout(60_000);

let server: RunningFhirServer;
let proxy: FaultProxy;
let store: JobStore;
let env: MigrationEnv;
const dir = scratchDir('faults');

beforeAll(async () => {
  useR4OnlyValidation();
  engineParts();
  server = await startFhirServer();
  proxy = await startFaultProxy(server.url);
  store = await openScratchStore(dir);
  env = buildEnv(store, proxy.url);
});

afterAll(async () => {
  await env.target.close();
  await env.source.close();
  await store.close();
  await proxy.close();
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

it('503s then recovery: the job completes and every record is on the target', async () => {
  proxy.reset();
  proxy.setFilter((method) => method === 'POST');
  proxy.enqueue({ kind: 'status', status: 503 }, { kind: 'status', status: 503 }, { kind: 'pass' }, { kind: 'status', status: 503, retryAfter: '0' });
  const job = await runJob(env, (await plan(env, proxy.url, { patients: [PATIENTS[0] as string] })).id);
  expect(job.state).toBe('completed');
  const report = await reconcileJob(store, job.id, env.target);
  expect(report.total.rejected).toBe(0);
  expect(report.total.loaded).toBeGreaterThan(300);
  expect(report.targetMismatches).toEqual({});
  expect(proxy.log.filter((e) => e.action === 'status 503').length).toBe(3);
});

it('a target that stays down pauses the job; resume completes it with nothing lost or duplicated', async () => {
  proxy.reset();
  proxy.down({ requests: 1_000 });
  const planned = await plan(env, proxy.url, { patients: [PATIENTS[1] as string] });
  const paused = await runJob(env, planned.id);
  expect(paused.state).toBe('paused');
  expect(paused.error?.code).toBe('FHIRMIG_ERR_TARGET_UNAVAILABLE');
  expect((await store.countOutcomes(planned.id)).total.read).toBe(0); // nothing failed, nothing recorded
  proxy.reset();
  const resumed = await runJob(env, planned.id);
  expect(resumed.state).toBe('completed');
  const report = await reconcileJob(store, planned.id, env.target);
  expect(report.balanced).toBe(true);
  expect(report.total.rejected).toBe(0);
  expect(report.targetMismatches).toEqual({});
  const observations = (await store.listIds(planned.id)).filter((e) => e.resourceType === 'Observation').length;
  expect(report.targetCounts?.['Observation']).toBe(observations);
});

it('a task that recorded its outcomes but died before completing is not sent again on resume', async () => {
  proxy.reset();
  // not migrated above; one phase, so the job is that one task
  const planned = await plan(env, proxy.url, { patients: ['6fc4436c-20cc-50f7-cabc-a19442b5837e'], phases: ['critical'] });
  await store.transitionJob(planned.id, 'running');
  const [task] = await store.claimTasks(planned.id, 'doomed-worker', 1, 60_000);
  expect(task?.phase).toBe('critical'); // phases run in priority order
  const first = await runPatientTask(env, planned, task as Task);
  expect(first.loaded).toBeGreaterThan(20);
  await store.failTask((task as Task).id, 'doomed-worker', { code: 'FHIRMIG_ERR_CORE_INTERNAL', message: 'killed' }, { retry: true });
  const posts = proxy.log.filter((e) => e.method === 'POST').length;
  const job = await runJob(env, planned.id);
  expect(job.state).toBe('completed');
  expect(proxy.log.filter((e) => e.method === 'POST').length).toBe(posts + 1); // the service Device only
  const report = await reconcileJob(store, planned.id, env.target);
  expect(report.total.loaded).toBe(first.loaded);
  expect(report.total.skippedByRule['unchanged-since-previous-load']).toBeUndefined();
  expect(report.targetMismatches).toEqual({});
});
