import { SOURCE_REF_SYSTEM } from '../../src/core/index.ts';
import { buildAuditEvent, buildProvenance, buildServiceDevice, jobTag, serviceDeviceId } from '../../src/provenance/index.ts';

const sources = [
  { source: 'legacy-emr', kind: 'patients', locator: 'patients.csv:12' },
  { source: 'legacy-emr', kind: 'lab_results', locator: 'lab_results#4711' },
  { source: 'legacy-emr', kind: 'patients', locator: 'patients.csv:12' },
];

describe('buildServiceDevice', () => {
  it('is deterministic per version and carries the version and owner', () => {
    const device = buildServiceDevice({ version: '1.2.3', organization: { reference: 'Organization/o1' } });
    expect(device.id).toBe(serviceDeviceId('1.2.3'));
    expect(device.id).toBe(buildServiceDevice({ version: '1.2.3' }).id);
    expect(device.id).not.toBe(serviceDeviceId('1.2.4'));
    expect(device.version).toEqual([{ value: '1.2.3' }]);
    expect(device.owner).toEqual({ reference: 'Organization/o1' });
    expect(device.identifier?.[0]?.value).toBe('fhir-migrate@1.2.3');
  });
});

describe('buildProvenance', () => {
  const provenance = buildProvenance({
    id: 'prov-1',
    targets: ['Patient/p1', 'Observation/o1', { reference: 'Encounter/e1' }],
    recorded: '2026-11-25T10:00:00Z',
    sources,
    device: { reference: 'Device/d1' },
    organization: { reference: 'Organization/o1' },
    activity: 'CREATE',
    mapSet: { id: 'synthea-csv', versionHash: 'sha256:ab12' },
    jobId: 'job-42',
  });

  it('targets every resource written and records when', () => {
    expect(provenance.target).toEqual([{ reference: 'Patient/p1' }, { reference: 'Observation/o1' }, { reference: 'Encounter/e1' }]);
    expect(provenance.recorded).toBe('2026-11-25T10:00:00Z');
  });

  it('has the service Device as assembler on behalf of the organisation', () => {
    expect(provenance.agent).toEqual([
      {
        type: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/provenance-participant-type', code: 'assembler', display: 'Assembler' }] },
        who: { reference: 'Device/d1' },
        onBehalfOf: { reference: 'Organization/o1' },
      },
    ]);
  });

  it('carries each SourceRef once as a source entity identifier', () => {
    expect(provenance.entity).toEqual([
      { role: 'source', what: { identifier: { system: SOURCE_REF_SYSTEM, value: 'legacy-emr/patients/patients.csv:12' }, display: 'legacy-emr/patients/patients.csv:12' } },
      { role: 'source', what: { identifier: { system: SOURCE_REF_SYSTEM, value: 'legacy-emr/lab_results/lab_results#4711' }, display: 'legacy-emr/lab_results/lab_results#4711' } },
    ]);
  });

  it('names the activity, the map set version as policy and the job tag', () => {
    expect(provenance.activity?.coding).toEqual([{ system: 'http://terminology.hl7.org/CodeSystem/v3-DataOperation', code: 'CREATE', display: 'create' }]);
    expect(provenance.policy).toEqual(['https://fhir-migrate.dev/map-set/synthea-csv/sha256%3Aab12']);
    expect(provenance.meta?.tag).toEqual([jobTag('job-42')]);
  });

  it('refuses a Provenance without targets', () => {
    expect(() => buildProvenance({ id: 'x', targets: [], recorded: 'r', sources: [], device: {}, activity: 'migrate', mapSet: { id: 'm', versionHash: 'h' }, jobId: 'j' })).toThrow(/at least one target/);
  });
});

describe('buildAuditEvent', () => {
  it.each([
    ['start', 'E'],
    ['dry-run', 'E'],
    ['phase', 'C'],
    ['rollback', 'D'],
    ['export', 'R'],
  ] as const)('%s → action %s, subtype the step, the job as entity', (step, action) => {
    const event = buildAuditEvent({ id: 'ae', step, jobId: 'job-42', recorded: '2026-11-25T10:00:00Z', device: { reference: 'Device/d1' }, details: { phase: 'critical', loaded: 120 } });
    expect(event.action).toBe(action);
    expect(event.subtype?.[0]).toMatchObject({ code: step });
    expect(event.outcome).toBe('0');
    expect(event.meta?.tag).toEqual([jobTag('job-42')]);
    expect(event.entity?.[0]?.what?.identifier?.value).toBe('job-42');
    expect(event.entity?.[0]?.detail).toEqual([{ type: 'phase', valueString: 'critical' }, { type: 'loaded', valueString: '120' }]);
    expect(event.source.observer).toEqual({ reference: 'Device/d1' });
  });

  it('records a failed step with its description', () => {
    const event = buildAuditEvent({ id: 'ae', step: 'rollback', jobId: 'j', recorded: 'r', device: {}, outcome: 'serious-failure', description: 'FHIRMIG_ERR_TARGET_UNAVAILABLE' });
    expect(event.outcome).toBe('8');
    expect(event.outcomeDesc).toBe('FHIRMIG_ERR_TARGET_UNAVAILABLE');
  });
});
