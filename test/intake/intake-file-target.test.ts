import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildApp } from '../../src/app.ts';
import { openSqliteJobStore } from '../../src/jobs/index.ts';
import { verifyAuditChain } from '../../src/provenance/index.ts';
import { FHIR_JSON_HEADERS, LogSink, ROOT, testConfig } from '../api/support.ts';

/**
 * Intake to a `file:DIR` target (NDJSON per type), with the job store the service opens itself
 * (SQLite under dataDir): the resources, the Device and the Provenance land in the files, and the
 * audit entry in the store file.
 */
it('a transaction forwarded to file:DIR writes Patient, Observation, Device and Provenance NDJSON, and audits into dataDir/jobs.sqlite', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'intake-file-'));
  try {
    const config = testConfig({ dataDir: join(dir, 'data'), profileDirs: [], intake: { target: { url: `file:${join(dir, 'out')}` }, conceptMaps: ['https://fhir-migrate.dev/ConceptMap/v2-0078-interpretation'], mapSets: {} } });
    const app = await buildApp(config, { cwd: ROOT, logStream: new LogSink() });
    const bundle = {
      resourceType: 'Bundle',
      type: 'transaction',
      entry: [
        { fullUrl: 'urn:uuid:9d0e7f0e-1b1c-4c35-9a7d-3e2f1d0c0b01', resource: { resourceType: 'Patient', gender: 'male' }, request: { method: 'POST', url: 'Patient' } },
        {
          fullUrl: 'urn:uuid:9d0e7f0e-1b1c-4c35-9a7d-3e2f1d0c0b02',
          resource: { resourceType: 'Observation', status: 'final', code: { text: 'K' }, subject: { reference: 'urn:uuid:9d0e7f0e-1b1c-4c35-9a7d-3e2f1d0c0b01' }, interpretation: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0078', code: 'LL' }] }] },
          request: { method: 'POST', url: 'Observation' },
        },
      ],
    };
    const reply = await app.inject({ method: 'POST', url: '/fhir', headers: FHIR_JSON_HEADERS, payload: bundle });
    expect(reply.statusCode).toBe(200);
    expect((reply.json() as fhir4.Bundle).entry?.map((e) => e.response?.status)).toEqual(['201 Created', '201 Created']);
    await app.close();

    const lines = (type: string) => readFileSync(join(dir, 'out', `${type}.ndjson`), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as fhir4.Resource);
    const [observation] = lines('Observation') as fhir4.Observation[];
    expect(observation?.subject?.reference).toBe('Patient/9d0e7f0e-1b1c-4c35-9a7d-3e2f1d0c0b01');
    expect(observation?.interpretation?.[0]?.coding?.map((c) => `${c.system}|${c.code}`)).toEqual([
      'http://terminology.hl7.org/CodeSystem/v2-0078|LL',
      'http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation|LL',
    ]);
    expect(lines('Device')).toHaveLength(1);
    const [provenance] = lines('Provenance') as fhir4.Provenance[];
    expect(provenance?.target.map((t) => t.reference).sort()).toEqual(['Observation/9d0e7f0e-1b1c-4c35-9a7d-3e2f1d0c0b02', 'Patient/9d0e7f0e-1b1c-4c35-9a7d-3e2f1d0c0b01']);

    const store = openSqliteJobStore({ path: join(dir, 'data', 'jobs.sqlite') });
    const audit = await store.readAudit();
    await store.close();
    expect(verifyAuditChain(audit)).toMatchObject({ ok: true, count: 1 });
    expect(audit[0]?.type).toBe('job.intake');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}, 60_000);
