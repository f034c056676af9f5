import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { request } from 'undici';
import { buildApp } from '../../src/app.ts';
import { openSqliteJobStore } from '../../src/jobs/index.ts';
import type { JobStore } from '../../src/jobs/index.ts';
import { verifyAuditChain } from '../../src/provenance/index.ts';
import { FHIR_JSON_HEADERS, LogSink, ROOT, issueCode, testConfig } from '../api/support.ts';
import { startFaultProxy } from '../support/fault-proxy.ts';
import type { FaultProxy } from '../support/fault-proxy.ts';
import { startFhirServer } from '../support/fhir-server.ts';
import type { RunningFhirServer } from '../support/fhir-server.ts';

/**
 * Bundle intake end to end: the service with its real validator (R4 + US Core 6.1.0), the
 * ConceptMaps of conceptmaps/, the HL7 v2 and C-CDA map sets, forwarding to the loopback FHIR
 * server (@medplum/fhir-router) behind the fault proxy, auditing into a SQLite job store. What
 * reached the target is read back from it over HTTP.
 */
const SHARED = join(ROOT, '..', 'shared');
const US_CORE = join(SHARED, 'fhir-packages', 'hl7.fhir.us.core');
const HL7 = join(SHARED, 'testdata', 'hl7v2', 'fhir-converter');
const CCDA = join(SHARED, 'testdata', 'ccda', 'hl7-c-cda-examples');
const V2_0078 = 'http://terminology.hl7.org/CodeSystem/v2-0078';
const V3_INTERPRETATION = 'http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation';
const SITE = 'https://hospital.example.org/mrn';

let server: RunningFhirServer;
let proxy: FaultProxy;
let store: JobStore;
let app: FastifyInstance;
let dir: string;
let intakes = 0;
const logs = new LogSink();

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'intake-'));
  server = await startFhirServer();
  proxy = await startFaultProxy(server.url);
  store = openSqliteJobStore({ path: join(dir, 'jobs.sqlite') });
  const intake = { target: { url: proxy.url, profile: 'medplum', retry: { maxAttempts: 2, baseDelayMs: 5, maxDelayMs: 10 } } };
  app = await buildApp(testConfig({ igDirs: [US_CORE], intake }), { cwd: ROOT, logStream: logs, store });
  await app.ready();
}, 120_000);

afterAll(async () => {
  await app.close();
  await store.close();
  await proxy.close();
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

async function post(url: string, payload: unknown, headers: Record<string, string> = FHIR_JSON_HEADERS) {
  intakes++;
  return app.inject({ method: 'POST', url, headers, payload: payload as string });
}

/** A FHIR read or search on the target itself (not through the proxy). */
async function target<T = fhir4.Resource>(path: string): Promise<T> {
  const response = await request(`${server.url}/${path}`, { headers: { accept: 'application/fhir+json' } });
  expect(response.statusCode).toBe(200);
  return (await response.body.json()) as T;
}

async function searchTotal(path: string): Promise<number> {
  const bundle = await target<fhir4.Bundle>(path);
  return (bundle.entry ?? []).length;
}

function patient(mrn: string, extra: Record<string, unknown> = {}) {
  return { resourceType: 'Patient', meta: { profile: ['http://hl7.org/fhir/us/core/StructureDefinition/us-core-patient'] }, identifier: [{ system: SITE, value: mrn }], name: [{ family: 'Intake', given: ['Test'] }], gender: 'female', ...extra };
}

function potassium(subject: string, flag: string) {
  return {
    resourceType: 'Observation',
    status: 'final',
    category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: 'laboratory' }] }],
    code: { coding: [{ system: 'http://loinc.org', code: '2823-3', display: 'Potassium' }] },
    subject: { reference: subject },
    effectiveDateTime: '2024-03-01T10:00:00Z',
    valueQuantity: { value: 5.9, unit: 'mmol/L', system: 'http://unitsofmeasure.org', code: 'mmol/L' },
    interpretation: [{ coding: [{ system: V2_0078, code: flag }] }],
  };
}

const PATIENT_URN = 'urn:uuid:6a0e7f0e-1b1c-4c35-9a7d-3e2f1d0c0b01';
const OBSERVATION_URN = 'urn:uuid:6a0e7f0e-1b1c-4c35-9a7d-3e2f1d0c0b02';

