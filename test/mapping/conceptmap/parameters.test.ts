import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { MigrateError } from '../../../src/core/index.ts';
import {
  conceptMapSelectorFromParameters,
  parametersToTranslateRequest,
  translateCode,
  translateResultToParameters,
} from '../../../src/mapping/conceptmap/index.ts';

const fixture = (id: string): fhir4.ConceptMap => JSON.parse(readFileSync(join(__dirname, 'fixtures', `${id}.json`), 'utf8'));

function thrownBy(fn: () => unknown): MigrateError {
  try {
    fn();
  } catch (error) {
    if (error instanceof MigrateError) return error;
    throw error;
  }
  throw new Error('expected a MigrateError');
}

describe('translateResultToParameters (R4 $translate out parameters)', () => {
  it('gives result, message and match parts equivalence, concept, product, source in that order', () => {
    const result = translateCode(fixture('102'), { system: 'http://terminology.hl7.org/CodeSystem/v2-0487', code: 'ACNFLD' });
    expect(translateResultToParameters(result)).toEqual({
      resourceType: 'Parameters',
      parameter: [
        { name: 'result', valueBoolean: true },
        {
          name: 'match',
          part: [
            { name: 'equivalence', valueCode: 'equivalent' },
            { name: 'concept', valueCoding: { system: 'http://snomed.info/sct', code: '119323008' } },
            {
              name: 'product',
              part: [
                { name: 'element', valueUri: 'TypeModifier' },
                { name: 'concept', valueCoding: { system: 'http://snomed.info/sct', code: '47002008' } },
              ],
            },
            { name: 'source', valueUri: 'http://hl7.org/fhir/ConceptMap/102' },
          ],
        },
      ],
    });
  });

  it('reports a failed translation as result false with a message and no match', () => {
    const result = translateCode(fixture('103'), { system: 'http://snomed.info/sct', code: '999' });
    expect(translateResultToParameters(result)).toEqual({
      resourceType: 'Parameters',
      parameter: [
        { name: 'result', valueBoolean: false },
        { name: 'message', valueString: "No mapping found for code '999' in system 'http://snomed.info/sct' in ConceptMap http://hl7.org/fhir/ConceptMap/103." },
      ],
    });
  });

  it('keeps the version of the target system in the concept and omits concept for unmatched', () => {
    const parameters = translateResultToParameters(
      translateCode(fixture('equivalences'), { codeableConcept: { coding: [{ code: 's-equal' }, { code: 's-unmatched' }] } }),
    );
    expect(parameters.parameter?.filter((p) => p.name === 'match').map((p) => p.part)).toEqual([
      [
        { name: 'equivalence', valueCode: 'equal' },
        {
          name: 'concept',
          valueCoding: { system: 'http://example.org/fhir-migrate/test/target', version: '7', code: 't-equal', display: 'Target equal' },
        },
        { name: 'source', valueUri: 'https://fhir-migrate.dev/test/ConceptMap/equivalences' },
      ],
      [
        { name: 'equivalence', valueCode: 'unmatched' },
        { name: 'source', valueUri: 'https://fhir-migrate.dev/test/ConceptMap/equivalences' },
      ],
    ]);
  });

  it('does not leak the internal unmapped marker into the Parameters', () => {
    const parameters = translateResultToParameters(translateCode(fixture('101'), { system: 'http://hl7.org/fhir/address-use', code: 'billing' }));
    expect(JSON.stringify(parameters)).not.toContain('"unmapped"');
  });
});

