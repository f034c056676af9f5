import { jobTag } from '../../src/provenance/index.ts';
import { HttpTarget, buildPatientBundle, createWriteSession, resolveTargetProfile } from '../../src/target/index.ts';
import type { BundleResourceInput, TargetProfileName, WriteResult } from '../../src/target/index.ts';
import { startFaultProxy } from '../support/fault-proxy.ts';
import type { FaultProxy } from '../support/fault-proxy.ts';
import { startFhirServer } from '../support/fhir-server.ts';
import type { RunningFhirServer } from '../support/fhir-server.ts';
import { chunkProvenance, lineageEntries, patientResources } from '../support/patient-fixtures.ts';

let server: RunningFhirServer;
let proxy: FaultProxy;
let target: HttpTarget;

beforeAll(async () => {
  server = await startFhirServer();
  proxy = await startFaultProxy(server.url);
  target = new HttpTarget({ baseUrl: proxy.url, retry: { baseDelayMs: 5, maxAttempts: 4 } });
});

afterAll(async () => {
  await target.close();
  await proxy.close();
  await server.close();
});

beforeEach(() => {
  server.repo.clear();
  proxy.reset();
});

function patientBundle(key: string, profile: TargetProfileName, jobId = 'job-1') {
  const resources = patientResources(key, jobTag(jobId));
  return { resources, bundle: buildPatientBundle(resources, { profile: resolveTargetProfile(profile), extraEntries: lineageEntries(key, resources, jobId) }) };
}

async function storedCount(resourceType: string): Promise<number> {
  return target.count(resourceType);
}

/** The target's Provenance for a set of written entries (by the server ids of the results). */
async function provenanceTargets(result: WriteResult): Promise<string[]> {
  const provenance = result.entries.find((e) => e.resourceType === 'Provenance');
  const stored = (await target.read('Provenance', provenance?.id as string)) as fhir4.Provenance;
  return stored.target.map((t) => t.reference as string).sort();
}

function writtenRefs(result: WriteResult, inputs: readonly BundleResourceInput[]): string[] {
  const types = new Set(inputs.map((i) => i.resource.resourceType));
  return result.entries.filter((e) => types.has(e.resourceType) && e.resourceType !== 'Device').map((e) => `${e.resourceType}/${e.id}`).sort();
}

describe('HttpTarget against the loopback FHIR server (put)', () => {
  it('lands a per-patient transaction with its Provenance, which targets every resource', async () => {
    const { resources, bundle } = patientBundle('p1', 'put');
    const result = await target.write(bundle);
    expect(result.complete).toBe(true);
    expect(result.entries).toHaveLength(12);
    expect(result.entries.every((e) => e.status === 200 || e.status === 201)).toBe(true);
    for (const input of resources) {
      const stored = await target.read(input.resource.resourceType, input.resource.id as string);
      expect(stored?.id).toBe(input.resource.id);
    }
    expect(await storedCount('Observation')).toBe(6);
    expect(await target.count('Provenance', jobTag('job-1'))).toBe(1);
    expect(await provenanceTargets(result)).toEqual(writtenRefs(result, resources));
    expect(proxy.requestCount()).toBeGreaterThan(0);
  });

  it('re-sending creates nothing new: same ids, same versions', async () => {
    const { bundle } = patientBundle('p2', 'put');
    const first = await target.write(bundle);
    const second = await target.write(bundle);
    expect(second.entries.map((e) => [e.key, e.id, e.versionId])).toEqual(first.entries.map((e) => [e.key, e.id, e.versionId]));
    expect(await storedCount('Patient')).toBe(1);
    expect(await storedCount('Provenance')).toBe(1);
  });

  it('a Medplum target refuses 51 PUTs in one transaction; the medplum profile chunks them and they land', async () => {
    const many = Array.from({ length: 6 }, (_, i) => patientResources(`m${i}`)).flat();
    const unchunked = buildPatientBundle(many, { profile: resolveTargetProfile({ base: 'put', limits: { maxEntries: 1000 } }) });
    expect(unchunked.chunks).toHaveLength(1);
    const refused = await target.write(unchunked);
    expect(refused.complete).toBe(false);
    expect(refused.chunks[0]).toMatchObject({ state: 'rejected', status: 400 });
    expect(JSON.stringify(refused.chunks[0]?.outcome)).toMatch(/more update operations than allowed/);

    const chunked = buildPatientBundle(many, { profile: resolveTargetProfile('medplum') });
    expect(chunked.chunks.map((c) => c.length)).toEqual([50, 10]);
    const result = await target.write(chunked);
    expect(result.complete).toBe(true);
    expect(await storedCount('Observation')).toBe(36);
    const posts = proxy.log.filter((l) => l.method === 'POST');
    expect(posts).toHaveLength(3);
  });
});

