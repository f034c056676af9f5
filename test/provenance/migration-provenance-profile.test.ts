import { join } from 'node:path';
import { MIGRATION_PROVENANCE_PROFILE, buildProvenance } from '../../src/provenance/index.ts';
import { loadConformanceContext } from '../../src/runtime/index.ts';
import { validateResource } from '../../src/validation/index.ts';

/**
 * profiles/migration-provenance.json (issue 3: "the product's own profiles, at least one for the
 * Provenance the product writes"): what every migration Provenance must carry (DESIGN.md §5).
 * The builder claims it in meta.profile, so validating a Provenance checks it.
 */
const context = loadConformanceContext({ profilesDir: join(__dirname, '..', '..', 'profiles') });

function provenance(): fhir4.Provenance {
  return buildProvenance({
    id: 'prov-1',
    targets: ['Patient/p1', 'Observation/o1'],
    recorded: '2026-01-02T03:04:05Z',
    sources: [{ source: 'synthea', kind: 'patients', locator: 'row 2' }, { source: 'synthea', kind: 'observations', locator: 'row 7' }],
    device: { reference: 'Device/fhir-migrate' },
    activity: 'migrate',
    mapSet: { id: 'synthea-csv', versionHash: '0123456789abcdef' },
    jobId: 'job-7',
  });
}

function errors(resource: unknown): fhir4.OperationOutcomeIssue[] {
  return validateResource(context, resource).issue.filter((i) => i.severity === 'error' || i.severity === 'fatal');
}

describe('the migration Provenance profile', () => {
  it('is loaded from profiles/ and claimed by every Provenance the builder makes', () => {
    expect(provenance().meta?.profile).toEqual([MIGRATION_PROVENANCE_PROFILE]);
    expect(errors(provenance())).toEqual([]);
  });

  it('requires a source entity with a SourceRef identifier (profile: entity 1..*, what.identifier 1..1)', () => {
    const none = { ...provenance(), entity: undefined };
    expect(errors(none).map((i) => i.expression?.[0])).toContain('Provenance');
    const noIdentifier = { ...provenance(), entity: [{ role: 'source', what: { display: 'row 2' } }] };
    expect(errors(noIdentifier).some((i) => (i.expression?.[0] ?? '').startsWith('Provenance.entity[0].what'))).toBe(true);
  });

  it('fixes the entity role to source (patternCode)', () => {
    const derived = { ...provenance(), entity: [{ role: 'derivation', what: { identifier: { system: 'https://x', value: 'y' } } }] };
    expect(errors(derived).some((i) => i.expression?.[0] === 'Provenance.entity[0].role')).toBe(true);
  });

  it('needs the map set policy (fmp-2) and the job tag (fmp-1)', () => {
    const noPolicy = { ...provenance(), policy: ['https://example.org/other'] };
    expect(errors(noPolicy).map((i) => i.diagnostics).join(' ')).toContain('fmp-2');
    const noTag = { ...provenance(), meta: { profile: [MIGRATION_PROVENANCE_PROFILE], tag: [{ system: 'https://example.org/t', code: 'x' }] } };
    expect(errors(noTag).map((i) => i.diagnostics).join(' ')).toContain('fmp-1');
  });

  it('needs the assembling agent to be a Device (agent.who targetProfile, agent.type pattern)', () => {
    const [agent] = provenance().agent;
    const byPatient = { ...provenance(), agent: [{ ...agent, who: { reference: 'Patient/p1' } }] };
    expect(errors(byPatient).some((i) => (i.expression?.[0] ?? '').startsWith('Provenance.agent[0].who'))).toBe(true);
    const author = { ...provenance(), agent: [{ ...agent, type: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/provenance-participant-type', code: 'author' }] } }] };
    expect(errors(author).some((i) => (i.expression?.[0] ?? '').startsWith('Provenance.agent[0].type'))).toBe(true);
  });
});
