import { loadR4StructureDefinitions } from '../../../src/runtime/index.ts';
import { parseFml } from '../../../src/mapping/fml/index.ts';
import { StructureMapEngine, createR4TypeModel, projectStructureMap } from '../../../src/mapping/structuremap/index.ts';

/**
 * The projection of a map on some output elements (issue 5: the phase planner reads identifiers
 * without mapping a record whole): the kept rules give the elements exactly as the whole map
 * does, and there is no projection when another rule could write them.
 */
const engine = new StructureMapEngine({ typeModel: createR4TypeModel(loadR4StructureDefinitions()) });

const mapOf = (rules: string): fhir4.StructureMap => parseFml(`map "http://example.org/projection" = "projection"
uses "http://hl7.org/fhir/StructureDefinition/Encounter" as target
group main(source row, target enc : Encounter) {
${rules}
}
group Lineage(source key, target enc : Encounter) {
  key -> enc.identifier as id, id.value = key "value";
}
`);

const LINEAGE = `  row.key as key -> enc.identifier as id then {
    key -> id.system = 'urn:rows', id.value = key "value";
  } "lineage";`;
const STATUS = `  row.stop as stop where (stop != '') -> enc.status = 'finished' "finished";
  row where (stop.exists() and stop != '').not() -> enc.status = 'in-progress' "inProgress";`;
const SUBJECT = `  row.patient as pat -> enc.subject as subject then {
    pat -> subject.identifier as id, id.system = 'urn:patients', id.value = pat "value";
  } "subject";`;

const ROW = { key: 'e1', stop: '', patient: 'p1' };

it('keeps the top-level rules writing the elements: the same identifiers as the whole map, nothing else', () => {
  const map = mapOf([LINEAGE, STATUS, SUBJECT].join('\n'));
  const whole = engine.transform(map, ROW) as fhir4.Encounter;
  const projection = projectStructureMap(map, ['identifier']);
  expect(projection).toBeDefined();
  expect(engine.transform(projection as fhir4.StructureMap, ROW)).toEqual({ resourceType: 'Encounter', identifier: whole.identifier });
  expect(whole.identifier).toEqual([{ system: 'urn:rows', value: 'e1' }]);
  // Several elements: the phase table's elements come along (both status rules).
  expect(engine.transform(projectStructureMap(map, ['identifier', 'status']) as fhir4.StructureMap, ROW)).toEqual({ resourceType: 'Encounter', identifier: whole.identifier, status: 'in-progress' });
  // The map itself is untouched, and the projection is built once.
  expect(map.group[0]?.rule).toHaveLength(4);
  expect(projectStructureMap(map, ['identifier'])).toBe(projection);
});

it('has no projection when a nested rule writes the element on the output', () => {
  const nested = `  row -> enc.status = 'planned' then {
    row.key as key -> enc.identifier as id, id.value = key "late";
  } "nested";`;
  expect(projectStructureMap(mapOf([LINEAGE, nested].join('\n')), ['identifier'])).toBeUndefined();
});

it('has no projection when another rule aliases the output', () => {
  const alias = `  row -> enc as e then {
    row.key as key -> e.identifier as id, id.value = key "viaAlias";
  } "alias";`;
  expect(projectStructureMap(mapOf([LINEAGE, alias].join('\n')), ['identifier'])).toBeUndefined();
});

it('follows a hand-over of the output to a group of the map (a dispatch rule), narrowing that group too', () => {
  const handed = `  row.key as key where (key != '') then Lineage(key, enc) "handed";`;
  const map = mapOf([STATUS, handed].join('\n'));
  const projection = projectStructureMap(map, ['identifier']) as fhir4.StructureMap;
  expect(engine.transform(projection, ROW)).toEqual({ resourceType: 'Encounter', identifier: [{ value: 'e1' }] });
  expect(engine.transform(projection, { ...ROW, key: '' })).toEqual({ resourceType: 'Encounter' });
  expect((engine.transform(map, ROW) as fhir4.Encounter).identifier).toEqual([{ value: 'e1' }]);
  // A group the output is handed to that writes the element in a nested rule of another: no projection.
  const nestedInGroup = parseFml(`map "http://example.org/projection2" = "projection2"
uses "http://hl7.org/fhir/StructureDefinition/Encounter" as target
group main(source row, target enc : Encounter) {
  row then Body(row, enc) "body";
}
group Body(source row, target enc : Encounter) {
  row -> enc.status = 'planned' then {
    row.key as key -> enc.identifier as id, id.value = key "late";
  } "nested";
}
`);
  expect(projectStructureMap(nestedInGroup, ['identifier'])).toBeUndefined();
  // A hand-over to a group the map imports (not its own): no projection.
  const imported = mapOf(`  row.key as key then CommonLineage(key, enc) "handed";`);
  expect(projectStructureMap(imported, ['identifier'])).toBeUndefined();
});

it('writing a nested element of another target (a reference identifier) is no write of the output identifier', () => {
  const map = mapOf([SUBJECT, STATUS].join('\n'));
  expect(engine.transform(projectStructureMap(map, ['identifier']) as fhir4.StructureMap, ROW)).toEqual({ resourceType: 'Encounter' });
});