describe('HttpTarget against the loopback FHIR server (conditional create)', () => {
  it('a Medplum target refuses 12 entries with conditionals in one transaction', async () => {
    const { resources } = patientBundle('c0', 'conditional-create');
    const bundle = buildPatientBundle(resources, { profile: resolveTargetProfile('conditional-create'), extraEntries: lineageEntries('c0', resources, 'job-1') });
    const result = await target.write(bundle);
    expect(result.chunks[0]).toMatchObject({ state: 'rejected', status: 400 });
    expect(JSON.stringify(result.chunks[0]?.outcome)).toMatch(/too many entries/);
    expect(result.entries.every((e) => e.status === 400)).toBe(true);
  });

  it('chunks to 8 entries, lands in dependency order, and the Provenance targets the server ids of all chunks', async () => {
    const { resources, bundle } = patientBundle('c1', 'medplum-conditional');
    expect(bundle.chunks.length).toBe(2);
    const result = await target.write(bundle);
    expect(result.complete).toBe(true);
    expect(result.entries.every((e) => e.status === 201)).toBe(true);
    expect(result.entries.every((e) => e.id && e.id !== bundle.entries.find((p) => p.key === e.key)?.id)).toBe(true);
    expect(await provenanceTargets(result)).toEqual(writtenRefs(result, resources));
    const patient = result.entries.find((e) => e.resourceType === 'Patient');
    const observation = result.entries.find((e) => e.resourceType === 'Observation');
    const stored = (await target.read('Observation', observation?.id as string)) as fhir4.Observation;
    expect(stored.subject?.reference).toBe(`Patient/${patient?.id}`);
  });

  it('re-sending matches every entry (200) and creates nothing', async () => {
    const { bundle } = patientBundle('c2', 'medplum-conditional');
    const first = await target.write(bundle);
    const second = await target.write(bundle);
    expect(second.entries.map((e) => e.status)).toEqual(second.entries.map(() => 200));
    expect(second.entries.map((e) => e.id)).toEqual(first.entries.map((e) => e.id));
    expect(await storedCount('Patient')).toBe(1);
    expect(await storedCount('Provenance')).toBe(1);
    expect(await storedCount('Device')).toBe(1);
  });

  it('with a Provenance per chunk, each transaction carries lineage for its own resources; re-sending adds none', async () => {
    const resources = patientResources('c4');
    const [device] = lineageEntries('c4', resources, 'job-1');
    const members = [device as BundleResourceInput, ...resources];
    const build = () => buildPatientBundle(members, { profile: resolveTargetProfile('medplum-conditional'), chunkLineage: chunkProvenance('c4', 'job-1') });
    const result = await target.write(build());
    expect(result.complete).toBe(true);
    const provenances = result.entries.filter((e) => e.resourceType === 'Provenance');
    expect(provenances).toHaveLength(2);
    const covered = new Set<string>();
    for (const entry of provenances) {
      const stored = (await target.read('Provenance', entry.id as string)) as fhir4.Provenance;
      for (const t of stored.target) covered.add(t.reference as string);
    }
    const written = result.entries.filter((e) => e.resourceType !== 'Provenance').map((e) => `${e.resourceType}/${e.id}`);
    expect([...covered].sort()).toEqual(written.sort());
    await target.write(build());
    expect(await storedCount('Provenance')).toBe(2);
    expect(await storedCount('Observation')).toBe(6);
  });

  it('a session resolves references to resources written by earlier bundles', async () => {
    const { bundle } = patientBundle('c3', 'medplum-conditional');
    const session = createWriteSession();
    await target.write(bundle, session);
    expect(session.resolved.get(bundle.entries[0]?.key as string)).toMatch(/^Patient\//);
  });
});

describe('HttpTarget read / delete / count', () => {
  it('deletes what it wrote and reports what is not there', async () => {
    const { resources, bundle } = patientBundle('d1', 'put');
    await target.write(bundle);
    const obs = resources.find((r) => r.resource.resourceType === 'Observation')?.resource as fhir4.Observation;
    expect(await target.delete('Observation', obs.id as string)).toBe('deleted');
    expect(await target.read('Observation', obs.id as string)).toBeUndefined();
    expect(await target.delete('Observation', obs.id as string)).toBe('not-found');
    expect(await target.count('Observation', jobTag('job-1'))).toBe(5);
    expect(await target.count('Observation', jobTag('other-job'))).toBe(0);
  });

  it('leaves a resource changed since the job wrote it, and deletes one still at the written version', async () => {
    const { resources, bundle } = patientBundle('d2', 'put');
    const result = await target.write(bundle);
    const [allergy, med] = ['AllergyIntolerance', 'MedicationRequest'].map((type) => result.entries.find((e) => e.resourceType === type));
    const changed = { ...(resources.find((r) => r.resource.resourceType === 'AllergyIntolerance')?.resource as fhir4.AllergyIntolerance), criticality: 'high' as const };
    await target.client.request({ method: 'PUT', path: `AllergyIntolerance/${changed.id}`, body: changed });
    expect(await target.delete('AllergyIntolerance', allergy?.id as string, { versionId: allergy?.versionId as string })).toBe('changed');
    expect(await target.read('AllergyIntolerance', allergy?.id as string)).toMatchObject({ criticality: 'high' });
    expect(await target.delete('MedicationRequest', med?.id as string, { versionId: med?.versionId as string })).toBe('deleted');
  });
});

describe('HttpTarget.readMany: batch reads for exports', () => {
  it('reads many ids of a type with one `_id` search per 100 ids, leaving out ids the target does not hold', async () => {
    const written: string[] = [];
    for (const key of ['r1', 'r2', 'r3']) {
      const result = await target.write(patientBundle(key, 'put').bundle);
      written.push(...result.entries.filter((e) => e.resourceType === 'Observation').map((e) => e.id as string));
    }
    expect(written).toHaveLength(18);
    const missing = Array.from({ length: 200 }, (_, i) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`);
    const before = server.requestCount();
    const found = await target.readMany('Observation', [...missing.slice(0, 100), ...written, ...missing.slice(100)]);
    expect(server.requestCount() - before).toBe(3);
    expect(found.map((r) => r.id).sort()).toEqual([...written].sort());
    expect(found.every((r) => r.resourceType === 'Observation' && r.meta?.versionId)).toBe(true);
  });

  it('answers an empty list without a request', async () => {
    const before = server.requestCount();
    expect(await target.readMany('Patient', [])).toEqual([]);
    expect(server.requestCount()).toBe(before);
  });
});
