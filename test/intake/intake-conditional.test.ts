import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { request } from 'undici';
import { buildApp } from '../../src/app.ts';
import { FHIR_JSON_HEADERS, LogSink, ROOT, testConfig } from '../api/support.ts';
import { startFhirServer } from '../support/fhir-server.ts';
import type { RunningFhirServer } from '../support/fhir-server.ts';

/**
 * Intake with the `medplum-conditional` profile (the server assigns ids: POST + ifNoneExist on the
 * source identifier, DESIGN.md §5) to a target that needs a bearer token (`intake.target.auth`).
 * The response maps each client entry to the id the server gave it; a re-sent Bundle matches
 * the resources already there instead of creating new ones.
 */
const TOKEN = 'intake-test-token';
const SITE = 'https://hospital.example.org/mrn';
const PATIENT_URN = 'urn:uuid:5e0e7f0e-1b1c-4c35-9a7d-3e2f1d0c0b01';
const PATIENT_URL = 'https://pipeline.example.org/fhir/Patient/P-77';

let server: RunningFhirServer;
let app: FastifyInstance;
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'intake-cond-'));
  server = await startFhirServer({ acceptToken: (token) => token === TOKEN });
  const intake = { target: { url: server.url, profile: 'medplum-conditional', auth: { type: 'bearer', token: TOKEN } }, mapSets: {} };
  app = await buildApp(testConfig({ dataDir: dir, profileDirs: [], intake }), { cwd: ROOT, logStream: new LogSink() });
  await app.ready();
}, 120_000);

afterAll(async () => {
  await app.close();
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

async function onTarget<T>(path: string): Promise<T> {
  const response = await request(`${server.url}/${path}`, { headers: { accept: 'application/fhir+json', authorization: `Bearer ${TOKEN}` } });
  expect(response.statusCode).toBe(200);
  return (await response.body.json()) as T;
}

function bundle(): unknown {
  return {
    resourceType: 'Bundle',
    type: 'transaction',
    entry: [
      { fullUrl: PATIENT_URN, resource: { resourceType: 'Patient', identifier: [{ system: SITE, value: 'C-1' }], gender: 'other' }, request: { method: 'POST', url: 'Patient' } },
      { fullUrl: PATIENT_URL, resource: { resourceType: 'Patient', identifier: [{ system: SITE, value: 'C-2' }], link: [{ other: { reference: PATIENT_URN }, type: 'seealso' }] }, request: { method: 'POST', url: 'Patient' } },
      { resource: { resourceType: 'Observation', identifier: [{ system: SITE, value: 'O-1' }], status: 'final', code: { text: 'note' }, subject: { reference: PATIENT_URL } }, request: { method: 'POST', url: 'Observation' } },
    ],
  };
}

it('forwards with the bearer token; the response gives each entry the server-assigned id; references between entries (urn:uuid and absolute fullUrls) point at them', async () => {
  const reply = await app.inject({ method: 'POST', url: '/fhir', headers: FHIR_JSON_HEADERS, payload: bundle() as string });
  expect(reply.statusCode).toBe(200);
  const entries = (reply.json() as fhir4.Bundle).entry ?? [];
  expect(entries.map((e) => e.fullUrl)).toEqual([PATIENT_URN, PATIENT_URL, undefined]);
  expect(entries.map((e) => e.response?.status)).toEqual(['201 Created', '201 Created', '201 Created']);
  const [first, second, observation] = entries.map((e) => e.response?.location?.split('/_history')[0] as string);
  expect(first).toMatch(/^Patient\//);
  expect(first).not.toBe('Patient/5e0e7f0e-1b1c-4c35-9a7d-3e2f1d0c0b01');
  expect((await onTarget<fhir4.Patient>(second as string)).link?.[0]?.other.reference).toBe(first);
  expect((await onTarget<fhir4.Observation>(observation as string)).subject?.reference).toBe(second);
});

it('the same Bundle again matches what is there (ifNoneExist on the identifiers): 200, same ids, no second copy', async () => {
  const reply = await app.inject({ method: 'POST', url: '/fhir', headers: FHIR_JSON_HEADERS, payload: bundle() as string });
  expect(reply.statusCode).toBe(200);
  expect(((reply.json() as fhir4.Bundle).entry ?? []).map((e) => e.response?.status)).toEqual(['200 OK', '200 OK', '200 OK']);
  const found = await onTarget<fhir4.Bundle>(`Patient?identifier=${encodeURIComponent(`${SITE}|C-1`)}`);
  expect(found.entry).toHaveLength(1);
});
