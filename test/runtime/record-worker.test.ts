import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { SourceRecord } from '../../src/core/index.ts';
import { inThreadProcessor, reconcileJob, runJob } from '../../src/jobs/index.ts';
import type { Job, JobStore, MigrationEnv } from '../../src/jobs/index.ts';
import { RecordWorker } from '../../src/runtime/index.ts';
import type { RecordWorkerOptions } from '../../src/runtime/index.ts';
import { startFhirServer } from '../support/fhir-server.ts';
import type { RunningFhirServer } from '../support/fhir-server.ts';
import { createSource, isSourceRejection } from '../../src/sources/index.ts';
import { PATIENTS, REPO, SYNTHEA_CSV, buildEnv, engineParts, openScratchStore, plan, scratchDir, useR4OnlyValidation } from '../jobs/runner/support.ts';

/**
 * The record worker (mapping + validation in a worker thread) against the in-thread runner: the
 * same Synthea patients into two real loopback FHIR servers must give the same ledger, report
 * and target content. A worker thread that dies mid-job pauses the job; a resume completes it.
 */
jest.setTimeout(120_000);

const dir = scratchDir('record-worker');
/** A fault injector in front of the real worker file: its thread exits on its third request. */
const CRASHING_ROOT = join(__dirname, '..', 'support', 'crashing-record-worker');

interface Side {
  server: RunningFhirServer;
  store: JobStore;
  env: MigrationEnv;
}

const sides: Side[] = [];
const workers: RecordWorker[] = [];

async function side(name: string): Promise<Side> {
  const server = await startFhirServer();
  mkdirSync(join(dir, name));
  const store = await openScratchStore(join(dir, name));
  const s = { server, store, env: buildEnv(store, server.url) };
  sides.push(s);
  return s;
}

function startWorker(packageRoot = REPO): RecordWorker {
  const { mapSet } = engineParts();
  const options: RecordWorkerOptions = { mapsDir: join(REPO, 'maps', 'synthea-csv'), conceptMapDirs: [join(REPO, 'conceptmaps')], igs: [], cwd: REPO, packageRoot, versionHash: mapSet.versionHash };
  const worker = new RecordWorker(options);
  workers.push(worker);
  return worker;
}

function onWorker(env: MigrationEnv, worker: RecordWorker): MigrationEnv {
  const { validate: _inThread, ...rest } = env;
  return { ...rest, processor: worker.processor() };
}

beforeAll(() => {
  useR4OnlyValidation();
});

afterAll(async () => {
  for (const w of workers) await w.close();
  for (const s of sides) {
    await s.env.target.close();
    await s.env.source.close();
    await s.store.close();
    await s.server.close();
  }
  rmSync(dir, { recursive: true, force: true });
});

/** A job's ledger without what differs between two jobs (ids, times), in a stable order. */
async function ledgerOf(store: JobStore, job: Job): Promise<unknown[]> {
  const { entries } = await store.listOutcomes(job.id, { limit: 100_000 });
  return entries.map(({ jobId: _job, updatedAt: _at, ...entry }) => entry).sort((a, b) => `${a.ref.kind}|${a.recordKey}`.localeCompare(`${b.ref.kind}|${b.recordKey}`));
}

async function reportOf(s: Side, job: Job): Promise<unknown> {
  const { jobId: _job, target: _target, ...report } = await reconcileJob(s.store, job.id, s.env.target);
  return report;
}

/**
 * Every resource on the server by `Type/id`, without the server's version meta and the job's id;
 * a Provenance (its id and `recorded` are the job's) by the resources it covers.
 */
function targetContent(s: Side, job: Job): Map<string, string> {
  const resources = (s.server.repo as unknown as { resources: Map<string, Map<string, fhir4.Resource>> }).resources;
  const content = new Map<string, string>();
  for (const [type, byId] of resources) {
    for (const [id, resource] of byId) {
      const { versionId: _v, lastUpdated: _l, ...meta } = resource.meta ?? {};
      if (type !== 'Provenance') content.set(`${type}/${id}`, JSON.stringify({ ...resource, meta }).replaceAll(job.id, 'JOB'));
      else {
        const { id: _id, recorded: _r, ...provenance } = resource as fhir4.Provenance;
        content.set(`Provenance of ${provenance.target.map((t) => t.reference).join(',')}`, JSON.stringify({ ...provenance, meta }).replaceAll(job.id, 'JOB'));
      }
    }
  }
  return content;
}

async function patientRecords(patientKey: string): Promise<SourceRecord[]> {
  const source = createSource(`csv:${SYNTHEA_CSV}`);
  const records: SourceRecord[] = [];
  for await (const item of source.read({ patientKeys: [patientKey] })) if (!isSourceRejection(item)) records.push(item);
  await source.close();
  return records;
}

