/**
 * Synthetic patient groups as the mapping stage would hand them to the loader: 10 resources per
 * patient (Patient, Encounter, 6 lab Observations, MedicationRequest, AllergyIntolerance) with
 * deterministic ids, source-key identifiers and `Type/id` references. No real data.
 */
import { deterministicResourceId, sourceRefToIdentifier } from '../../src/core/index.ts';
import type { SourceRef } from '../../src/core/index.ts';
import { buildProvenance, buildServiceDevice } from '../../src/provenance/index.ts';
import type { BundleResourceInput, PlannedEntry } from '../../src/target/index.ts';

export const SOURCE = 'legacy-emr';
export const SERVICE_VERSION = '0.1.0-test';

interface Part {
  readonly kind: string;
  readonly key: string;
  readonly build: (id: string, refs: PatientRefs) => fhir4.Resource;
}

interface PatientRefs {
  readonly patient: string;
  readonly encounter: string;
}

function lab(n: number): Part {
  return {
    kind: 'lab_results',
    key: `lab-${n}`,
    build: (id, refs) => ({
      resourceType: 'Observation',
      id,
      status: 'final',
      code: { coding: [{ system: 'http://loinc.org', code: ['718-7', '2345-7', '2951-2', '2823-3', '2160-0', '6690-2'][n] ?? '718-7' }] },
      subject: { reference: refs.patient },
      encounter: { reference: refs.encounter },
      valueQuantity: { value: 10 + n, unit: 'mmol/L', system: 'http://unitsofmeasure.org', code: 'mmol/L' },
    }),
  };
}

const PARTS: readonly Part[] = [
  { kind: 'patients', key: '', build: (id) => ({ resourceType: 'Patient', id, gender: 'female', birthDate: '1970-01-01', name: [{ family: 'Synthetic', given: ['Test'] }] }) },
  { kind: 'encounters', key: 'enc-1', build: (id, refs) => ({ resourceType: 'Encounter', id, status: 'finished', class: { system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'AMB' }, subject: { reference: refs.patient } }) },
  ...[0, 1, 2, 3, 4, 5].map(lab),
  {
    kind: 'medications',
    key: 'med-1',
    build: (id, refs) => ({ resourceType: 'MedicationRequest', id, status: 'active', intent: 'order', medicationCodeableConcept: { text: 'Metformin 500 mg' }, subject: { reference: refs.patient }, encounter: { reference: refs.encounter } }),
  },
  { kind: 'allergies', key: 'alg-1', build: (id, refs) => ({ resourceType: 'AllergyIntolerance', id, patient: { reference: refs.patient }, code: { text: 'Penicillin' } }) },
];

function typeOf(part: Part): string {
  return part.build('x', { patient: '', encounter: '' }).resourceType;
}

/** One patient's 10 resources as bundle inputs; `jobId` puts the job's tag on each. */
export function patientResources(patientKey: string, jobTag?: fhir4.Coding): BundleResourceInput[] {
  const ids = PARTS.map((part) => deterministicResourceId(SOURCE, `${patientKey}/${part.key}`, typeOf(part)));
  const refs: PatientRefs = { patient: `Patient/${ids[0]}`, encounter: `Encounter/${ids[1]}` };
  return PARTS.map((part, i) => {
    const ref: SourceRef = { source: SOURCE, kind: part.kind, locator: part.key ? `${patientKey}/${part.key}` : patientKey };
    const identifier = sourceRefToIdentifier(ref);
    const resource = { ...part.build(ids[i] as string, refs), identifier: [identifier] } as fhir4.Resource;
    if (jobTag) resource.meta = { tag: [jobTag] };
    return { resource, matchIdentifier: identifier, sourceRefs: [ref] };
  });
}

/** The Provenance (and the service Device) for a patient's resources. */
export function lineageEntries(patientKey: string, resources: readonly BundleResourceInput[], jobId: string, withDevice = true): BundleResourceInput[] {
  const device = buildServiceDevice({ version: SERVICE_VERSION, organization: { display: 'Test Hospital' } });
  const provenance = buildProvenance({
    id: deterministicResourceId(SOURCE, `${patientKey}/${jobId}`, 'Provenance'),
    targets: resources.map((r) => `${r.resource.resourceType}/${r.resource.id}`),
    recorded: '2026-01-01T00:00:00Z',
    sources: resources.flatMap((r) => r.sourceRefs ?? []),
    device: { reference: `Device/${device.id}` },
    organization: { display: 'Test Hospital' },
    activity: 'migrate',
    mapSet: { id: 'synthea-csv', versionHash: 'sha256-abc' },
    jobId,
  });
  const deviceEntry: BundleResourceInput = { resource: device };
  return withDevice ? [deviceEntry, { resource: provenance }] : [{ resource: provenance }];
}

/** A `chunkLineage` factory: one Provenance per chunk, targeting that chunk's resources. */
export function chunkProvenance(patientKey: string, jobId: string): (entries: readonly PlannedEntry[], chunkIndex: number) => BundleResourceInput {
  const device = buildServiceDevice({ version: SERVICE_VERSION });
  return (entries, chunkIndex) => ({
    resource: buildProvenance({
      id: deterministicResourceId(SOURCE, `${patientKey}/${jobId}/${chunkIndex}`, 'Provenance'),
      targets: entries.map((e) => e.key),
      recorded: '2026-01-01T00:00:00Z',
      sources: entries.flatMap((e) => e.sourceRefs),
      device: { reference: `Device/${device.id}` },
      activity: 'migrate',
      mapSet: { id: 'synthea-csv', versionHash: 'sha256-abc' },
      jobId,
    }),
  });
}
