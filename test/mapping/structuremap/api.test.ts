import { loadR4StructureDefinitions } from '../../../src/runtime/index.ts';
import { parseFml } from '../../../src/mapping/fml/index.ts';
import { StructureMapEngine, createR4TypeModel, sortByDefinition, transformStructureMap } from '../../../src/mapping/structuremap/index.ts';

const typeModel = createR4TypeModel(loadR4StructureDefinitions());

describe('createR4TypeModel', () => {
  it('resolves plain, choice and backbone elements', () => {
    expect(typeModel.getElement('Patient', 'name')?.element).toMatchObject({ types: ['HumanName'], isArray: true, isChoice: false });
    expect(typeModel.getElement('Patient', 'gender')?.element).toMatchObject({ types: ['code'], isArray: false });
    expect(typeModel.getElement('Observation', 'valueQuantity')).toMatchObject({ fixedType: 'Quantity', jsonName: 'valueQuantity' });
    expect(typeModel.getElement('Observation', 'value')?.element.isChoice).toBe(true);
    expect(typeModel.getElement('Patient', 'contact')?.element.types).toEqual(['Patient.contact']);
    expect(typeModel.getElement('Patient.contact', 'name')?.element.types).toEqual(['HumanName']);
    expect(typeModel.getElement('Questionnaire.item', 'item')?.element.types).toEqual(['Questionnaire.item']);
    expect(typeModel.getElement('Patient', 'nope')).toBeUndefined();
  });

  it('knows kinds, primitive types and URLs', () => {
    expect(typeModel.isPrimitive('dateTime')).toBe(true);
    expect(typeModel.isPrimitive('HumanName')).toBe(false);
    expect(typeModel.getType('http://hl7.org/fhir/StructureDefinition/Patient')?.kind).toBe('resource');
    expect(typeModel.getType('Quantity')?.kind).toBe('complex-type');
    expect(typeModel.getType('NoSuchType')).toBeUndefined();
  });

  it('indexes logical models by URL, name and type', () => {
    const model = createR4TypeModel([
      {
        resourceType: 'StructureDefinition', url: 'http://example.org/sd/row', name: 'LegacyRow', status: 'draft', kind: 'logical', abstract: false,
        type: 'http://example.org/sd/row',
        snapshot: { element: [{ path: 'Row' }, { path: 'Row.code', min: 0, max: '*', type: [{ code: 'string' }] }] },
      },
    ]);
    expect(model.getType('http://example.org/sd/row')?.name).toBe('Row');
    expect(model.getType('LegacyRow')?.kind).toBe('logical');
    expect(model.getElement('Row', 'code')?.element).toMatchObject({ types: ['string'], isArray: true });
  });
});

const MAP = parseFml(`map "http://example.org/api" = "api"
uses "http://hl7.org/fhir/StructureDefinition/Patient" as target
group main(source src, target tgt : Patient) {
  src.sex as s log ('sex ' + s) -> tgt.gender = translate(s, '#g', 'code') "sex";
  src -> tgt.id = uuid() "id";
}
`);
MAP.contained = [{ resourceType: 'ConceptMap', id: 'g', status: 'draft', group: [{ element: [{ code: 'F', target: [{ code: 'female', equivalence: 'equivalent' }] }] }] }];

describe('StructureMapEngine', () => {
  it('reports logs and unmapped codes through the callbacks and uses the injected uuid', () => {
    const logs: string[] = [];
    const unmapped: unknown[] = [];
    const engine = new StructureMapEngine({ typeModel, onLog: (m, rule) => logs.push(`${rule}: ${m}`), onUnmappedCode: (i) => unmapped.push(i), uuid: () => 'fixed-id' });
    expect(engine.transform(MAP, { sex: 'F' })).toEqual({ resourceType: 'Patient', gender: 'female', id: 'fixed-id' });
    expect(engine.transform(MAP, { sex: 'Z' })).toEqual({ resourceType: 'Patient', id: 'fixed-id' });
    expect(logs).toEqual(['sex: sex F', 'sex: sex Z']);
    expect(unmapped).toEqual([{ rule: 'sex', code: 'Z', conceptMap: '#g' }]);
  });

  it('fills a target that is handed in', () => {
    const target = { resourceType: 'Patient', active: true };
    const result = transformStructureMap(MAP, { sex: 'F' }, { typeModel, uuid: () => 'x' }, target);
    expect(result).toBe(target);
    expect(target).toEqual({ resourceType: 'Patient', active: true, gender: 'female', id: 'x' });
  });

  it('rejects a map without groups', () => {
    expect(() => transformStructureMap({ resourceType: 'StructureMap', url: 'u', name: 'n', status: 'draft', group: [] }, {}, { typeModel })).toThrow(
      expect.objectContaining({ code: 'FHIRMIG_ERR_MAP_INVALID' }),
    );
  });
});

describe('sortByDefinition', () => {
  it('orders keys as the StructureDefinition does, resourceType first', () => {
    const sorted = sortByDefinition({ gender: 'male', name: [{ given: ['a'], family: 'b' }], resourceType: 'Patient', id: '1' }, undefined, typeModel);
    expect(JSON.stringify(sorted)).toBe('{"resourceType":"Patient","id":"1","name":[{"family":"b","given":["a"]}],"gender":"male"}');
  });
});
