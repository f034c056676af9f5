import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { ExportManifest } from '../../src/bulk/index.ts';
import { openSqliteJobStore } from '../../src/jobs/index.ts';
import type { JobSpec, JobStore } from '../../src/jobs/index.ts';
import { jobTag } from '../../src/provenance/index.ts';
import { FileTarget, buildPatientBundle, resolveTargetProfile, signJwt } from '../../src/target/index.ts';
import { lineageEntries, patientResources } from '../support/patient-fixtures.ts';
import { FHIR_JSON_HEADERS, issueCode, testApp, testConfig } from './support.ts';

/**
 * The $export routes with inject, over a file:DIR target (Bulk Data IG v2.0.0): auth and
 * `requiresAccessToken`, the errors of kick-off, status and file requests, a failed export.
 */
const PUBLIC_URL = 'https://migrate.example.org';
const key = generateKeyPairSync('ec', { namedCurve: 'P-384' });
const jwk = { ...key.publicKey.export({ format: 'jwk' }), kid: 'k1', alg: 'ES384' };

let dir: string;
let store: JobStore;
let app: FastifyInstance;
let token: string;

function spec(target: string): JobSpec {
  return { source: 'csv:/legacy', mapSet: { id: 'test', versionHash: 'h' }, scope: { kind: 'all' }, target, options: { dryRun: false, phases: [], thresholds: {} } };
}

/** A completed job that wrote two patients' bundles to a file target, with its id map, as the runner leaves it. */
async function fileJob(targetDir: string): Promise<string> {
  const job = await store.createJob(spec(`file:${targetDir}`));
  const target = new FileTarget(targetDir);
  for (const patient of ['a', 'b']) {
    const resources = patientResources(patient, jobTag(job.id));
    const bundle = buildPatientBundle(resources, { profile: resolveTargetProfile('put'), extraEntries: lineageEntries(patient, resources, job.id) });
    const result = await target.write(bundle);
    await store.recordTaskResults(job.id, [], result.entries.map((e) => ({ source: 'csv:/legacy', kind: 'patients', recordKey: patient, resourceType: e.resourceType, targetId: e.id as string })));
  }
  await store.transitionJob(job.id, 'running');
  await store.transitionJob(job.id, 'completed');
  return job.id;
}

async function accessToken(scope: string): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  const claims = { iss: 'puller', sub: 'puller', aud: `${PUBLIC_URL}/auth/token`, exp: now + 240, iat: now, jti: randomUUID() };
  const form = new URLSearchParams({ grant_type: 'client_credentials', client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer', client_assertion: signJwt(claims, key.privateKey, 'ES384', 'k1'), scope });
  const response = await app.inject({ method: 'POST', url: '/auth/token', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: form.toString() });
  expect(response.statusCode).toBe(200);
  return (response.json() as { access_token: string }).access_token;
}

const bearer = () => ({ authorization: `Bearer ${token}` });

async function completedExport(url: string): Promise<{ status: string; manifest: ExportManifest }> {
  const kick = await app.inject({ method: 'GET', url, headers: { ...bearer(), prefer: 'respond-async' } });
  expect(kick.statusCode).toBe(202);
  const status = String(kick.headers['content-location']).slice(PUBLIC_URL.length);
  for (let i = 0; i < 100; i++) {
    const response = await app.inject({ method: 'GET', url: status, headers: bearer() });
    if (response.statusCode === 200) return { status, manifest: response.json() as ExportManifest };
    expect(response.statusCode).toBe(202);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error('export did not complete');
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'fhirmig-bulk-routes-'));
  store = openSqliteJobStore({ path: join(dir, 'jobs.sqlite') });
  await fileJob(join(dir, 'target'));
  const clients = [{ clientId: 'puller', jwks: { keys: [jwk] }, scopes: ['system/*.read', 'system/*.write'] }];
  ({ app } = await testApp(testConfig({ dataDir: join(dir, 'data'), auth: { mode: 'smart', clients }, http: { publicUrl: PUBLIC_URL }, export: { retryAfterSeconds: 0 } }), { store }));
  token = await accessToken('system/*.read');
});