it('answers map and validate as the in-thread processor does, for resources it kept and for resources sent', async () => {
  const processor = startWorker().processor();
  const { mapSet, validate } = engineParts();
  const records = await patientRecords(PATIENTS[0] as string);
  const mapped = await processor.map(records);
  expect(mapped).toEqual(await inThreadProcessor(mapSet, validate).map(records));
  expect(mapped.every((m, i) => m.record === records[i])).toBe(true);
  const resources = mapped.flatMap((m) => (m.state === 'mapped' ? m.resources : []));
  expect(resources.length).toBeGreaterThan(100);
  const invalid = { resourceType: 'Patient', id: 'x', gender: 'robot', birthDate: 'yesterday' } as unknown as fhir4.Patient;
  const batch = [...resources.slice(0, 30), invalid];
  const outcomes = await processor.validate(batch);
  expect(outcomes).toEqual(batch.map(validate));
  expect(outcomes.at(-1)?.issue.filter((i) => i.severity === 'error').length).toBeGreaterThan(0);
  // The worker let go of the batch once validated: the same resources are sent, with the same answers.
  expect(await processor.validate(resources.slice(0, 3))).toEqual(resources.slice(0, 3).map(validate));
});

it('maps and validates in the worker thread with the same ledger, report and target content as in-thread', async () => {
  const inThread = await side('in-thread');
  const worker = startWorker();
  const onThread = await side('worker');
  const workerEnv = onWorker(onThread.env, worker);
  await worker.ready();

  const jobA = await runJob(inThread.env, (await plan(inThread.env, inThread.server.url)).id, { concurrency: 3 });
  const jobB = await runJob(workerEnv, (await plan(workerEnv, onThread.server.url)).id, { concurrency: 3 });

  expect(jobA.state).toBe('completed');
  expect(jobB.state).toBe('completed');
  expect(jobB.progress.recordsLoaded).toBeGreaterThan(100);
  expect(await ledgerOf(onThread.store, jobB)).toEqual(await ledgerOf(inThread.store, jobA));
  expect(await reportOf(onThread, jobB)).toEqual(await reportOf(inThread, jobA));
  const [contentA, contentB] = [targetContent(inThread, jobA), targetContent(onThread, jobB)];
  expect(contentB.size).toBe(contentA.size);
  const differing = [...contentA].filter(([key, text]) => contentB.get(key) !== text).map(([key]) => key);
  expect(differing).toEqual([]);
});

it('a worker thread that dies mid-job pauses the job with FHIRMIG_ERR_JOB_WORKER_FAILED; a resume on a new worker completes it', async () => {
  const s = await side('crash');
  const crashing = startWorker(CRASHING_ROOT);
  await crashing.ready();
  const job = await plan(s.env, s.server.url);

  const paused = await runJob(onWorker(s.env, crashing), job.id, { concurrency: 2 });
  expect(paused.state).toBe('paused');
  expect(paused.error?.code).toBe('FHIRMIG_ERR_JOB_WORKER_FAILED');
  expect(paused.error?.message).toMatch(/thread that maps and validates records exited/);
  expect(crashing.failed).toBe(true);
  await expect(crashing.processor().validate([])).rejects.toMatchObject({ code: 'FHIRMIG_ERR_JOB_WORKER_FAILED' });

  const resumed = await runJob(onWorker(s.env, startWorker()), job.id, { concurrency: 2 });
  expect(resumed.state).toBe('completed');
  const report = await reconcileJob(s.store, job.id, s.env.target);
  expect(report.balanced).toBe(true);
  expect(report.targetMismatches ?? {}).toEqual({});
  // Every record once, whatever the crash interrupted.
  const { entries } = await s.store.listOutcomes(job.id, { limit: 100_000 });
  const keys = entries.map((e) => `${e.ref.kind}|${e.recordKey}`);
  expect(new Set(keys).size).toBe(keys.length);
  expect(resumed.progress.recordsRead).toBe(entries.length);
});

it('a worker whose load fails rejects with the load\'s typed error', async () => {
  const { mapSet } = engineParts();
  const worker = new RecordWorker({ mapsDir: join(dir, 'no-such-maps'), conceptMapDirs: [], igs: [], cwd: REPO, packageRoot: REPO, versionHash: mapSet.versionHash });
  workers.push(worker);
  await expect(worker.ready()).rejects.toMatchObject({ code: 'FHIRMIG_ERR_CONFIG_INVALID' });
  await expect(worker.processor().map([])).rejects.toMatchObject({ code: 'FHIRMIG_ERR_CONFIG_INVALID' });
});
