import { createCodingTranslator } from '../../src/intake/index.ts';

/**
 * Intake code translation (R4 datatypes.html#CodeableConcept: several codings may represent the
 * same concept, "translations"): the map's target coding is added, the original kept.
 */
const MAP: fhir4.ConceptMap = {
  resourceType: 'ConceptMap',
  status: 'active',
  url: 'https://example.org/cm/local-lab',
  group: [
    {
      source: 'https://hospital.example.org/lab',
      target: 'http://loinc.org',
      element: [
        { code: 'K', target: [{ code: '2823-3', display: 'Potassium', equivalence: 'equivalent' }] },
        { code: 'NA', target: [{ equivalence: 'unmatched' }] },
      ],
      unmapped: { mode: 'fixed', code: 'LA-unknown' },
    },
  ],
};

const translate = createCodingTranslator([MAP]);

function observation(...coding: fhir4.Coding[]): fhir4.Observation {
  return { resourceType: 'Observation', status: 'final', code: { coding } };
}

it('adds the equivalent target coding after the original, in every CodeableConcept.coding list', () => {
  const result = translate(observation({ system: 'https://hospital.example.org/lab', code: 'K' })) as fhir4.Observation;
  expect(result.code.coding).toEqual([{ system: 'https://hospital.example.org/lab', code: 'K' }, { system: 'http://loinc.org', code: '2823-3', display: 'Potassium' }]);
});

it('adds nothing for an unmatched code, for an `unmapped` fixed fallback, or for a system no map translates', () => {
  for (const coding of [{ system: 'https://hospital.example.org/lab', code: 'NA' }, { system: 'https://hospital.example.org/lab', code: 'ZZ' }, { system: 'http://snomed.info/sct', code: '123' }]) {
    expect((translate(observation(coding)) as fhir4.Observation).code.coding).toEqual([coding]);
  }
});

it('does not add a coding the concept already has, and leaves the input untouched', () => {
  const input = observation({ system: 'https://hospital.example.org/lab', code: 'K' }, { system: 'http://loinc.org', code: '2823-3' });
  const copy = structuredClone(input);
  expect((translate(input) as fhir4.Observation).code.coding).toHaveLength(2);
  expect(input).toEqual(copy);
});
