import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { openJobStore } from '../../src/jobs/index.ts';
import type { JobSpec, JobStore } from '../../src/jobs/index.ts';
import { startFhirServer } from '../support/fhir-server.ts';
import type { RunningFhirServer } from '../support/fhir-server.ts';
import { ROOT, issueCode, testApp, testConfig } from './support.ts';

/**
 * The migration routes through `inject` (DESIGN.md §4): the request checks (400), the path
 * boundary (403), unknown ids (404), forbidden state changes (409), paging, and a short job
 * through the real engine and store.
 */
jest.setTimeout(60_000);

const SHARED = join(ROOT, '..', 'shared', 'testdata');
const CSV = `csv:${join(SHARED, 'synthea', 'csv')}`;
const PATIENT_A = 'b37f7960-7e9e-f3f7-f891-79ae4f632406';
const scratch = mkdtempSync(join(tmpdir(), 'fhirmig-migrations-'));
const JSON_HEADERS = { 'content-type': 'application/json' };
/** Requests refused before anything is sent never reach this target. */
const UNUSED_TARGET = 'http://127.0.0.1:9/fhir';

let app: FastifyInstance;
let store: JobStore;
let fhir: RunningFhirServer;

beforeAll(async () => {
  fhir = await startFhirServer();
  store = await openJobStore({ backend: 'sqlite', path: join(scratch, 'jobs.sqlite') });
  const config = testConfig({ migrations: { allowedRoots: [SHARED, scratch] } });
  ({ app } = await testApp(config, { store, packageRoot: ROOT }));
});
afterAll(async () => {
  await app.close();
  await store.close();
  await fhir.close();
});

function post(url: string, payload?: unknown) {
  return app.inject({ method: 'POST', url, ...(payload === undefined ? {} : { headers: JSON_HEADERS, payload: payload as Record<string, unknown> }) });
}

