import { auditEntryHash } from '../../../src/jobs/index.ts';
import { hashAuditEntry } from '../../../src/provenance/index.ts';
import { indexIdentifiers, logicalReferenceKeys, resolveLogicalReferences } from '../../../src/jobs/runner/references.ts';

const PATIENTS = 'https://fhir-migrate.dev/source/synthea-csv/patients';

describe('logical references', () => {
  const index = new Map<string, string>();
  indexIdentifiers(index, { resourceType: 'Patient', id: 'p1', identifier: [{ system: PATIENTS, value: 'A' }] } as fhir4.Patient);

  it('resolves an identifier-only reference to Type/id of the resource carrying it', () => {
    const observation = { resourceType: 'Observation', subject: { identifier: { system: PATIENTS, value: 'A' } }, performer: [{ identifier: { system: PATIENTS, value: 'B' } }] };
    const resolved = resolveLogicalReferences(observation, index);
    expect(resolved.subject).toEqual({ identifier: { system: PATIENTS, value: 'A' }, reference: 'Patient/p1' });
    expect(resolved.performer[0]).toEqual({ identifier: { system: PATIENTS, value: 'B' } }); // unknown: stays logical
    expect(observation.subject).not.toHaveProperty('reference'); // input untouched
  });

  it('copies only the way to a resolved reference; the rest is shared, the input untouched', () => {
    const code = { coding: [{ system: 'http://loinc.org', code: '1234-5' }] };
    const observation = { resourceType: 'Observation', code, subject: { identifier: { system: PATIENTS, value: 'A' } }, performer: [{ identifier: { system: PATIENTS, value: 'B' } }] };
    const resolved = resolveLogicalReferences(observation, index);
    expect(resolved).not.toBe(observation);
    expect(resolved.subject).not.toBe(observation.subject);
    expect(resolved.subject.identifier).toBe(observation.subject.identifier);
    expect(resolved.code).toBe(code);
    expect(resolved.performer).toBe(observation.performer); // nothing resolved inside
    expect(observation.subject).not.toHaveProperty('reference');
    const nothing = { resourceType: 'Observation', code };
    expect(resolveLogicalReferences(nothing, index)).toBe(nothing);
  });

  it('leaves references that already have a target and resources with a single identifier alone', () => {
    const composition = { resourceType: 'Composition', identifier: { system: PATIENTS, value: 'A' }, subject: { reference: 'Patient/x', identifier: { system: PATIENTS, value: 'A' } } };
    expect(resolveLogicalReferences(composition, index)).toEqual(composition);
  });

  it('logicalReferenceKeys names exactly the identifiers resolveLogicalReferences looks up', () => {
    const claim = {
      resourceType: 'Claim',
      identifier: [{ system: PATIENTS, value: 'own' }],
      patient: { identifier: { system: PATIENTS, value: 'A' } },
      provider: { reference: 'Practitioner/x', identifier: { system: PATIENTS, value: 'resolved already' } },
      item: [{ encounter: [{ identifier: { system: 'urn:e', value: 'E1' } }, { identifier: { value: 'no system' } }] }],
      contained: [{ resourceType: 'Patient', identifier: { system: PATIENTS, value: 'a resource, not a reference' } }],
    };
    expect([...logicalReferenceKeys([claim])].sort()).toEqual([`${PATIENTS}|A`, 'urn:e|E1']);
  });
});

it('the store and the provenance verifier hash audit entries with the same formula', () => {
  const entry = { seq: 3, at: '2026-01-02T03:04:05.000Z', type: 'job.start', payload: { z: [1, 'é', { b: null, a: true }], a: 1.5, jobId: 'j' }, prevHash: 'f'.repeat(64) };
  expect(auditEntryHash(entry)).toBe(hashAuditEntry(entry));
});
