import { join } from 'node:path';
import { openSqliteJobStore, planMigration, runJob } from '../../../src/jobs/index.ts';
import type { JobStore, MigrationEnv } from '../../../src/jobs/index.ts';
import { buildValidator, loadMapSet, serviceDevice } from '../../../src/runtime/index.ts';
import { createSource } from '../../../src/sources/index.ts';
import { createTarget, resolveTargetProfile } from '../../../src/target/index.ts';
import { startFaultProxy } from '../../support/fault-proxy.ts';
import type { FaultProxy } from '../../support/fault-proxy.ts';
import { startFhirServer } from '../../support/fhir-server.ts';
import type { RunningFhirServer } from '../../support/fhir-server.ts';
import { REPO, SHARED, scratchDir } from './support.ts';

/**
 * A message is one record of many resources: when the target refuses the transaction that holds
 * them (R4 http.html#transaction: all or nothing), the record is rejected
 * FHIRMIG_ERR_TARGET_REJECTED with the target's issues, none of its resources counted as written,
 * and the patient's other messages (in their own tasks) still load.
 */
jest.setTimeout(60_000);

const HL7 = join(SHARED, 'testdata', 'hl7v2');
let server: RunningFhirServer;
let proxy: FaultProxy;
let store: JobStore;

beforeAll(async () => {
  server = await startFhirServer();
  proxy = await startFaultProxy(server.url);
  store = await openSqliteJobStore({ path: join(scratchDir('messages'), 'jobs.sqlite') });
});
afterAll(async () => {
  await store.close();
  await proxy.close();
  await server.close();
});

it('a refused transaction rejects its messages (every resource unwritten); the other patients load', async () => {
  const mapSet = loadMapSet(join(REPO, 'maps', 'hl7v2'), [join(REPO, 'conceptmaps')], REPO);
  const env: MigrationEnv = {
    store, mapSet, source: createSource(`hl7v2:${HL7}`), validate: buildValidator([], REPO),
    target: createTarget(proxy.url, { retry: { maxAttempts: 2, baseDelayMs: 10, maxDelayMs: 20 } }),
    profile: resolveTargetProfile('medplum'), device: serviceDevice({ packageRoot: REPO }),
  };
  const patient = 'PATID1234';
  const spec = { source: `hl7v2:${HL7}`, target: proxy.url, mapSet: { id: mapSet.id, versionHash: mapSet.versionHash }, scope: { kind: 'patients' as const, patientIds: [patient, '987654321'] }, options: { dryRun: false, phases: [], thresholds: {} } };
  const job = await planMigration(store, spec, env.source);
  // The service Device goes first; then the first patient transaction is refused.
  proxy.setFilter((method) => method === 'POST');
  proxy.enqueue({ kind: 'pass' }, { kind: 'status', status: 422 });
  const done = await runJob(env, job.id, { concurrency: 1 });
  proxy.setFilter(undefined);
  expect(done.state).toBe('completed');
  const ledger = (await store.listOutcomes(job.id, { limit: 10_000 })).entries;
  const refused = ledger.filter((e) => e.errorCode === 'FHIRMIG_ERR_TARGET_REJECTED');
  const loaded = ledger.filter((e) => e.outcome === 'loaded');
  expect(refused.length).toBeGreaterThan(0);
  expect(loaded.length).toBeGreaterThan(0);
  expect(new Set(refused.map((e) => e.patientKey)).size).toBe(1);
  expect(new Set(loaded.map((e) => e.patientKey)).has(refused[0]?.patientKey)).toBe(false);
  for (const e of refused) {
    expect(e.targetIds ?? []).toEqual([]);
    expect(e.issues?.length).toBeGreaterThan(0);
  }
  const written = new Set((await store.listIds(job.id)).map((i) => `${i.resourceType}/${i.targetId}`));
  for (const e of loaded) for (const id of e.targetIds ?? []) expect(written.has(id)).toBe(true);
  expect(written.size).toBe(done.progress.resourcesWritten);
  await env.source.close();
  await env.target.close();
});