async function settled(id: string): Promise<Record<string, unknown>> {
  for (;;) {
    const response = await app.inject({ method: 'GET', url: `/migrations/${id}` });
    const job = response.json() as { state: string };
    if (!['queued', 'running', 'cancelling', 'rolling-back'].includes(job.state)) return response.json();
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('POST /migrations: request checks', () => {
  it.each<[string, number, string, Record<string, unknown>]>([
    ['no source', 400, 'FHIRMIG_ERR_API_REQUEST', { target: 'file:x' }],
    ['an unknown field', 400, 'FHIRMIG_ERR_API_REQUEST', { source: CSV, target: UNUSED_TARGET, colour: 'red' }],
    ['a bad scope', 400, 'FHIRMIG_ERR_API_REQUEST', { source: CSV, target: UNUSED_TARGET, scope: { kind: 'patients', patientIds: [] } }],
    ['a rejection rate above 1', 400, 'FHIRMIG_ERR_API_REQUEST', { source: CSV, target: UNUSED_TARGET, thresholds: { maxRejectionRate: 2 } }],
    ['an unknown source kind', 400, 'FHIRMIG_ERR_SOURCE_SPEC', { source: 'ftp:somewhere', target: UNUSED_TARGET }],
    ['no target and no default target', 400, 'FHIRMIG_ERR_MIGRATION_REQUEST', { source: CSV }],
    ['a patient not in the source', 400, 'FHIRMIG_ERR_MIGRATION_REQUEST', { source: CSV, target: UNUSED_TARGET, scope: { kind: 'patients', patientIds: ['nobody'] } }],
    ['a maps folder that does not exist', 400, 'FHIRMIG_ERR_MIGRATION_REQUEST', { source: CSV, target: UNUSED_TARGET, maps: join(scratch, 'no-maps') }],
    ['a source outside the allowed roots', 403, 'FHIRMIG_ERR_MIGRATION_PATH_FORBIDDEN', { source: 'csv:/etc', target: UNUSED_TARGET }],
    ['a relative source that climbs out', 403, 'FHIRMIG_ERR_MIGRATION_PATH_FORBIDDEN', { source: 'csv:../../../../etc', target: UNUSED_TARGET }],
    ['a file: target outside the allowed roots', 403, 'FHIRMIG_ERR_MIGRATION_PATH_FORBIDDEN', { source: CSV, target: 'file:/tmp/../var/tmp/out' }],
    ['an IG folder outside the allowed roots', 403, 'FHIRMIG_ERR_MIGRATION_PATH_FORBIDDEN', { source: CSV, target: UNUSED_TARGET, igs: ['/usr/share'] }],
  ])('%s → %i %s', async (_name, status, code, body) => {
    const response = await post('/migrations', body);
    expect(response.statusCode).toBe(status);
    expect(response.headers['content-type']).toMatch(/^application\/fhir\+json/);
    expect(issueCode(response.body)).toBe(code);
  });
});

it('the OpenAPI document lists the migration routes with their schemas', async () => {
  const document = (await app.inject({ method: 'GET', url: '/documentation/json' })).json() as { paths: Record<string, Record<string, { requestBody?: { content: Record<string, { schema: { required?: string[] } }> } }>> };
  for (const path of ['/migrations', '/migrations/{id}', '/migrations/{id}/report', '/migrations/{id}/$cancel', '/migrations/{id}/$resume', '/migrations/{id}/$rollback']) {
    expect(Object.keys(document.paths)).toContain(path);
  }
  expect(document.paths['/migrations']?.['post']?.requestBody?.content['application/json']?.schema.required).toEqual(['source']);
});

describe('unknown jobs → 404 FHIRMIG_ERR_JOB_NOT_FOUND', () => {
  it.each([
    ['GET', '/migrations/no-such-job'],
    ['GET', '/migrations/no-such-job/report'],
    ['POST', '/migrations/no-such-job/$cancel'],
    ['POST', '/migrations/no-such-job/$resume'],
    ['POST', '/migrations/no-such-job/$rollback'],
  ] as const)('%s %s', async (method, url) => {
    const response = await app.inject({ method, url });
    expect(response.statusCode).toBe(404);
    expect(issueCode(response.body)).toBe('FHIRMIG_ERR_JOB_NOT_FOUND');
  });
});

describe('a one-patient migration into the loopback FHIR server', () => {
  let id: string;

  it('202 with Content-Location, then completed with balanced counts', async () => {
    const response = await post('/migrations', { source: CSV, target: fhir.url, scope: { kind: 'patients', patientIds: [PATIENT_A] } });
    expect(response.statusCode).toBe(202);
    const job = response.json() as { id: string; state: string; progress: { tasksTotal: number } };
    id = job.id;
    expect(response.headers['content-location']).toBe(`/migrations/${id}`);
    expect(job.state).toBe('queued');
    // One task per (patient, priority phase): critical, clinical, administrative.
    expect(job.progress.tasksTotal).toBe(3);
    expect(response.headers['retry-after']).toBe('2');
    expect(response.headers['x-progress']).toMatch(/^queued: 0% \(0\/3 tasks\)$/);

    const done = await settled(id) as { state: string; percent: number; progress: Record<string, number> };
    expect(done).toMatchObject({ state: 'completed', percent: 100 });
    const p = done.progress as Record<string, number>;
    expect(p['recordsRead']).toBe((p['recordsLoaded'] ?? 0) + (p['recordsRejected'] ?? 0) + (p['recordsSkipped'] ?? 0));
    expect(p['resourcesWritten']).toBeGreaterThan(100);
    const settledResponse = await app.inject({ method: 'GET', url: `/migrations/${id}` });
    expect(settledResponse.headers['retry-after']).toBeUndefined();
    expect(settledResponse.headers['x-progress']).toBeUndefined();
  });

  it('its report: the reconciliation, errors by code, unmapped codes, and the target agrees', async () => {
    const response = await app.inject({ method: 'GET', url: `/migrations/${id}/report` });
    expect(response.statusCode).toBe(200);
    const report = response.json() as { balanced: boolean; total: Record<string, number>; targetMismatches: object; targetCounts: Record<string, number>; errors: unknown[]; unmappedCodes: unknown[] };
    expect(report.balanced).toBe(true);
    expect(report.targetMismatches).toEqual({});
    expect(report.targetCounts['Patient']).toBe(1);
    expect(Array.isArray(report.errors)).toBe(true);
    expect(Array.isArray(report.unmappedCodes)).toBe(true);
  });

  it('a completed job cannot be resumed or cancelled: 409 FHIRMIG_ERR_JOB_STATE naming what is allowed', async () => {
    for (const op of ['$resume', '$cancel']) {
      const response = await post(`/migrations/${id}/${op}`);
      expect(response.statusCode).toBe(409);
      expect(issueCode(response.body)).toBe('FHIRMIG_ERR_JOB_STATE');
      expect(response.body).toMatch(/allowed: rolling-back/);
    }
  });

  it('$rollback?phase=NAME deletes only what that priority phase wrote; the job keeps its state', async () => {
    const tagged = async (type: string): Promise<number | undefined> => {
      const count = await fetch(`${fhir.url}/${type}?_summary=count&_tag=${encodeURIComponent(`https://fhir-migrate.dev/job|${id}`)}`);
      return ((await count.json()) as fhir4.Bundle).total;
    };
    expect(await tagged('Claim')).toBeGreaterThan(0);
    const response = await post(`/migrations/${id}/$rollback?phase=administrative`);
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({ jobId: id, phase: 'administrative', state: 'completed', changedOnTarget: [] });
    expect((response.json() as { deleted: number }).deleted).toBeGreaterThan(0);
    expect(await tagged('Claim')).toBe(0);
    expect(await tagged('Patient')).toBe(1);
    const unknown = await post(`/migrations/${id}/$rollback?phase=nonsense`);
    expect(unknown.statusCode).toBe(400);
  });

  it('$rollback deletes what it wrote; a second rollback is 409', async () => {
    const response = await post(`/migrations/${id}/$rollback`);
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({ jobId: id, state: 'rolled-back', changedOnTarget: [] });
    expect((response.json() as { deleted: number }).deleted).toBeGreaterThan(100);
    const count = await fetch(`${fhir.url}/Patient?_summary=count&_tag=${encodeURIComponent(`https://fhir-migrate.dev/job|${id}`)}`);
    expect(((await count.json()) as fhir4.Bundle).total).toBe(0);
    const again = await post(`/migrations/${id}/$rollback`);
    expect(again.statusCode).toBe(409);
    expect(issueCode(again.body)).toBe('FHIRMIG_ERR_JOB_STATE');
  });
});

describe('the report of a job with a ConceptMap gap', () => {
  it('lists the codes no ConceptMap translated, and rejections by code with their SourceRefs', async () => {
    const conceptMaps = join(scratch, 'conceptmaps');
    cpSync(join(ROOT, 'conceptmaps'), conceptMaps, { recursive: true });
    const raceText = join(conceptMaps, 'synthea', 'synthea-race-text.json');
    const map = JSON.parse(readFileSync(raceText, 'utf8')) as fhir4.ConceptMap;
    const group = map.group?.[0] as fhir4.ConceptMapGroup;
    group.element = group.element.filter((e) => e.code !== 'white'); // patient A is "white"
    writeFileSync(raceText, JSON.stringify(map));
    const started = await post('/migrations', { source: CSV, target: fhir.url, conceptMaps: [conceptMaps], dryRun: true, scope: { kind: 'patients', patientIds: [PATIENT_A] } });
    expect(started.statusCode).toBe(202);
    const { id } = started.json() as { id: string };
    expect(await settled(id)).toMatchObject({ state: 'completed' });
    const report = (await app.inject({ method: 'GET', url: `/migrations/${id}/report` })).json() as {
      total: { rejected: number };
      unmappedCodes: { conceptMap: string; code: string; count: number }[];
      errors: { code: string; count: number; records: { ref: { kind: string; locator: string }; issues: unknown[] }[] }[];
    };
    expect(report.unmappedCodes).toContainEqual(expect.objectContaining({ conceptMap: map.url, code: 'white', count: 1 }));
    expect(report.errors.reduce((n, g) => n + g.count, 0)).toBe(report.total.rejected);
    for (const group of report.errors) {
      expect(group.code).toMatch(/^FHIRMIG_ERR_/);
      for (const record of group.records) expect(record.ref).toMatchObject({ kind: expect.any(String), locator: expect.any(String) });
    }
  });
});

describe('GET /migrations: paging and filters', () => {
  const spec: JobSpec = { source: 'csv:/nowhere', target: 'file:/nowhere', mapSet: { id: 'm', versionHash: 'h' }, scope: { kind: 'all' }, options: { dryRun: true, phases: [], thresholds: {} } };
  let created: string[];

  beforeAll(async () => {
    created = [];
    for (let i = 0; i < 3; i++) created.push((await store.createJob(spec, { id: `page-${i}` })).id);
    await store.transitionJob('page-2', 'cancelled');
  });

  it('pages with _count/_offset, Link next and prev', async () => {
    const first = await app.inject({ method: 'GET', url: '/migrations?state=queued,cancelled&_count=2' });
    expect(first.statusCode).toBe(200);
    const page1 = first.json() as { jobs: { id: string }[]; next?: string; previous?: string };
    expect(page1.jobs.map((j) => j.id)).toEqual(['page-0', 'page-1']);
    expect(page1.previous).toBeUndefined();
    expect(first.headers['link']).toBe(`<${page1.next}>; rel="next"`);
    const second = await app.inject({ method: 'GET', url: page1.next as string });
    const page2 = second.json() as { jobs: { id: string; state: string }[]; next?: string; previous?: string };
    expect(page2.jobs).toMatchObject([{ id: 'page-2', state: 'cancelled' }]);
    expect(page2.next).toBeUndefined();
    expect(second.headers['link']).toMatch(/rel="prev"$/);
  });

  it('filters by state; a bad state or _count is 400', async () => {
    const cancelled = await app.inject({ method: 'GET', url: '/migrations?state=cancelled' });
    expect((cancelled.json() as { jobs: { id: string }[] }).jobs.map((j) => j.id)).toEqual(['page-2']);
    for (const query of ['state=sleeping', '_count=0', '_count=101', '_offset=-1']) {
      const response = await app.inject({ method: 'GET', url: `/migrations?${query}` });
      expect(response.statusCode).toBe(400);
      expect(issueCode(response.body)).toBe('FHIRMIG_ERR_API_REQUEST');
    }
  });

  it('never shows a database password: the job and its report redact source and target URLs', async () => {
    await store.createJob({ ...spec, source: 'postgres://migrator:s3cret@127.0.0.1:5432/legacy', target: 'https://bot:t0ken@ehr.example.org/fhir' }, { id: 'with-secrets' });
    for (const url of ['/migrations/with-secrets', '/migrations/with-secrets/report', '/migrations?_offset=3']) {
      const response = await app.inject({ method: 'GET', url });
      expect(response.statusCode).toBe(200);
      expect(response.body).toContain('postgres://migrator:***@127.0.0.1:5432/legacy');
      expect(response.body).not.toMatch(/s3cret|t0ken/);
    }
  });

  it('cancels a queued job at once; a second $cancel is 409', async () => {
    const cancel = await post('/migrations/page-0/$cancel');
    expect(cancel.statusCode).toBe(202);
    expect(cancel.json()).toMatchObject({ id: 'page-0', state: 'cancelled' });
    const again = await post('/migrations/page-0/$cancel');
    expect(again.statusCode).toBe(409);
    expect(issueCode(again.body)).toBe('FHIRMIG_ERR_JOB_STATE');
  });
});

describe('operations: /metrics and /ready', () => {
  it('/metrics: jobs by state, records by outcome, resources written, target latency, errors by code', async () => {
    const response = await app.inject({ method: 'GET', url: '/metrics' });
    expect(response.statusCode).toBe(200);
    const text = response.body;
    const value = (line: RegExp): number => Number(new RegExp(`^${line.source} (\\S+)$`, 'm').exec(text)?.[1] ?? NaN);
    expect(value(/fhirmig_jobs\{state="rolled-back"\}/)).toBe(1);
    expect(value(/fhirmig_jobs\{state="cancelled"\}/)).toBe(2);
    const loaded = value(/fhirmig_records_total\{outcome="loaded"\}/);
    const read = value(/fhirmig_records_total\{outcome="read"\}/);
    expect(loaded).toBeGreaterThan(100);
    expect(read).toBe(loaded + value(/fhirmig_records_total\{outcome="rejected"\}/) + value(/fhirmig_records_total\{outcome="skipped"\}/));
    expect(value(/fhirmig_resources_written_total/)).toBeGreaterThan(100);
    expect(value(/fhirmig_target_request_duration_seconds_count\{method="POST"\}/)).toBeGreaterThan(0);
    expect(value(/fhirmig_target_requests_total\{method="DELETE",status="200"\}/)).toBeGreaterThan(100);
    expect(value(/fhirmig_errors_total\{code="FHIRMIG_ERR_JOB_NOT_FOUND"\}/)).toBe(5);
    expect(value(/fhirmig_errors_total\{code="FHIRMIG_ERR_MIGRATION_PATH_FORBIDDEN"\}/)).toBe(4);
  });

  it('/ready checks the job store and the default target', async () => {
    const ready = await app.inject({ method: 'GET', url: '/ready' });
    expect(ready.statusCode).toBe(200);
    expect(ready.json()).toMatchObject({ status: 'ready', checks: expect.arrayContaining([{ name: 'store', ok: true, detail: 'sqlite job store answers' }]) });

    const down = await testApp(testConfig({ migrations: { defaultTarget: 'http://127.0.0.1:9/fhir' } }), { packageRoot: ROOT });
    const up = await testApp(testConfig({ migrations: { defaultTarget: fhir.url } }), { packageRoot: ROOT });
    const closedStore = await openJobStore({ backend: 'sqlite', path: join(scratch, 'closed.sqlite') });
    await closedStore.close();
    const noStore = await testApp(testConfig(), { store: closedStore, packageRoot: ROOT });
    try {
      const targetDown = await down.app.inject({ method: 'GET', url: '/ready' });
      expect(targetDown.statusCode).toBe(503);
      expect(targetDown.json().checks).toContainEqual({ name: 'target', ok: false, detail: expect.stringMatching(/^target unreachable/) });
      const targetUp = await up.app.inject({ method: 'GET', url: '/ready' });
      expect(targetUp.statusCode).toBe(200);
      expect(targetUp.json().checks).toContainEqual({ name: 'target', ok: true, detail: 'target answered GET metadata with 200' });
      const storeDown = await noStore.app.inject({ method: 'GET', url: '/ready' });
      expect(storeDown.statusCode).toBe(503);
      expect(storeDown.json().checks).toContainEqual(expect.objectContaining({ name: 'store', ok: false }));
    } finally {
      await Promise.all([down.app.close(), up.app.close(), noStore.app.close()]);
    }
  });
});

describe('start-up on a store a stopped process left behind', () => {
  it('settles a job left cancelling as cancelled, and fails one whose map set changed, with the cause', async () => {
    const other = await openJobStore({ backend: 'sqlite', path: join(scratch, 'left-behind.sqlite') });
    const spec: JobSpec = { source: 'csv:/nowhere', target: 'file:/nowhere', mapSet: { id: 'm', versionHash: 'h' }, scope: { kind: 'all' }, options: { dryRun: true, phases: [], thresholds: {} } };
    await other.createJob(spec, { id: 'was-cancelling' });
    await other.transitionJob('was-cancelling', 'running');
    await other.transitionJob('was-cancelling', 'cancelling');
    await other.createJob(spec, { id: 'unrunnable' });
    const { app: restarted } = await testApp(testConfig(), { store: other, packageRoot: ROOT });
    try {
      expect((await other.getJob('was-cancelling')).state).toBe('cancelled');
      for (let i = 0; i < 100 && (await other.getJob('unrunnable')).state === 'queued'; i++) await new Promise((resolve) => setTimeout(resolve, 20));
      const job = (await restarted.inject({ method: 'GET', url: '/migrations/unrunnable' })).json() as { state: string; error?: { code: string } };
      // Planned with map set hash "h": the maps on disk differ, so resuming would mix two map versions.
      expect(job).toMatchObject({ state: 'failed', error: { code: 'FHIRMIG_ERR_JOB_STATE', message: expect.stringMatching(/map set changed/) } });
    } finally {
      await restarted.close();
      await other.close();
    }
  });
});

describe('bounded concurrency (migrations.maxConcurrentJobs)', () => {
  it('runs one job at a time when the limit is 1: the second waits queued, then both complete', async () => {
    const { app: single } = await testApp(testConfig({ migrations: { allowedRoots: [SHARED, scratch], maxConcurrentJobs: 1 } }), { packageRoot: ROOT });
    try {
      const body = { source: CSV, target: `file:${join(scratch, 'dry-run-out')}`, dryRun: true, scope: { kind: 'patients', patientIds: [PATIENT_A] } };
      const ids: string[] = [];
      for (let i = 0; i < 2; i++) {
        const response = await single.inject({ method: 'POST', url: '/migrations', headers: JSON_HEADERS, payload: body });
        expect(response.statusCode).toBe(202);
        ids.push((response.json() as { id: string }).id);
      }
      const seen = new Set<string>();
      for (;;) {
        const states = await Promise.all(ids.map(async (id) => ((await single.inject({ method: 'GET', url: `/migrations/${id}` })).json() as { state: string }).state));
        seen.add(states.join(' '));
        expect(states).not.toEqual(['running', 'running']);
        if (states.every((state) => state === 'completed')) break;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      expect(seen).toContain('running queued');
    } finally {
      await single.close();
    }
  });
});
