import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jobTag } from '../../src/provenance/index.ts';
import { FileTarget, buildPatientBundle, createTarget, resolveTargetProfile } from '../../src/target/index.ts';
import { lineageEntries, patientResources } from '../support/patient-fixtures.ts';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'fhirmig-file-target-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function readNdjson(type: string): fhir4.Resource[] {
  return readFileSync(join(dir, `${type}.ndjson`), 'utf8').trimEnd().split('\n').map((line) => JSON.parse(line) as fhir4.Resource);
}

function bundleFor(key: string, profile: 'put' | 'medplum-conditional' = 'put') {
  const resources = patientResources(key, jobTag('job-file'));
  return { resources, bundle: buildPatientBundle(resources, { profile: resolveTargetProfile(profile), extraEntries: lineageEntries(key, resources, 'job-file') }) };
}

describe('file:DIR target', () => {
  it('writes one NDJSON file per resource type with ids and Type/id references as a server would hold them', async () => {
    const target = createTarget(`file:${dir}`);
    expect(target).toBeInstanceOf(FileTarget);
    const { resources, bundle } = bundleFor('f1', 'medplum-conditional');
    const result = await target.write(bundle);
    expect(result.complete).toBe(true);
    expect(result.entries.every((e) => e.status === 201)).toBe(true);
    expect(readdirSync(dir).sort()).toEqual(
      ['AllergyIntolerance', 'Device', 'Encounter', 'MedicationRequest', 'Observation', 'Patient', 'Provenance'].map((t) => `${t}.ndjson`),
    );
    const patient = resources[0]?.resource as fhir4.Patient;
    expect(readNdjson('Patient')).toEqual([patient]);
    const observations = readNdjson('Observation') as fhir4.Observation[];
    expect(observations).toHaveLength(6);
    expect(observations.every((o) => o.subject?.reference === `Patient/${patient.id}`)).toBe(true);
    const [provenance] = readNdjson('Provenance') as fhir4.Provenance[];
    expect(provenance?.target).toHaveLength(10);
    expect(provenance?.target.map((t) => t.reference)).toContain(`Patient/${patient.id}`);
  });

  it('appends across calls, keeps one line per id, and replaces a changed resource', async () => {
    const target = new FileTarget(dir);
    await target.write(bundleFor('f2').bundle);
    await target.write(bundleFor('f3').bundle);
    const again = await target.write(bundleFor('f2').bundle);
    expect(again.entries.every((e) => e.status === 200)).toBe(true);
    expect(readNdjson('Patient')).toHaveLength(2);
    expect(readNdjson('Device')).toHaveLength(1);

    const { resources } = bundleFor('f2');
    const changed = { ...(resources[0]?.resource as fhir4.Patient), gender: 'male' as const };
    await target.write(buildPatientBundle([{ resource: changed }], { profile: resolveTargetProfile('put') }));
    const patients = readNdjson('Patient') as fhir4.Patient[];
    expect(patients).toHaveLength(2);
    expect(patients.find((p) => p.id === changed.id)?.gender).toBe('male');
  });

  it('a new instance on the same folder sees what is there; read, count by tag, delete', async () => {
    const { resources, bundle } = bundleFor('f4');
    await new FileTarget(dir).write(bundle);
    const reopened = new FileTarget(dir);
    const obs = resources.find((r) => r.resource.resourceType === 'Observation')?.resource as fhir4.Observation;
    expect(await reopened.read('Observation', obs.id as string)).toEqual(obs);
    expect(await reopened.count('Observation', jobTag('job-file'))).toBe(6);
    expect(await reopened.count('Observation', jobTag('other'))).toBe(0);
    expect(await reopened.delete('Observation', obs.id as string)).toBe('deleted');
    expect(await reopened.delete('Observation', obs.id as string)).toBe('not-found');
    expect(readNdjson('Observation')).toHaveLength(5);
    expect((await reopened.write(bundle)).entries.filter((e) => e.status === 201).map((e) => e.key)).toEqual([`Observation/${obs.id}`]);
  });

  it('refuses a bad spec', () => {
    expect(() => createTarget('file:')).toThrow(expect.objectContaining({ code: 'FHIRMIG_ERR_CONFIG_INVALID' }));
    expect(() => createTarget('ftp://x')).toThrow(/Unknown target/);
  });
});

describe('file:DIR target: readMany', () => {
  it('reads the requested ids of a type in one pass over its NDJSON file', async () => {
    const target = createTarget(`file:${dir}`);
    const { resources, bundle } = bundleFor('m1');
    await target.write(bundle);
    const observations = resources.filter((r) => r.resource.resourceType === 'Observation').map((r) => r.resource);
    const wanted = [observations[0]?.id as string, 'not-there', observations[3]?.id as string];
    const found = await createTarget(`file:${dir}`).readMany('Observation', wanted);
    expect(found).toEqual([observations[0], observations[3]]);
    expect(await target.readMany('Condition', ['x'])).toEqual([]);
  });
});
