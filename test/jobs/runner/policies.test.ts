import { rmSync } from 'node:fs';
import { createOutcome, createIssue } from '../../../src/core/index.ts';
import { planMigration, reconcileJob, rollbackJob, runJob } from '../../../src/jobs/index.ts';
import type { JobStore, MigrationEnv } from '../../../src/jobs/index.ts';
import { startFhirServer } from '../../support/fhir-server.ts';
import type { RunningFhirServer } from '../../support/fhir-server.ts';
import { PATIENTS, buildEnv, engineParts, useR4OnlyValidation, openScratchStore, plan, scratchDir, specFor } from './support.ts';

/** Thresholds, cooperative cancel, validation policy and a rollback that meets a changed resource. */
jest.setTimeout(60_000);

let server: RunningFhirServer;
let store: JobStore;
let env: MigrationEnv;
const dir = scratchDir('policies');

beforeAll(async () => {
  useR4OnlyValidation();
  engineParts();
  server = await startFhirServer();
  store = await openScratchStore(dir);
  env = buildEnv(store, server.url);
});

afterAll(async () => {
  await env.target.close();
  await env.source.close();
  await store.close();
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

const rejectObservations = (resource: fhir4.Resource): fhir4.OperationOutcome =>
  createOutcome(resource.resourceType === 'Observation' ? [createIssue('error', 'invariant', 'test rule', 'Observation')] : []);

it('validation rejects records with code and issues; the rejection threshold stops the job', async () => {
  const strict: MigrationEnv = { ...env, validate: rejectObservations };
  const spec = { ...specFor(env, server.url, { dryRun: true }), options: { dryRun: true, phases: [], thresholds: { maxRejectionRate: 0.2, minRecords: 10 } } };
  const job = await runJob(strict, (await planMigration(store, spec, env.source)).id, { concurrency: 1 });
  expect(job.state).toBe('stopped-threshold');
  // Observations are clinical history: the critical phase passes, the clinical phase trips the threshold,
  // and the administrative phase never starts.
  const tasks = await store.listTasks(job.id);
  expect(tasks.filter((t) => t.phase === 'critical').every((t) => t.state === 'done')).toBe(true);
  expect(tasks.filter((t) => t.phase === 'administrative').every((t) => t.state === 'pending')).toBe(true);
  const report = await reconcileJob(store, job.id);
  expect(report.total.rejectedByCode['FHIRMIG_ERR_VALIDATION_FAILED']).toBe(report.byResourceType['Observation']?.rejected);
  expect(report.byResourceType['Observation']?.valid).toBe(0);
  const page = await store.listOutcomes(job.id, { outcome: 'rejected', limit: 1 });
  expect(page.entries[0]?.issues[0]?.diagnostics).toBe('test rule');
});

it('warn policy: invalid resources still load', async () => {
  const lenient: MigrationEnv = { ...env, validate: rejectObservations, validationPolicy: 'warn' };
  const job = await runJob(lenient, (await plan(env, server.url, { dryRun: true, patients: [PATIENTS[0] as string] })).id);
  expect(job.state).toBe('completed');
  expect((await reconcileJob(store, job.id)).total.rejected).toBe(0);
});

it('cancel is cooperative: the job ends cancelled with its tasks left to do', async () => {
  const controller = new AbortController();
  controller.abort();
  const job = await runJob(env, (await plan(env, server.url, { dryRun: true })).id, { signal: controller.signal, concurrency: 1 });
  expect(job.state).toBe('cancelled');
  expect((await store.countTasks(job.id)).pending).toBe(6); // 2 patients × 3 phases
});

it('rollback reports a resource changed on the target instead of deleting it', async () => {
  const job = await runJob(env, (await plan(env, server.url, { patients: [PATIENTS[0] as string] })).id);
  expect(job.state).toBe('completed');
  const patientId = (await store.listIds(job.id)).find((e) => e.resourceType === 'Patient')?.targetId as string;
  const patient = (await env.target.read('Patient', patientId)) as fhir4.Patient;
  await fetch(`${server.url}/Patient/${patientId}`, { method: 'PUT', headers: { 'content-type': 'application/fhir+json' }, body: JSON.stringify({ ...patient, gender: 'unknown' }) });
  const result = await rollbackJob({ store, target: env.target, device: env.device }, job.id);
  expect(result.changedOnTarget).toEqual([`Patient/${patientId}`]);
  expect(((await env.target.read('Patient', patientId)) as fhir4.Patient).gender).toBe('unknown');
  expect(await env.target.read('Observation', (await store.listIds(job.id)).find((e) => e.resourceType === 'Observation')?.targetId as string)).toBeUndefined();
  expect((await store.listIds(job.id, { status: 'changed-on-target' })).length).toBe(1);
});