afterAll(async () => {
  await app.close();
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('auth (IG: "the server SHALL limit the data returned to the scopes granted"; SMART Backend Services)', () => {
  it('kick-off, status and files need a token with system/*.read', async () => {
    expect((await app.inject({ method: 'GET', url: '/fhir/$export', headers: { prefer: 'respond-async' } })).statusCode).toBe(401);
    const writeOnly = await accessToken('system/*.write');
    const forbidden = await app.inject({ method: 'GET', url: '/fhir/$export', headers: { prefer: 'respond-async', authorization: `Bearer ${writeOnly}` } });
    expect(forbidden.statusCode).toBe(403);
    expect(issueCode(forbidden.body)).toBe('FHIRMIG_ERR_API_FORBIDDEN');
  });

  it('a file: target export completes; the manifest says requiresAccessToken and names files under the public URL', async () => {
    const { manifest } = await completedExport('/fhir/$export?_type=Patient,Observation,Provenance');
    expect(manifest.requiresAccessToken).toBe(true);
    expect(manifest.request).toBe(`${PUBLIC_URL}/fhir/$export?_type=Patient,Observation,Provenance`);
    expect(Object.fromEntries(manifest.output.map((f) => [f.type, f.count]))).toEqual({ Observation: 12, Patient: 2, Provenance: 2 });
    const file = new URL(manifest.output[0]?.url ?? '');
    expect(file.origin).toBe(PUBLIC_URL);
    expect((await app.inject({ method: 'GET', url: file.pathname })).statusCode).toBe(401);
    const download = await app.inject({ method: 'GET', url: file.pathname, headers: bearer() });
    expect(download.statusCode).toBe(200);
    expect(download.body.trimEnd().split('\n')).toHaveLength(manifest.output[0]?.count ?? -1);
  });
});

describe('errors as OperationOutcomes with their codes', () => {
  it('an unknown export: 404 on status, DELETE and files', async () => {
    for (const [method, url] of [['GET', '/fhir/bulk-export/nope'], ['DELETE', '/fhir/bulk-export/nope'], ['GET', '/fhir/bulk-export/nope/files/Patient-1.ndjson']] as const) {
      const response = await app.inject({ method, url, headers: bearer() });
      expect(response.statusCode).toBe(404);
      expect(issueCode(response.body)).toBe('FHIRMIG_ERR_BULK_NOT_FOUND');
    }
  });

  it('a file name that is not one of the export\'s files is 404, also when it tries to leave the folder', async () => {
    const { status } = await completedExport('/fhir/$export?_type=Patient');
    for (const name of ['Observation-1.ndjson', '..%2F..%2Fjobs.sqlite', 'Patient-1.ndjson%00']) {
      const response = await app.inject({ method: 'GET', url: `${status}/files/${name}`, headers: bearer() });
      expect(response.statusCode).toBe(404);
    }
  });

  it('POST with a body that is not Parameters is 400 FHIRMIG_ERR_BULK_PARAMETER', async () => {
    const response = await app.inject({ method: 'POST', url: '/fhir/$export', headers: { ...bearer(), ...FHIR_JSON_HEADERS, prefer: 'respond-async' }, payload: { resourceType: 'Patient' } });
    expect(response.statusCode).toBe(400);
    expect(issueCode(response.body)).toBe('FHIRMIG_ERR_BULK_PARAMETER');
  });

  it('an export whose target cannot be read fails: the status answers 500 with the cause (IG: error status)', async () => {
    const broken = join(dir, 'not-a-folder');
    writeFileSync(broken, 'x');
    const job = await store.createJob(spec(`file:${broken}`));
    await store.recordTaskResults(job.id, [], [{ source: 'csv:/legacy', kind: 'patients', recordKey: 'z', resourceType: 'Patient', targetId: 'z' }]);
    const kick = await app.inject({ method: 'GET', url: '/fhir/$export?_type=Patient', headers: { ...bearer(), prefer: 'respond-async' } });
    const status = String(kick.headers['content-location']).slice(PUBLIC_URL.length);
    let response = await app.inject({ method: 'GET', url: status, headers: bearer() });
    for (let i = 0; i < 100 && response.statusCode === 202; i++) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      response = await app.inject({ method: 'GET', url: status, headers: bearer() });
    }
    expect(response.statusCode).toBe(500);
    expect(issueCode(response.body)).toBe('FHIRMIG_ERR_BULK_FAILED');
    expect(response.body).toContain('FHIRMIG_ERR_TARGET_FILE');
    await store.transitionJob(job.id, 'running');
    await store.transitionJob(job.id, 'failed');
    await store.transitionJob(job.id, 'rolling-back');
  });
});