describe('parametersToTranslateRequest (R4 $translate in parameters)', () => {
  it('reads every in parameter, with targetsystem spelled as in R4', () => {
    const request = parametersToTranslateRequest({
      resourceType: 'Parameters',
      parameter: [
        { name: 'url', valueUri: 'http://hl7.org/fhir/ConceptMap/101' },
        { name: 'system', valueUri: 'http://hl7.org/fhir/address-use' },
        { name: 'code', valueCode: 'home' },
        { name: 'version', valueString: '4.0.1' },
        { name: 'source', valueUri: 'http://hl7.org/fhir/ValueSet/address-use' },
        { name: 'target', valueUri: 'http://terminology.hl7.org/ValueSet/v3-AddressUse' },
        { name: 'targetsystem', valueUri: 'http://terminology.hl7.org/CodeSystem/v3-AddressUse' },
        {
          name: 'dependency',
          part: [
            { name: 'element', valueUri: 'http://example.org/element' },
            { name: 'concept', valueCodeableConcept: { coding: [{ system: 'http://s', code: 'c' }] } },
          ],
        },
        { name: 'reverse', valueBoolean: false },
      ],
    });
    expect(request).toEqual({
      system: 'http://hl7.org/fhir/address-use',
      code: 'home',
      version: '4.0.1',
      source: 'http://hl7.org/fhir/ValueSet/address-use',
      target: 'http://terminology.hl7.org/ValueSet/v3-AddressUse',
      targetSystem: 'http://terminology.hl7.org/CodeSystem/v3-AddressUse',
      dependency: [{ element: 'http://example.org/element', concept: { coding: [{ system: 'http://s', code: 'c' }] } }],
      reverse: false,
    });
    expect(translateCode(fixture('101'), request).matches[0]?.concept?.code).toBe('H');
  });

  it('reads coding and codeableConcept forms', () => {
    const coding = { system: 'http://hl7.org/fhir/address-use', code: 'work' };
    expect(parametersToTranslateRequest({ resourceType: 'Parameters', parameter: [{ name: 'coding', valueCoding: coding }] })).toEqual({ coding });
    const codeableConcept = { coding: [coding] };
    expect(parametersToTranslateRequest({ resourceType: 'Parameters', parameter: [{ name: 'codeableConcept', valueCodeableConcept: codeableConcept }] })).toEqual({
      codeableConcept,
    });
  });

  it.each([
    ['a code without system ("If a code is provided, a system must be provided")', [{ name: 'code', valueCode: 'home' }], 'a code needs a system'],
    ['no concept at all', [{ name: 'system', valueUri: 'http://s' }], 'exactly one of code, coding or codeableConcept'],
    [
      'both code and coding',
      [
        { name: 'system', valueUri: 'http://s' },
        { name: 'code', valueCode: 'a' },
        { name: 'coding', valueCoding: { code: 'a' } },
      ],
      'exactly one',
    ],
    ['an unknown parameter', [{ name: 'codes', valueCode: 'a' }], 'unknown parameter "codes"'],
    ['reverse without valueBoolean', [{ name: 'reverse', valueString: 'true' }], 'expected valueBoolean'],
  ] as [string, fhir4.ParametersParameter[], string][])('rejects %s', (_title, parameter, message) => {
    const error = thrownBy(() => parametersToTranslateRequest({ resourceType: 'Parameters', parameter }));
    expect(error.code).toBe('FHIRMIG_ERR_CONCEPTMAP_INVALID');
    expect(error.message).toContain(message);
  });

  it('rejects something that is not Parameters', () => {
    expect(thrownBy(() => parametersToTranslateRequest({ resourceType: 'Patient' } as unknown as fhir4.Parameters)).code).toBe('FHIRMIG_ERR_CONCEPTMAP_INVALID');
  });

  it('leaves url, conceptMapVersion and conceptMap to conceptMapSelectorFromParameters', () => {
    const map = fixture('101');
    const params: fhir4.Parameters = {
      resourceType: 'Parameters',
      parameter: [
        { name: 'url', valueUri: 'http://hl7.org/fhir/ConceptMap/101' },
        { name: 'conceptMapVersion', valueString: '4.0.1' },
        { name: 'conceptMap', resource: map },
        { name: 'system', valueUri: 'http://hl7.org/fhir/address-use' },
        { name: 'code', valueCode: 'temp' },
      ],
    };
    expect(conceptMapSelectorFromParameters(params)).toEqual({ url: 'http://hl7.org/fhir/ConceptMap/101', conceptMapVersion: '4.0.1', conceptMap: map });
    expect(parametersToTranslateRequest(params)).toEqual({ system: 'http://hl7.org/fhir/address-use', code: 'temp' });
  });
});
