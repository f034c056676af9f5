import { buildPatientBundle, dependencyOrderedGroups, resolveTargetProfile, serializeChunk } from '../../src/target/index.ts';
import type { BundleResourceInput, PlannedBundle } from '../../src/target/index.ts';
import { chunkProvenance, lineageEntries, patientResources } from '../support/patient-fixtures.ts';

function chunkKeys(bundle: PlannedBundle): string[][] {
  return bundle.chunks.map((chunk) => chunk.map((p) => bundle.entries[p]?.key ?? '?'));
}

/** Every referenced member sits in the same or an earlier chunk. */
function expectDependencyOrder(bundle: PlannedBundle): void {
  const chunkOf = new Map<number, number>();
  bundle.chunks.forEach((chunk, c) => chunk.forEach((p) => chunkOf.set(p, c)));
  bundle.entries.forEach((entry, p) => {
    for (const dep of entry.dependsOn) expect(chunkOf.get(dep)).toBeLessThanOrEqual(chunkOf.get(p) as number);
  });
}

describe('buildPatientBundle', () => {
  const resources = patientResources('p1');
  const lineage = lineageEntries('p1', resources, 'job-1');

  it('keeps one chunk when the profile has room, with the Provenance after everything it targets', () => {
    const bundle = buildPatientBundle(resources, { profile: resolveTargetProfile('put'), extraEntries: lineage });
    expect(bundle.entries).toHaveLength(12);
    expect(bundle.chunks).toHaveLength(1);
    const order = chunkKeys(bundle)[0] as string[];
    const provenanceAt = order.findIndex((k) => k.startsWith('Provenance/'));
    expect(provenanceAt).toBe(11);
    expect(order.indexOf(resources[0]?.resource.id ? `Patient/${resources[0].resource.id}` : '')).toBeLessThan(order.findIndex((k) => k.startsWith('Encounter/')));
  });

  it('splits a conditional-create bundle into chunks of at most 8 for the medplum profile, in dependency order', () => {
    const bundle = buildPatientBundle(resources, { profile: resolveTargetProfile('medplum-conditional'), extraEntries: lineage });
    expect(bundle.chunks.map((c) => c.length)).toEqual([8, 4]);
    expectDependencyOrder(bundle);
    expect(chunkKeys(bundle)[1]?.at(-1)).toMatch(/^Provenance\//);
  });

  it('respects maxPuts: 120 resources with medplum limits give chunks of at most 50', () => {
    const many = Array.from({ length: 12 }, (_, i) => patientResources(`p${i}`)).flat();
    const bundle = buildPatientBundle(many, { profile: resolveTargetProfile('medplum') });
    expect(bundle.chunks.map((c) => c.length)).toEqual([50, 50, 20]);
    expectDependencyOrder(bundle);
  });

  it('adds a Provenance to every chunk when asked, keeping a slot free for it', () => {
    const device = lineage[0] as BundleResourceInput;
    const bundle = buildPatientBundle([device, ...resources], { profile: resolveTargetProfile('medplum-conditional'), chunkLineage: chunkProvenance('p1', 'job-1') });
    expect(bundle.chunks.map((c) => c.length)).toEqual([8, 5]);
    expect(chunkKeys(bundle)[0]?.[0]).toMatch(/^Device\//);
    expect(() => buildPatientBundle(resources, { profile: resolveTargetProfile('medplum-conditional'), extraEntries: [device], chunkLineage: chunkProvenance('p1', 'job-1') })).toThrow(
      /references Device\/.*later chunk/,
    );
    expectDependencyOrder(bundle);
    for (const chunk of chunkKeys(bundle)) {
      const provenanceKey = chunk.at(-1) as string;
      expect(provenanceKey).toMatch(/^Provenance\//);
      const provenance = bundle.entries.find((e) => e.key === provenanceKey)?.resource as fhir4.Provenance;
      expect(provenance.target.map((t) => t.reference)).toEqual(chunk.slice(0, -1));
    }
    const tooTight = resolveTargetProfile({ base: 'put', limits: { maxEntries: 1 } });
    expect(() => buildPatientBundle(resources, { profile: tooTight, chunkLineage: chunkProvenance('p1', 'job-1') })).toThrow(/no room/);
  });

  it('rewrites urn:uuid references between members to Type/id and adds the match identifier', () => {
    const patient: BundleResourceInput = { resource: { resourceType: 'Patient', id: '11111111-1111-5111-8111-111111111111' }, matchIdentifier: { system: 'urn:s', value: 'k1' } };
    const obs: BundleResourceInput = {
      resource: { resourceType: 'Observation', id: '22222222-2222-5222-8222-222222222222', status: 'final', code: { text: 'x' }, subject: { reference: 'urn:uuid:11111111-1111-5111-8111-111111111111' } } as fhir4.Observation,
    };
    const bundle = buildPatientBundle([obs, patient], { profile: resolveTargetProfile('put') });
    expect((bundle.entries[0]?.resource as fhir4.Observation).subject?.reference).toBe('Patient/11111111-1111-5111-8111-111111111111');
    expect((bundle.entries[1]?.resource as fhir4.Patient).identifier).toEqual([{ system: 'urn:s', value: 'k1' }]);
    expect(bundle.entries[1]?.ifNoneExist).toBe('identifier=urn%3As|k1');
    expect(chunkKeys(bundle)).toEqual([['Patient/11111111-1111-5111-8111-111111111111', 'Observation/22222222-2222-5222-8222-222222222222']]);
  });

  it('serialises a conditional chunk: POST + ifNoneExist, urn:uuid inside the chunk, resolved ids across chunks, no client id', () => {
    const bundle = buildPatientBundle(resources, { profile: resolveTargetProfile('medplum-conditional'), extraEntries: lineage });
    const first = serializeChunk(bundle, 0, new Map());
    const patientEntry = first.entry?.find((e) => e.resource?.resourceType === 'Patient');
    expect(patientEntry?.request).toEqual({ method: 'POST', url: 'Patient', ifNoneExist: `identifier=${encodeURIComponent('https://fhir-migrate.dev/source-ref')}|${encodeURIComponent('legacy-emr/patients/p1')}` });
    expect(patientEntry?.resource?.id).toBeUndefined();
    const encounter = first.entry?.find((e) => e.resource?.resourceType === 'Encounter')?.resource as fhir4.Encounter;
    expect(encounter.subject?.reference).toBe(patientEntry?.fullUrl);
    const patientKey = `Patient/${resources[0]?.resource.id}`;
    const second = serializeChunk(bundle, 1, new Map([[patientKey, 'Patient/server-1']]));
    const provenance = second.entry?.find((e) => e.resource?.resourceType === 'Provenance');
    expect((provenance?.resource as fhir4.Provenance).target.map((t) => t.reference)).toContain('Patient/server-1');
    expect(provenance?.request?.ifNoneExist).toMatch(/^_tag=/);
    expect(provenance?.resource?.meta?.tag?.some((t) => t.system === 'https://fhir-migrate.dev/resource-key')).toBe(true);
  });

  it('never mutates the caller\'s resources or the plan while rewriting references', () => {
    const input = patientResources('immutable');
    const before = JSON.stringify(input);
    const bundle = buildPatientBundle(input, { profile: resolveTargetProfile('medplum-conditional') });
    const planBefore = JSON.stringify(bundle.entries);
    serializeChunk(bundle, 0, new Map());
    serializeChunk(bundle, 1, new Map([[bundle.entries[0]?.key as string, 'Patient/server']]));
    expect(JSON.stringify(input)).toBe(before);
    expect(JSON.stringify(bundle.entries)).toBe(planBefore);
    expect(bundle.entries.every((e) => e.resource.id === e.id)).toBe(true);
  });

  it('serialises a put chunk as PUT Type/id with the resource unchanged', () => {
    const bundle = buildPatientBundle(resources, { profile: resolveTargetProfile('put') });
    const tx = serializeChunk(bundle, 0, new Map());
    expect(tx.entry?.[0]?.request).toEqual({ method: 'PUT', url: `Patient/${resources[0]?.resource.id}` });
    expect(tx.entry?.[0]?.resource?.id).toBe(resources[0]?.resource.id);
  });

  it('keeps a reference cycle in one chunk, and refuses one larger than the limits', () => {
    const a = { resourceType: 'Basic', id: 'a', code: { text: 'a' }, subject: { reference: 'Basic/b' } } as fhir4.Basic;
    const b = { resourceType: 'Basic', id: 'b', code: { text: 'b' }, subject: { reference: 'Basic/a' } } as fhir4.Basic;
    const c = { resourceType: 'Basic', id: 'c', code: { text: 'c' }, subject: { reference: 'Basic/a' } } as fhir4.Basic;
    const profile = resolveTargetProfile({ base: 'put', limits: { maxEntries: 2 } });
    const bundle = buildPatientBundle([{ resource: c }, { resource: a }, { resource: b }], { profile });
    expect(chunkKeys(bundle)).toEqual([['Basic/a', 'Basic/b'], ['Basic/c']]);
    const tooSmall = resolveTargetProfile({ base: 'put', limits: { maxEntries: 1 } });
    expect(() => buildPatientBundle([{ resource: a }, { resource: b }], { profile: tooSmall })).toThrow(expect.objectContaining({ code: 'FHIRMIG_ERR_TARGET_CHUNKING' }));
  });

  it('refuses a resource without an id and a duplicate key', () => {
    const profile = resolveTargetProfile('put');
    expect(() => buildPatientBundle([{ resource: { resourceType: 'Patient' } }], { profile })).toThrow(/no id/);
    const p = { resourceType: 'Patient', id: 'x' } as fhir4.Patient;
    expect(() => buildPatientBundle([{ resource: p }, { resource: p }], { profile })).toThrow(/twice/);
  });
});

describe('dependencyOrderedGroups', () => {
  it('lists dependencies first and groups a cycle', () => {
    const groups = dependencyOrderedGroups([
      { key: 'obs', dependsOn: [1, 2] },
      { key: 'patient', dependsOn: [] },
      { key: 'enc', dependsOn: [1, 3] },
      { key: 'cond', dependsOn: [2] },
    ]);
    expect(groups).toEqual([[1], [2, 3], [0]]);
  });
});

describe('resolveTargetProfile', () => {
  it('encodes the medplum limits and refuses unknown names and bad limits', () => {
    expect(resolveTargetProfile('medplum').limits).toMatchObject({ maxPuts: 50, maxEntriesWithConditional: 8 });
    expect(() => resolveTargetProfile('nope' as 'put')).toThrow(expect.objectContaining({ code: 'FHIRMIG_ERR_CONFIG_INVALID' }));
    expect(() => resolveTargetProfile({ limits: { maxEntries: 0 } })).toThrow(/at least 1/);
  });
});
