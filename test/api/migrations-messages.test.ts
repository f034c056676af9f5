import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { openJobStore } from '../../src/jobs/index.ts';
import type { JobStore } from '../../src/jobs/index.ts';
import { startFhirServer } from '../support/fhir-server.ts';
import type { RunningFhirServer } from '../support/fhir-server.ts';
import { ROOT, testApp, testConfig } from './support.ts';

/**
 * Issue 4 through the service: one `POST /migrations` of the HL7 v2 samples (no `maps`: the
 * package's hl7v2 map set, routed by messages.json) runs through the job engine into the loopback
 * FHIR server and ends as the map set's sample test does (78 loaded, 8 rejected by US Core, 53
 * skipped by rule), balanced, with the target's counts per resource type agreeing.
 */
jest.setTimeout(120_000);

const SHARED = join(ROOT, '..', 'shared');
const HL7 = `hl7v2:${join(SHARED, 'testdata', 'hl7v2')}`;
const US_CORE = join(SHARED, 'fhir-packages', 'hl7.fhir.us.core');
const scratch = mkdtempSync(join(tmpdir(), 'fhirmig-migrations-hl7-'));

let app: FastifyInstance;
let store: JobStore;
let fhir: RunningFhirServer;

beforeAll(async () => {
  fhir = await startFhirServer();
  store = await openJobStore({ backend: 'sqlite', path: join(scratch, 'jobs.sqlite') });
  ({ app } = await testApp(testConfig({ migrations: { allowedRoots: [SHARED, scratch] } }), { store, packageRoot: ROOT }));
});
afterAll(async () => {
  await app.close();
  await store.close();
  await fhir.close();
  rmSync(scratch, { recursive: true, force: true });
});

async function settled(id: string): Promise<{ state: string; progress: Record<string, number> }> {
  for (;;) {
    const job = (await app.inject({ method: 'GET', url: `/migrations/${id}` })).json() as { state: string; progress: Record<string, number> };
    if (!['queued', 'running', 'cancelling', 'rolling-back'].includes(job.state)) return job;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

it('POST /migrations of an hl7v2: source: the default map set, 78 loaded + 8 rejected + 53 skipped, the target agrees', async () => {
  const response = await app.inject({ method: 'POST', url: '/migrations', headers: { 'content-type': 'application/json' }, payload: { source: HL7, target: fhir.url, igs: [US_CORE] } });
  expect(response.statusCode).toBe(202);
  const { id } = response.json() as { id: string };
  const done = await settled(id);
  expect(done.state).toBe('completed');
  expect(done.progress).toMatchObject({ recordsRead: 139, recordsLoaded: 78, recordsRejected: 8, recordsSkipped: 53 });

  const report = (await app.inject({ method: 'GET', url: `/migrations/${id}/report` })).json() as {
    balanced: boolean; targetCounts: Record<string, number>; targetMismatches: object; errors: { code: string; count: number }[];
  };
  expect(report.balanced).toBe(true);
  expect(report.targetMismatches).toEqual({});
  expect(report.targetCounts).toMatchObject({ Patient: 78, Encounter: 63, Observation: 43, DiagnosticReport: 3, Organization: 32 });
  expect(report.errors.map((e) => [e.code, e.count])).toEqual([['FHIRMIG_ERR_VALIDATION_FAILED', 8]]);
});
