import { rmSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { request } from 'undici';
import { buildApp } from '../../src/app.ts';
import { SUBSETTED_TAG } from '../../src/bulk/index.ts';
import type { ExportManifest } from '../../src/bulk/index.ts';
import { openSqliteJobStore, rollbackJob, runJob } from '../../src/jobs/index.ts';
import type { Job, JobStore, MigrationEnv } from '../../src/jobs/index.ts';
import { LogSink, ROOT, fakeOperations, issueCode, testConfig } from '../api/support.ts';
import { buildEnv, engineParts, openScratchStore, plan, scratchDir } from '../jobs/runner/support.ts';
import { startFaultProxy } from '../support/fault-proxy.ts';
import type { FaultProxy } from '../support/fault-proxy.ts';
import { startFhirServer } from '../support/fhir-server.ts';
import type { RunningFhirServer } from '../support/fhir-server.ts';
import { countsByType, download, downloadOutput, exportToCompletion, kickOff, pollToCompletion } from './support.ts';

/**
 * Bulk Data Access IG v2.0.0 `$export` end to end: a real migration of two Synthea patients (CSV)
 * into the loopback FHIR server (through the fault proxy), then exports over the service's routes,
 * every file downloaded and checked against what the job wrote (its id map).
 */
jest.setTimeout(180_000);

let server: RunningFhirServer;
let proxy: FaultProxy;
let store: JobStore;
let env: MigrationEnv;
let job: Job;
let app: FastifyInstance;
const dir = scratchDir('bulk-e2e');
const storePath = join(dir, 'jobs.sqlite');
let written: Map<string, Set<string>>;
let full: ExportManifest;
let fullOutput: Map<string, fhir4.Resource[]>;

function config(maxConcurrent = 2) {
  return testConfig({ dataDir: dir, export: { retryAfterSeconds: 1, maxFileResources: 100, maxConcurrent } });
}

async function startApp(jobStore: JobStore, maxConcurrent = 2): Promise<FastifyInstance> {
  const built = await buildApp(config(maxConcurrent), { store: jobStore, operations: fakeOperations(), logStream: new LogSink(), cwd: ROOT });
  await built.ready();
  return built;
}

beforeAll(async () => {
  engineParts();
  server = await startFhirServer();
  proxy = await startFaultProxy(server.url);
  store = await openScratchStore(dir);
  env = buildEnv(store, proxy.url);
  job = await runJob(env, (await plan(env, proxy.url)).id, { concurrency: 2 });
  expect(job.state).toBe('completed');
  written = new Map();
  for (const entry of await store.listIds(job.id, { status: 'written' })) {
    written.set(entry.resourceType, (written.get(entry.resourceType) ?? new Set()).add(entry.targetId));
  }
  app = await startApp(store);
});

afterAll(async () => {
  await app.close();
  await env.target.close();
  await env.source.close();
  await store.close();
  await proxy.close();
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

const expectedCounts = (types?: readonly string[]) =>
  Object.fromEntries([...written].filter(([type]) => !types || types.includes(type)).map(([type, ids]) => [type, ids.size]));

describe('system-level export (IG: "Endpoint - System Level Export", "Response - Complete Status")', () => {
  it('exports every resource the job wrote, one type per file, split at maxFileResources, every line valid', async () => {
    full = await exportToCompletion(app, { url: '/fhir/$export' });
    expect(full.transactionTime).toMatch(/^\d{4}-\d{2}-\d{2}T/);
    expect(full.request).toBe('http://localhost:80/fhir/$export');
    expect(full.requiresAccessToken).toBe(false);
    expect(full.error).toEqual([]);
    expect(full.deleted).toEqual([]);
    expect(countsByType(full)).toEqual(expectedCounts());
    expect(written.get('Provenance')?.size).toBeGreaterThan(0);
    expect(full.output.every((f) => f.count <= 100)).toBe(true);
    expect(full.output.filter((f) => f.type === 'Observation').length).toBeGreaterThan(1);
    fullOutput = await downloadOutput(app, full);
    // DESIGN.md §5: each job step, export included, is in the hash-chained audit log.
    const exportId = new URL(full.output[0]?.url ?? '').pathname.split('/')[3];
    const steps = (await store.readAudit()).filter((e) => e.type === 'job.export' && JSON.stringify(e.payload).includes(String(exportId)));
    expect(steps.map((e) => (e.payload as { jobId: string }).jobId)).toEqual([job.id]);
    const validate = engineParts().validate;
    for (const [type, resources] of fullOutput) {
      expect(new Set(resources.map((r) => r.id))).toEqual(written.get(type));
      for (const resource of resources) {
        const errors = validate(resource).issue.filter((i) => i.severity === 'error' || i.severity === 'fatal');
        if (errors.length > 0) throw new Error(`${type}/${resource.id}: ${JSON.stringify(errors)}`);
      }
    }
  });

  it('_type keeps the named types only (IG kick-off: _type)', async () => {
    const manifest = await exportToCompletion(app, { url: '/fhir/$export?_type=Patient,Condition' });
    expect(countsByType(manifest)).toEqual(expectedCounts(['Patient', 'Condition']));
  });

  it('_since keeps resources changed after the instant (IG kick-off: _since)', async () => {
    const observations = fullOutput.get('Observation') ?? [];
    const instants = observations.map((o) => o.meta?.lastUpdated ?? '').sort();
    const since = instants[Math.floor(instants.length / 2)] as string;
    const after = observations.filter((o) => Date.parse(o.meta?.lastUpdated ?? '') > Date.parse(since)).length;
    expect(after).toBeGreaterThan(0);
    expect(after).toBeLessThan(observations.length);
    const manifest = await exportToCompletion(app, { url: `/fhir/$export?_type=Observation&_since=${encodeURIComponent(since)}` });
    expect(countsByType(manifest)).toEqual({ Observation: after });
    const late = await exportToCompletion(app, { url: `/fhir/$export?_since=${encodeURIComponent(new Date(Date.now() + 60_000).toISOString())}` });
    expect(late.output).toEqual([]);
  });

  it('_elements keeps the named and mandatory elements and tags SUBSETTED (IG kick-off: _elements)', async () => {
    const manifest = await exportToCompletion(app, { url: '/fhir/$export?_type=Patient,Observation&_elements=Patient.birthDate,Observation.value' });
    const output = await downloadOutput(app, manifest);
    for (const patient of output.get('Patient') ?? []) {
      expect(Object.keys(patient).sort()).toEqual(['birthDate', 'id', 'meta', 'resourceType']);
      expect(patient.meta?.tag).toContainEqual(SUBSETTED_TAG);
    }
    const observation = (output.get('Observation') ?? []).find((o) => 'valueQuantity' in o) as fhir4.Observation;
    expect(Object.keys(observation).filter((k) => !['id', 'meta', 'resourceType'].includes(k)).sort()).toEqual(['code', 'status', 'valueQuantity']);
  });

  it('_typeFilter evaluates FHIR search criteria on each resource (IG: _typeFilter)', async () => {
    const isLab = (o: fhir4.Resource) => ((o as fhir4.Observation).category ?? []).some((c) => c.coding?.some((x) => x.code === 'laboratory'));
    const labs = (fullOutput.get('Observation') ?? []).filter(isLab).length;
    expect(labs).toBeGreaterThan(0);
    const manifest = await exportToCompletion(app, { url: `/fhir/$export?_type=Observation&_typeFilter=${encodeURIComponent('Observation?category=laboratory')}` });
    expect(countsByType(manifest)).toEqual({ Observation: labs });
    const output = await downloadOutput(app, manifest);
    expect((output.get('Observation') ?? []).every(isLab)).toBe(true);
  });

  it('includeAssociatedData=LatestProvenanceResources adds the newest Provenance of each exported resource', async () => {
    const manifest = await exportToCompletion(app, { url: '/fhir/$export?_type=Patient&includeAssociatedData=LatestProvenanceResources' });
    const output = await downloadOutput(app, manifest);
    const patients = new Set((output.get('Patient') ?? []).map((p) => `Patient/${p.id}`));
    const provenances = (output.get('Provenance') ?? []) as fhir4.Provenance[];
    expect(patients.size).toBe(2);
    expect(provenances.length).toBeGreaterThan(0);
    const covered = new Set(provenances.flatMap((p) => p.target.map((t) => t.reference)));
    for (const patient of patients) expect(covered.has(patient)).toBe(true);
  });

  it('unsupported parameters: 400 under handling=strict; lenient exports and reports them in `error`', async () => {
    const strict = await app.inject({ method: 'GET', url: '/fhir/$export?_type=Patient&_until=2030-01-01T00:00:00Z', headers: { prefer: 'respond-async, handling=strict' } });
    expect(strict.statusCode).toBe(400);
    expect(issueCode(strict.body)).toBe('FHIRMIG_ERR_BULK_PARAMETER');
    const manifest = await exportToCompletion(app, { url: '/fhir/$export?_type=Patient&_until=2030-01-01T00:00:00Z' });
    expect(countsByType(manifest)).toEqual(expectedCounts(['Patient']));
    expect(manifest.error.map((e) => e.type)).toEqual(['OperationOutcome']);
    const [outcome] = (await download(app, manifest.error[0]?.url ?? '')) as fhir4.OperationOutcome[];
    expect(outcome?.issue[0]).toMatchObject({ severity: 'warning', code: 'not-supported', diagnostics: expect.stringContaining('_until') });
  });

  it('a kick-off without Prefer: respond-async is refused with 400', async () => {
    const response = await app.inject({ method: 'GET', url: '/fhir/$export' });
    expect(response.statusCode).toBe(400);
    expect(issueCode(response.body)).toBe('FHIRMIG_ERR_BULK_ASYNC_REQUIRED');
  });
});

describe('over a real socket (the service listening on loopback)', () => {
  it('kick-off, polls and streamed downloads with undici give what the job wrote', async () => {
    const listening = await startApp(store);
    try {
      const base = await listening.listen({ host: '127.0.0.1', port: 0 });
      const kick = await request(`${base}/fhir/$export?_type=Observation`, { headers: { prefer: 'respond-async', accept: 'application/fhir+json' } });
      await kick.body.dump();
      expect(kick.statusCode).toBe(202);
      const status = String(kick.headers['content-location']);
      expect(status.startsWith(`${base}/fhir/bulk-export/`)).toBe(true);
      let manifest: ExportManifest | undefined;
      for (let i = 0; i < 60 && !manifest; i++) {
        const poll = await request(status);
        if (poll.statusCode === 200) manifest = (await poll.body.json()) as ExportManifest;
        else {
          await poll.body.dump();
          expect(poll.statusCode).toBe(202);
          await new Promise((resolve) => setTimeout(resolve, Number(poll.headers['retry-after']) * 1000));
        }
      }
      const ids = new Set<string>();
      for (const file of manifest?.output ?? []) {
        expect(file.url.startsWith(base)).toBe(true);
        const response = await request(file.url, { headers: { accept: 'application/fhir+ndjson' } });
        expect(response.headers['content-type']).toBe('application/fhir+ndjson');
        for (const line of (await response.body.text()).trimEnd().split('\n')) ids.add((JSON.parse(line) as fhir4.Resource).id ?? '');
      }
      expect(ids).toEqual(written.get('Observation'));
    } finally {
      await listening.close();
    }
  });
});

describe('Patient and Group level (IG: "Endpoint - All Patients", "Endpoint - Group of Patients")', () => {
  const patientIds = () => [...(written.get('Patient') ?? [])];

  it('POST Patient/$export with a patient parameter keeps that patient compartment only', async () => {
    const [first, second] = patientIds() as [string, string];
    const body = { resourceType: 'Parameters', parameter: [{ name: 'patient', valueReference: { reference: `Patient/${first}` } }, { name: '_type', valueString: 'Patient,Observation,Encounter,Condition' }] };
    const manifest = await exportToCompletion(app, { method: 'POST', url: '/fhir/Patient/$export', body });
    const output = await downloadOutput(app, manifest);
    expect((output.get('Patient') ?? []).map((p) => p.id)).toEqual([first]);
    for (const type of ['Observation', 'Encounter', 'Condition']) {
      const resources = output.get(type) ?? [];
      const all = (fullOutput.get(type) ?? []).filter((r) => JSON.stringify(r).includes(`"Patient/${first}"`));
      expect(resources.length).toBe(all.length);
      expect(resources.every((r) => JSON.stringify(r).includes(`"Patient/${first}"`) && !JSON.stringify(r).includes(`"Patient/${second}"`))).toBe(true);
    }
  });

  it('Patient/$export without patient: every resource in a Patient compartment, no Device', async () => {
    const manifest = await exportToCompletion(app, { url: '/fhir/Patient/$export' });
    const counts = countsByType(manifest);
    expect(counts.Patient).toBe(2);
    expect(counts.Observation).toBe(written.get('Observation')?.size);
    expect(counts.Device).toBeUndefined();
  });

  it('GET /fhir/Group/{jobId} is the migration cohort; its $export holds those patients', async () => {
    const group = await app.inject({ method: 'GET', url: `/fhir/Group/${job.id}` });
    expect(group.statusCode).toBe(200);
    const resource = group.json() as fhir4.Group;
    expect(resource).toMatchObject({ resourceType: 'Group', id: job.id, type: 'person', actual: true, quantity: 2 });
    expect(resource.member?.map((m) => m.entity.reference).sort()).toEqual(patientIds().map((id) => `Patient/${id}`).sort());
    const manifest = await exportToCompletion(app, { url: `/fhir/Group/${job.id}/$export?_type=Patient,Observation` });
    expect(countsByType(manifest)).toEqual(expectedCounts(['Patient', 'Observation']));
  });

  it('an unknown Group is 404 at read and at kick-off', async () => {
    const read = await app.inject({ method: 'GET', url: '/fhir/Group/no-such-job' });
    expect(read.statusCode).toBe(404);
    expect(issueCode(read.body)).toBe('FHIRMIG_ERR_BULK_GROUP_NOT_FOUND');
    const kick = await app.inject({ method: 'GET', url: '/fhir/Group/no-such-job/$export', headers: { prefer: 'respond-async' } });
    expect(kick.statusCode).toBe(404);
  });
});

describe('status, cancel and restart (IG: "Bulk Data Status Request", "Bulk Data Delete Request")', () => {
  /** Slows every read of the target so that an export stays in progress for a while. */
  function slowTarget(ms: number): void {
    proxy.reset();
    proxy.setFilter((method) => method === 'GET');
    proxy.enqueue(...Array.from({ length: 200 }, () => ({ kind: 'delay' as const, ms })));
  }

  afterEach(() => proxy.reset());

  it('in progress: 202 with X-Progress and Retry-After; polled sooner: 429 with Retry-After', async () => {
    slowTarget(400);
    const status = await kickOff(app, { url: '/fhir/$export' });
    const first = await app.inject({ method: 'GET', url: status });
    expect(first.statusCode).toBe(202);
    expect(first.headers['retry-after']).toBe('1');
    expect(first.headers['x-progress']).toEqual(expect.any(String));
    const second = await app.inject({ method: 'GET', url: status });
    expect(second.statusCode).toBe(429);
    expect(Number(second.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(issueCode(second.body)).toBe('FHIRMIG_ERR_BULK_TOO_FAST');
    proxy.reset();
    await new Promise((resolve) => setTimeout(resolve, Number(second.headers['retry-after']) * 1000));
    const manifest = await pollToCompletion(app, status);
    expect(countsByType(manifest)).toEqual(countsByType(full));
  });

  it('export.maxConcurrent: a second export waits (X-Progress: queued) until the first is done, then completes', async () => {
    const single = await startApp(store, 1);
    try {
      slowTarget(300);
      const first = await kickOff(single, { url: '/fhir/$export' });
      const second = await kickOff(single, { url: '/fhir/$export?_type=Patient' });
      await new Promise((resolve) => setTimeout(resolve, 100));
      const waiting = await single.inject({ method: 'GET', url: second });
      expect(waiting.statusCode).toBe(202);
      expect(waiting.headers['x-progress']).toBe('queued');
      proxy.reset();
      expect(countsByType(await pollToCompletion(single, first))).toEqual(countsByType(full));
      expect(countsByType(await pollToCompletion(single, second))).toEqual(expectedCounts(['Patient']));
    } finally {
      await single.close();
    }
  });

  it('DELETE cancels a running export: 202, then the status URL and its files answer 404', async () => {
    const done = await exportToCompletion(app, { url: '/fhir/$export?_type=Patient' });
    slowTarget(400);
    const status = await kickOff(app, { url: '/fhir/$export' });
    const cancelled = await app.inject({ method: 'DELETE', url: status });
    expect(cancelled.statusCode).toBe(202);
    const after = await app.inject({ method: 'GET', url: status });
    expect(after.statusCode).toBe(404);
    expect(issueCode(after.body)).toBe('FHIRMIG_ERR_BULK_NOT_FOUND');
    expect((await app.inject({ method: 'DELETE', url: status })).statusCode).toBe(404);
    // A completed export deleted: its files go too.
    const completedStatus = new URL(done.output[0]?.url ?? '').pathname.replace(/\/files\/.*$/, '');
    expect((await app.inject({ method: 'DELETE', url: completedStatus })).statusCode).toBe(202);
    expect((await app.inject({ method: 'GET', url: new URL(done.output[0]?.url ?? '').pathname })).statusCode).toBe(404);
  });

  it('an export interrupted by a restart completes on the next start, from the same store file', async () => {
    slowTarget(300);
    const status = await kickOff(app, { url: '/fhir/$export' });
    const exportId = status.split('/').pop() as string;
    for (let i = 0; i < 100 && (await store.getExport(exportId)).progress.resourcesWritten === 0; i++) await new Promise((r) => setTimeout(r, 50));
    await app.close();
    const interrupted = await store.getExport(exportId);
    expect(interrupted.state).toBe('in-progress');
    expect(interrupted.progress.resourcesWritten).toBeGreaterThan(0);
    expect(interrupted.progress.resourcesWritten).toBeLessThan(interrupted.progress.resourcesPlanned);
    proxy.reset();
    const reopened = openSqliteJobStore({ path: storePath });
    try {
      app = await startApp(reopened);
      const manifest = await pollToCompletion(app, status);
      expect(countsByType(manifest)).toEqual(countsByType(full));
      expect((await reopened.getExport(exportId)).attempts).toBe(2);
      await downloadOutput(app, manifest);
    } finally {
      await app.close();
      await reopened.close();
      app = await startApp(store);
    }
  });
});

describe('deleted (IG: manifest `deleted`, resources deleted after _since)', () => {
  it('after a rollback, an export with _since lists each rolled-back resource as a DELETE entry and outputs none', async () => {
    const before = new Date(Date.now() - 1_000).toISOString();
    const report = await rollbackJob({ store, target: env.target, device: env.device }, job.id);
    expect(report.deleted).toBeGreaterThan(0);
    const manifest = await exportToCompletion(app, { url: `/fhir/$export?_since=${encodeURIComponent(before)}` });
    expect(manifest.output).toEqual([]);
    const bundles: fhir4.Bundle[] = [];
    for (const file of manifest.deleted) {
      expect(file.type).toBe('Bundle');
      bundles.push(...((await download(app, file.url)) as fhir4.Bundle[]));
    }
    expect(bundles.every((b) => b.type === 'transaction' && b.entry?.[0]?.request?.method === 'DELETE')).toBe(true);
    const urls = new Set(bundles.map((b) => b.entry?.[0]?.request?.url));
    const deletedIds = (await store.listIds(job.id, { status: 'deleted' })).map((e) => `${e.resourceType}/${e.targetId}`);
    expect(urls).toEqual(new Set(deletedIds));
    expect((await app.inject({ method: 'GET', url: `/fhir/Group/${job.id}` })).statusCode).toBe(404);
  });
});