describe('POST /fhir with a transaction (R4 http.html#transaction)', () => {
  let response: fhir4.Bundle;
  let provenanceHeader: string;
  let auditEventHeader: string;

  beforeAll(async () => {
    const bundle = {
      resourceType: 'Bundle',
      type: 'transaction',
      identifier: { system: 'https://pipeline.example.org/batch', value: 'run-1' },
      entry: [
        { fullUrl: PATIENT_URN, resource: patient('T-1'), request: { method: 'POST', url: 'Patient' } },
        { fullUrl: OBSERVATION_URN, resource: potassium(PATIENT_URN, 'H'), request: { method: 'POST', url: 'Observation' } },
      ],
    };
    const reply = await post('/fhir', bundle);
    expect(reply.statusCode).toBe(200);
    response = reply.json();
    provenanceHeader = reply.headers['x-provenance'] as string;
    auditEventHeader = reply.headers['x-audit-event'] as string;
  });

  it('the intake\'s AuditEvent (subtype intake, outcome 0, agent the Device) is on the target too', async () => {
    expect(auditEventHeader).toMatch(/^AuditEvent\/[0-9a-f-]{36}$/);
    const event = await target<fhir4.AuditEvent>(auditEventHeader);
    expect(event).toMatchObject({ outcome: '0', subtype: [{ code: 'intake' }], agent: [{ who: { reference: expect.stringMatching(/^Device\//) } }] });
    const stored = (await store.readAudit()).map((e) => (e.payload as unknown as { auditEvent: fhir4.AuditEvent }).auditEvent.id);
    expect(stored).toContain(event.id);
  });

  it('answers a transaction-response with one entry per request entry, in order: status, location, etag, the client fullUrl', () => {
    expect(response).toMatchObject({ resourceType: 'Bundle', type: 'transaction-response' });
    expect(response.entry).toHaveLength(2);
    expect(response.entry?.[0]).toMatchObject({ fullUrl: PATIENT_URN, response: { status: expect.stringMatching(/^20[01]/), location: expect.stringMatching(/^Patient\/6a0e7f0e-1b1c-4c35-9a7d-3e2f1d0c0b01/), etag: expect.stringMatching(/^W\/"/) } });
    expect(response.entry?.[1]?.response?.location).toMatch(/^Observation\/6a0e7f0e-1b1c-4c35-9a7d-3e2f1d0c0b02/);
  });

  it('urn:uuid references inside the Bundle survive: the Observation on the target points at the Patient written with it (R4 bundle.html#references)', async () => {
    const observation = await target<fhir4.Observation>('Observation/6a0e7f0e-1b1c-4c35-9a7d-3e2f1d0c0b02');
    expect(observation.subject?.reference).toBe('Patient/6a0e7f0e-1b1c-4c35-9a7d-3e2f1d0c0b01');
    const read = await target<fhir4.Patient>('Patient/6a0e7f0e-1b1c-4c35-9a7d-3e2f1d0c0b01');
    expect(read.identifier).toEqual([{ system: SITE, value: 'T-1' }]);
  });

  it('a v2 table 0078 flag gets its ConceptMap translation added beside it (v2-0078-interpretation: H → v3 H), the original kept', async () => {
    const observation = await target<fhir4.Observation>('Observation/6a0e7f0e-1b1c-4c35-9a7d-3e2f1d0c0b02');
    const codings = observation.interpretation?.[0]?.coding ?? [];
    expect(codings).toContainEqual({ system: V2_0078, code: 'H' });
    expect(codings).toContainEqual(expect.objectContaining({ system: V3_INTERPRETATION, code: 'H' }));
  });

  it('the same transaction carried a Provenance: target = every resource, entity = the Bundle (hash and identifier), agent = the service Device', async () => {
    expect(provenanceHeader).toMatch(/^Provenance\/[0-9a-f-]{36}$/);
    const provenance = await target<fhir4.Provenance>(provenanceHeader);
    expect(provenance.target.map((t) => t.reference).sort()).toEqual(['Observation/6a0e7f0e-1b1c-4c35-9a7d-3e2f1d0c0b02', 'Patient/6a0e7f0e-1b1c-4c35-9a7d-3e2f1d0c0b01']);
    const entities = (provenance.entity ?? []).map((e) => e.what.identifier?.value);
    expect(entities).toContainEqual(expect.stringMatching(/^intake\/Bundle\/sha256:[0-9a-f]{64}$/));
    expect(entities).toContain('intake/Bundle/https://pipeline.example.org/batch|run-1');
    const device = provenance.agent[0]?.who?.reference as string;
    expect(device).toMatch(/^Device\//);
    expect((await target<fhir4.Device>(device)).deviceName?.[0]?.name).toBe('fhir-migrate');
  });
});

describe('transaction semantics: all or nothing', () => {
  it('one entry failing its claimed profile (US Core Patient needs a name) → 422 naming Bundle.entry[1], and nothing reaches the target', async () => {
    const before = proxy.forwardedCount();
    const bundle = {
      resourceType: 'Bundle',
      type: 'transaction',
      entry: [
        { fullUrl: 'urn:uuid:7b0e7f0e-1b1c-4c35-9a7d-3e2f1d0c0b01', resource: patient('T-2'), request: { method: 'POST', url: 'Patient' } },
        { fullUrl: 'urn:uuid:7b0e7f0e-1b1c-4c35-9a7d-3e2f1d0c0b02', resource: patient('T-3', { name: undefined }), request: { method: 'POST', url: 'Patient' } },
      ],
    };
    const reply = await post('/fhir', bundle);
    expect(reply.statusCode).toBe(422);
    expect(issueCode(reply.body)).toBe('FHIRMIG_ERR_VALIDATION_FAILED');
    const outcome = reply.json() as fhir4.OperationOutcome;
    expect(outcome.issue[0]?.diagnostics).toContain('Bundle.entry[1]');
    expect(outcome.issue.slice(1).every((i) => i.expression?.[0]?.startsWith('Bundle.entry[1].resource'))).toBe(true);
    expect(outcome.issue.slice(1).some((i) => i.severity === 'error')).toBe(true);
    expect(proxy.forwardedCount()).toBe(before);
    expect(await searchTotal(`Patient?identifier=${encodeURIComponent(`${SITE}|T-2`)}`)).toBe(0);
  });

  it('an entry that cannot be taken in (DELETE) → 400 FHIRMIG_ERR_INTAKE_BUNDLE at Bundle.entry[0], nothing forwarded', async () => {
    const before = proxy.forwardedCount();
    const reply = await post('/fhir', { resourceType: 'Bundle', type: 'transaction', entry: [{ request: { method: 'DELETE', url: 'Patient/x' } }] });
    expect(reply.statusCode).toBe(400);
    expect(issueCode(reply.body)).toBe('FHIRMIG_ERR_INTAKE_BUNDLE');
    expect(reply.json().issue[1]).toMatchObject({ severity: 'error', expression: ['Bundle.entry[0]'] });
    expect(proxy.forwardedCount()).toBe(before);
  });

  it('a Bundle that is not a transaction or batch → 400 FHIRMIG_ERR_INTAKE_BUNDLE', async () => {
    const reply = await post('/fhir', { resourceType: 'Bundle', type: 'collection', entry: [] });
    expect(reply.statusCode).toBe(400);
    expect(issueCode(reply.body)).toBe('FHIRMIG_ERR_INTAKE_BUNDLE');
  });

  it('the target down (503 on every try) → 503 FHIRMIG_ERR_TARGET_UNAVAILABLE, retryable (transient)', async () => {
    proxy.down({ requests: 10 });
    const reply = await post('/fhir', { resourceType: 'Bundle', type: 'transaction', entry: [{ fullUrl: 'urn:uuid:8c0e7f0e-1b1c-4c35-9a7d-3e2f1d0c0b01', resource: patient('T-4'), request: { method: 'POST', url: 'Patient' } }] });
    proxy.reset();
    expect(reply.statusCode).toBe(503);
    expect(issueCode(reply.body)).toBe('FHIRMIG_ERR_TARGET_UNAVAILABLE');
    expect(reply.json().issue[0].code).toBe('transient');
    expect(await searchTotal(`Patient?identifier=${encodeURIComponent(`${SITE}|T-4`)}`)).toBe(0);
  });
});

describe('transaction limits and target refusals', () => {
  const many = (n: number, prefix: string) => ({
    resourceType: 'Bundle',
    type: 'transaction',
    entry: Array.from({ length: n }, (_, i) => ({ resource: patient(`${prefix}-${i}`), request: { method: 'POST', url: 'Patient' } })),
  });

  it('48 entries fit one medplum transaction (50 PUTs less the Device and the Provenance); 49 → 422 FHIRMIG_ERR_TARGET_CHUNKING, nothing sent', async () => {
    const before = proxy.forwardedCount();
    const refused = await post('/fhir', many(49, 'L'));
    expect(refused.statusCode).toBe(422);
    expect(issueCode(refused.body)).toBe('FHIRMIG_ERR_TARGET_CHUNKING');
    expect(proxy.forwardedCount()).toBe(before);
    const fits = await post('/fhir', many(48, 'M'));
    expect(fits.statusCode).toBe(200);
    // the transaction, then its AuditEvent
    expect(proxy.forwardedCount()).toBe(before + 2);
    expect((fits.json() as fhir4.Bundle).entry).toHaveLength(48);
  });

  it('the target refusing the transaction (HTTP 400) → 422 FHIRMIG_ERR_TARGET_REJECTED carrying the target\'s issue', async () => {
    proxy.enqueue({ kind: 'status', status: 400 });
    const reply = await post('/fhir', many(1, 'R'));
    expect(reply.statusCode).toBe(422);
    expect(issueCode(reply.body)).toBe('FHIRMIG_ERR_TARGET_REJECTED');
    expect(reply.json().issue.map((i: fhir4.OperationOutcomeIssue) => i.diagnostics)).toContain('injected 400');
  });
});

describe('POST /fhir with a batch: every entry on its own', () => {
  it('the invalid entry gets its own 422 with an OperationOutcome; the others are written', async () => {
    const bundle = {
      resourceType: 'Bundle',
      type: 'batch',
      entry: [
        { resource: patient('B-1'), request: { method: 'POST', url: 'Patient' } },
        { resource: patient('B-2', { gender: 'not-a-gender' }), request: { method: 'POST', url: 'Patient' } },
        { resource: { ...patient('B-3'), id: 'b-three' }, request: { method: 'PUT', url: 'Patient/b-three' } },
      ],
    };
    const reply = await post('/fhir', bundle);
    expect(reply.statusCode).toBe(200);
    const response = reply.json() as fhir4.Bundle;
    expect(response.type).toBe('batch-response');
    expect(response.entry?.map((e) => e.response?.status.slice(0, 3))).toEqual([expect.stringMatching(/^20[01]$/), '422', expect.stringMatching(/^20[01]$/)]);
    const refused = response.entry?.[1]?.response?.outcome as fhir4.OperationOutcome;
    expect(refused.issue[0]?.details?.coding?.[0]?.code).toBe('FHIRMIG_ERR_VALIDATION_FAILED');
    expect(refused.issue.some((i) => i.expression?.[0] === 'Bundle.entry[1].resource.gender')).toBe(true);
    expect(await searchTotal(`Patient?identifier=${encodeURIComponent(`${SITE}|B-1`)}`)).toBe(1);
    expect(await searchTotal(`Patient?identifier=${encodeURIComponent(`${SITE}|B-2`)}`)).toBe(0);
    expect((await target<fhir4.Patient>('Patient/b-three')).identifier?.[0]?.value).toBe('B-3');
    expect(reply.headers['x-provenance']?.toString().split(', ')).toHaveLength(2);
  });
});

describe('a batch while the target is down', () => {
  it('each valid entry answers 503 FHIRMIG_ERR_TARGET_UNAVAILABLE in its own response; the request itself is 200', async () => {
    proxy.down({ requests: 20 });
    const reply = await post('/fhir', { resourceType: 'Bundle', type: 'batch', entry: [{ resource: patient('D-1'), request: { method: 'POST', url: 'Patient' } }, { resource: patient('D-2'), request: { method: 'POST', url: 'Patient' } }] });
    proxy.reset();
    expect(reply.statusCode).toBe(200);
    const entries = (reply.json() as fhir4.Bundle).entry ?? [];
    expect(entries.map((e) => e.response?.status)).toEqual(['503 Service Unavailable', '503 Service Unavailable']);
    expect((entries[0]?.response?.outcome as fhir4.OperationOutcome).issue[0]?.details?.coding?.[0]?.code).toBe('FHIRMIG_ERR_TARGET_UNAVAILABLE');
  });
});

describe('POST /fhir/$convert', () => {
  it('an HL7 v2 ORU^R01 from the test data → mapped, forwarded; DiagnosticReport and Observations on the target reference the Patient; Provenance entities are MSH-10 + segment', async () => {
    const message = readFileSync(join(HL7, 'ORU-R01-01.hl7'), 'utf8');
    const reply = await post('/fhir/$convert', message, { 'content-type': 'x-application/hl7-v2+er7' });
    expect(reply.statusCode).toBe(200);
    const response = reply.json() as fhir4.Bundle;
    expect(response.type).toBe('transaction-response');
    const locations = (response.entry ?? []).map((e) => e.response?.location ?? '');
    const patientRef = locations.find((l) => l.startsWith('Patient/'))?.split('/_history')[0] as string;
    const observationRef = locations.find((l) => l.startsWith('Observation/'))?.split('/_history')[0] as string;
    expect(patientRef).toBeDefined();
    expect(locations.some((l) => l.startsWith('DiagnosticReport/'))).toBe(true);
    const observation = await target<fhir4.Observation>(observationRef);
    expect(observation.subject?.reference).toBe(patientRef);
    const provenance = await target<fhir4.Provenance>(reply.headers['x-provenance'] as string);
    const entities = (provenance.entity ?? []).map((e) => e.what.identifier?.value ?? '');
    expect(entities).toContain('intake/ORU^R01/2.16.840.1.114222.4.3.3.5.1.2-20120314235954.325/PID');
    expect(entities.some((e) => /\/OBR-\d*\/OBX-\d+$/.test(e))).toBe(true);
    expect(provenance.policy?.[0]).toMatch(/^https:\/\/fhir-migrate\.dev\/map-set\/hl7v2\//);
  });

  it('re-converting the same message writes the same resources (ids derive from the lineage keys)', async () => {
    const message = readFileSync(join(HL7, 'ORU-R01-01.hl7'), 'utf8');
    const first = (await post('/fhir/$convert', message, { 'content-type': 'x-application/hl7-v2+er7' })).json() as fhir4.Bundle;
    const again = (await post('/fhir/$convert', message, { 'content-type': 'x-application/hl7-v2+er7' })).json() as fhir4.Bundle;
    const ids = (b: fhir4.Bundle) => (b.entry ?? []).map((e) => e.response?.location?.split('/_history')[0]);
    expect(ids(again)).toEqual(ids(first));
  });

  it('a C-CDA document (CCD) as Parameters → Patient and entries on the target, lineage = document id + entry', async () => {
    const document = readFileSync(join(CCDA, 'CCD_1.xml'), 'utf8');
    const reply = await post('/fhir/$convert', { resourceType: 'Parameters', parameter: [{ name: 'input', valueString: document }, { name: 'inputType', valueCode: 'ccda' }] });
    expect(reply.statusCode).toBe(200);
    const locations = ((reply.json() as fhir4.Bundle).entry ?? []).map((e) => e.response?.location ?? '');
    const patientRef = locations.find((l) => l.startsWith('Patient/'))?.split('/_history')[0] as string;
    expect((await target<fhir4.Patient>(patientRef)).resourceType).toBe('Patient');
    expect(locations.length).toBeGreaterThan(3);
    const provenance = await target<fhir4.Provenance>(reply.headers['x-provenance'] as string);
    expect((provenance.entity ?? []).map((e) => e.what.identifier?.value)).toContain('intake/CCD/2.16.840.1.113883.19.5.99999.1^TT988/recordTarget');
  });

  it('a malformed HL7 v2 message → 400 FHIRMIG_ERR_SOURCE_PARSE located as the connector reports it (message, segment, field)', async () => {
    const reply = await post('/fhir/$convert', 'MSH|^~\\&|LAB|HOSP|EHR|HOSP|20240101||ORU^R01|M-9|P|2.5.1\rPID|1||X^^^H^MR||Doe^J||19990230\rZZZ', { 'content-type': 'x-application/hl7-v2+er7' });
    expect(reply.statusCode).toBe(400);
    expect(issueCode(reply.body)).toBe('FHIRMIG_ERR_SOURCE_PARSE');
    expect(reply.json().issue[0].diagnostics).toMatch(/request#1\/M-9/);
  });

  it('a message type the map set skips by a named rule (ADT^A02) → 200 with an OperationOutcome giving the rule; nothing forwarded', async () => {
    const before = proxy.forwardedCount();
    const reply = await post('/fhir/$convert', readFileSync(join(HL7, 'ADT-A02-01.hl7'), 'utf8'), { 'content-type': 'x-application/hl7-v2+er7' });
    expect(reply.statusCode).toBe(200);
    const outcome = reply.json() as fhir4.OperationOutcome;
    expect(outcome.resourceType).toBe('OperationOutcome');
    expect(outcome.issue[0]?.diagnostics).toMatch(/ADT\^A02 .*skipped by rule \(archived: transfer event/);
    expect(proxy.forwardedCount()).toBe(before);
  });

  it('a message type with neither map nor rule → 422 FHIRMIG_ERR_INTAKE_UNMAPPED', async () => {
    const reply = await post('/fhir/$convert', 'MSH|^~\\&|A|B|C|D|20240101||ZZZ^Z99|M-10|P|2.5.1\rPID|1||X^^^H^MR||Doe^J\r', { 'content-type': 'x-application/hl7-v2+er7' });
    expect(reply.statusCode).toBe(422);
    expect(issueCode(reply.body)).toBe('FHIRMIG_ERR_INTAKE_UNMAPPED');
  });

  it('an unknown map set → 400 FHIRMIG_ERR_INTAKE_INPUT naming the configured ones', async () => {
    const reply = await post('/fhir/$convert?mapSet=nope', readFileSync(join(HL7, 'ORU-R01-01.hl7'), 'utf8'), { 'content-type': 'x-application/hl7-v2+er7' });
    expect(reply.statusCode).toBe(400);
    expect(issueCode(reply.body)).toBe('FHIRMIG_ERR_INTAKE_INPUT');
    expect(reply.json().issue[0].diagnostics).toContain('hl7v2, ccda');
  });
});

describe('$convert over every HL7 v2 sample of the test data', () => {
  it('each message ends as exactly one of: forwarded (transaction-response), skipped by a named rule, or refused with located issues', async () => {
    const outcomes = { forwarded: 0, skipped: 0, refused: 0 };
    for (const file of readdirSync(HL7).sort()) {
      const reply = await post('/fhir/$convert', readFileSync(join(HL7, file)), { 'content-type': 'x-application/hl7-v2+er7' });
      const body = reply.json() as fhir4.Bundle | fhir4.OperationOutcome;
      if (reply.statusCode === 200 && body.resourceType === 'Bundle') {
        expect(body.type).toBe('transaction-response');
        expect((body.entry ?? []).every((e) => /^20[01]/.test(e.response?.status ?? ''))).toBe(true);
        outcomes.forwarded++;
      } else if (reply.statusCode === 200) {
        expect((body as fhir4.OperationOutcome).issue[0]?.diagnostics).toMatch(/skipped by rule/);
        outcomes.skipped++;
      } else {
        expect([400, 422]).toContain(reply.statusCode);
        expect((body as fhir4.OperationOutcome).issue.slice(1).every((i) => i.expression?.[0]?.startsWith('Bundle.entry[') ?? true)).toBe(true);
        outcomes.refused++;
      }
    }
    process.stdout.write(`HL7 v2 samples through $convert: ${JSON.stringify(outcomes)}\n`);
    // The same ends as the map set's own sample test (test/maps/hl7v2): 139 = 78 + 53 + 8.
    expect(outcomes).toEqual({ forwarded: 78, skipped: 53, refused: 8 });
  }, 120_000);
});

describe('audit', () => {
  it('every intake (forwarded, refused or failed) left an AuditEvent in the store\'s hash-chained audit log, and the chain verifies', async () => {
    const entries = await store.readAudit();
    expect(verifyAuditChain(entries)).toMatchObject({ ok: true, count: entries.length });
    const intakeEntries = entries.filter((e) => e.type === 'job.intake');
    expect(intakeEntries).toHaveLength(intakes);
    const events = intakeEntries.map((e) => (e.payload as unknown as { auditEvent: fhir4.AuditEvent }).auditEvent);
    expect(events.every((e) => e.subtype?.[0]?.code === 'intake' && e.agent[0]?.who?.reference?.startsWith('Device/'))).toBe(true);
    const failed = events.filter((e) => e.outcome === '8').map((e) => e.outcomeDesc);
    expect(failed).toEqual(expect.arrayContaining(['FHIRMIG_ERR_TARGET_UNAVAILABLE', 'FHIRMIG_ERR_SOURCE_PARSE', 'FHIRMIG_ERR_INTAKE_UNMAPPED', 'FHIRMIG_ERR_INTAKE_BUNDLE', 'FHIRMIG_ERR_INTAKE_INPUT']));
    expect(JSON.stringify(intakeEntries)).not.toContain('Intake');
  });

  it('the request log names routes and codes, never record content (STYLE.md rule 10)', () => {
    expect(logs.text).toContain('"/fhir/$convert"');
    for (const phi of ['Intake', 'T-1', 'Huckleberry', 'Finn', '19630815']) expect(logs.text).not.toContain(phi);
  });
});
