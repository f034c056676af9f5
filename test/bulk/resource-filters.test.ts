import { SUBSETTED_TAG, compartmentPatients, createElementFilter, ensureFhirDefinitions } from '../../src/bulk/index.ts';

beforeAll(() => ensureFhirDefinitions());

const observation: fhir4.Observation = {
  resourceType: 'Observation',
  id: 'o1',
  meta: { lastUpdated: '2024-01-01T00:00:00Z', tag: [{ system: 'urn:job', code: 'j1' }] },
  status: 'final',
  code: { text: 'glucose' },
  subject: { reference: 'Patient/p1' },
  performer: [{ reference: 'Practitioner/d1' }],
  valueQuantity: { value: 5.4, unit: 'mmol/L' },
  note: [{ text: 'fasting' }],
  _status: { extension: [{ url: 'urn:x', valueString: 'y' }] },
} as fhir4.Observation;

describe('_elements (IG kick-off: "mandatory elements" kept, SUBSETTED tag; R4 search.html#elements)', () => {
  it('keeps the named elements, the mandatory ones (status, code), id and meta, and tags the resource SUBSETTED', () => {
    const subset = createElementFilter([{ type: undefined, element: 'note' }])(observation) as fhir4.Observation;
    expect(Object.keys(subset).sort()).toEqual(['_status', 'code', 'id', 'meta', 'note', 'resourceType', 'status']);
    expect(subset.meta?.tag).toEqual([{ system: 'urn:job', code: 'j1' }, SUBSETTED_TAG]);
  });

  it('a choice element is kept by its base name (value → valueQuantity)', () => {
    const subset = createElementFilter([{ type: 'Observation', element: 'value' }])(observation) as fhir4.Observation;
    expect(subset.valueQuantity).toEqual(observation.valueQuantity);
    expect(subset.note).toBeUndefined();
  });

  it('leaves types that no type-specific selector names whole and untagged', () => {
    const patient: fhir4.Patient = { resourceType: 'Patient', id: 'p1', gender: 'female' };
    expect(createElementFilter([{ type: 'Observation', element: 'value' }])(patient)).toBe(patient);
  });
});

describe('Patient compartment (R4 CompartmentDefinition patient)', () => {
  it('an Observation belongs to its subject and performer-patients; a Patient to itself', () => {
    expect([...compartmentPatients(observation)]).toEqual(['p1']);
    expect([...compartmentPatients({ resourceType: 'Patient', id: 'p9' })]).toEqual(['p9']);
  });

  it('a Provenance belongs to the Patients it targets (param patient = target.where(resolve() is Patient))', () => {
    const provenance: fhir4.Provenance = { resourceType: 'Provenance', recorded: '2024-01-01T00:00:00Z', agent: [], target: [{ reference: 'Observation/o1' }, { reference: 'Patient/p2' }] } as unknown as fhir4.Provenance;
    expect([...compartmentPatients(provenance)]).toEqual(['p2']);
  });

  it('a type outside the compartment belongs to nobody', () => {
    expect(compartmentPatients({ resourceType: 'Organization', id: 'org' }).size).toBe(0);
  });
});
