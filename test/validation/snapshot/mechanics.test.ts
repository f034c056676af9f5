/** Unit tests of the snapshot generator's mechanics, on small profiles over the R4 base definitions. */
import { generateSnapshot } from '../../../src/validation/snapshot/index.ts';
import type { SnapshotOptions } from '../../../src/validation/snapshot/index.ts';
import { isMigrateError } from '../../../src/core/index.ts';
import { resolverWith } from './definitions.ts';

type ED = fhir4.ElementDefinition;

function profile(type: string, elements: ED[], extra: Partial<fhir4.StructureDefinition> = {}): fhir4.StructureDefinition {
  return {
    resourceType: 'StructureDefinition', url: `http://example.org/StructureDefinition/test-${type.toLowerCase()}`, name: `Test${type}`,
    status: 'draft', kind: 'resource', abstract: false, type, derivation: 'constraint',
    baseDefinition: `http://hl7.org/fhir/StructureDefinition/${type}`, differential: { element: elements }, ...extra,
  };
}

function snapshotOf(sd: fhir4.StructureDefinition, others: fhir4.StructureDefinition[] = [], options?: SnapshotOptions): ED[] {
  return generateSnapshot(sd, resolverWith([sd, ...others]), options).snapshot?.element ?? [];
}

function byId(elements: ED[], id: string): ED {
  const found = elements.find((e) => e.id === id);
  if (!found) throw new Error(`no element ${id} in ${elements.map((e) => e.id).join(', ')}`);
  return found;
}

const extension: fhir4.StructureDefinition = {
  resourceType: 'StructureDefinition', url: 'http://example.org/StructureDefinition/favourite-colour', name: 'FavouriteColour',
  status: 'draft', kind: 'complex-type', abstract: false, type: 'Extension', derivation: 'constraint',
  baseDefinition: 'http://hl7.org/fhir/StructureDefinition/Extension', context: [{ type: 'element', expression: 'Patient' }],
  differential: { element: [
    { id: 'Extension', path: 'Extension', short: 'Favourite colour', definition: 'The colour the patient likes best.', max: '1' },
    { id: 'Extension.extension', path: 'Extension.extension', max: '0' },
    { id: 'Extension.url', path: 'Extension.url', fixedUri: 'http://example.org/StructureDefinition/favourite-colour' },
    { id: 'Extension.value[x]', path: 'Extension.value[x]', type: [{ code: 'string' }] },
  ] },
};

describe('merging differential constraints onto base elements', () => {
  const sd = profile('Patient', [
    { id: 'Patient', path: 'Patient' },
    { id: 'Patient.identifier', path: 'Patient.identifier', min: 1, max: '3', mustSupport: true },
    { id: 'Patient.active', path: 'Patient.active', fixedBoolean: true },
    { id: 'Patient.gender', path: 'Patient.gender', binding: { strength: 'required' } },
    { id: 'Patient.maritalStatus', path: 'Patient.maritalStatus', patternCodeableConcept: { coding: [{ system: 'http://x', code: 'M' }] } },
    { id: 'Patient.generalPractitioner', path: 'Patient.generalPractitioner', type: [{ code: 'Reference', targetProfile: ['http://hl7.org/fhir/StructureDefinition/Practitioner'] }] },
    { id: 'Patient.managingOrganization', path: 'Patient.managingOrganization', constraint: [{ key: 'tst-1', severity: 'error', human: 'must have a reference', expression: 'reference.exists()' }] },
  ]);
  const snap = snapshotOf(sd);

  it('keeps every base element, in base order, with the profile root first', () => {
    expect(snap[0]?.id).toBe('Patient');
    expect(snap.map((e) => e.path).slice(0, 3)).toEqual(['Patient', 'Patient.id', 'Patient.meta']);
    expect(snap).toHaveLength(snapshotOf(profile('Patient', [{ id: 'Patient', path: 'Patient' }])).length);
  });

  it('tightens min/max and sets mustSupport, keeping base min/max in `base`', () => {
    const identifier = byId(snap, 'Patient.identifier');
    expect([identifier.min, identifier.max, identifier.mustSupport]).toEqual([1, '3', true]);
    expect(identifier.base).toEqual({ path: 'Patient.identifier', min: 0, max: '*' });
  });

  it('records where inherited elements were first defined', () => {
    expect(byId(snap, 'Patient.id').base).toEqual({ path: 'Resource.id', min: 0, max: '1' });
    expect(byId(snap, 'Patient.text').base?.path).toBe('DomainResource.text');
  });

  it('copies fixed[x] and pattern[x]', () => {
    expect(byId(snap, 'Patient.active').fixedBoolean).toBe(true);
    expect(byId(snap, 'Patient.maritalStatus').patternCodeableConcept).toEqual({ coding: [{ system: 'http://x', code: 'M' }] });
  });

  it('keeps the ValueSet when a profile only changes the binding strength', () => {
    const binding = byId(snap, 'Patient.gender').binding;
    expect(binding?.strength).toBe('required');
    expect(binding?.valueSet).toBe('http://hl7.org/fhir/ValueSet/administrative-gender|4.0.1');
  });

  it('narrows types and target profiles', () => {
    expect(byId(snap, 'Patient.generalPractitioner').type).toEqual([{ code: 'Reference', targetProfile: ['http://hl7.org/fhir/StructureDefinition/Practitioner'] }]);
  });

  it('appends new constraints after the inherited ones, which get their source', () => {
    const constraints = byId(snap, 'Patient.managingOrganization').constraint ?? [];
    expect(constraints.map((c) => c.key)).toEqual(['ele-1', 'tst-1']);
    expect(constraints[0]?.source).toBe('http://hl7.org/fhir/StructureDefinition/Element');
  });

  it('types Resource.id as id, as the IG Publisher does', () => {
    expect(byId(snap, 'Patient.id').type?.[0]?.extension?.[0]?.valueUrl).toBe('id');
  });
});

describe('unrolling datatypes the differential reaches into', () => {
  const snap = snapshotOf(profile('Observation', [
    { id: 'Observation', path: 'Observation' },
    { id: 'Observation.code.coding', path: 'Observation.code.coding', min: 1 },
    { id: 'Observation.code.coding.system', path: 'Observation.code.coding.system', min: 1, fixedUri: 'http://loinc.org' },
  ]));

  it('inserts the children of CodeableConcept and Coding with profile paths and ids', () => {
    const ids = snap.map((e) => e.id);
    const at = ids.indexOf('Observation.code');
    expect(ids.slice(at, at + 5)).toEqual(['Observation.code', 'Observation.code.id', 'Observation.code.extension', 'Observation.code.coding', 'Observation.code.coding.id']);
    expect(byId(snap, 'Observation.code.coding.system')).toMatchObject({ path: 'Observation.code.coding.system', min: 1, fixedUri: 'http://loinc.org', base: { path: 'Coding.system', min: 0, max: '1' } });
    expect(byId(snap, 'Observation.code.text').base?.path).toBe('CodeableConcept.text');
  });
});

describe('choice types', () => {
  it('turns valueQuantity into a closed type slice on value[x]', () => {
    const snap = snapshotOf(profile('Observation', [
      { id: 'Observation', path: 'Observation' },
      { id: 'Observation.valueQuantity', path: 'Observation.valueQuantity', min: 1 },
      { id: 'Observation.valueQuantity.system', path: 'Observation.valueQuantity.system', fixedUri: 'http://unitsofmeasure.org' },
    ]));
    const root = byId(snap, 'Observation.value[x]');
    expect(root.slicing).toEqual({ discriminator: [{ type: 'type', path: '$this' }], ordered: false, rules: 'closed' });
    expect(root.type).toEqual([{ code: 'Quantity' }]);
    expect(root.min).toBe(1);
    const slice = byId(snap, 'Observation.value[x]:valueQuantity');
    expect([slice.path, slice.sliceName, slice.min]).toEqual(['Observation.value[x]', 'valueQuantity', 1]);
    expect(byId(snap, 'Observation.value[x]:valueQuantity.system').fixedUri).toBe('http://unitsofmeasure.org');
  });

  it('leaves other types open when the type slice is optional', () => {
    const snap = snapshotOf(profile('Observation', [
      { id: 'Observation', path: 'Observation' },
      { id: 'Observation.effectivePeriod', path: 'Observation.effectivePeriod', mustSupport: true },
    ]));
    const root = byId(snap, 'Observation.effective[x]');
    expect(root.slicing?.rules).toBe('open');
    expect(root.type?.map((t) => t.code)).toEqual(['dateTime', 'Period', 'Timing', 'instant']);
    expect(byId(snap, 'Observation.effective[x]:effectivePeriod')).toMatchObject({ min: 0, type: [{ code: 'Period' }], mustSupport: true });
  });

  it('narrows types without slicing when the differential names value[x] with one type', () => {
    const snap = snapshotOf(profile('Observation', [
      { id: 'Observation', path: 'Observation' },
      { id: 'Observation.value[x]', path: 'Observation.value[x]', type: [{ code: 'string' }] },
    ]));
    const value = byId(snap, 'Observation.value[x]');
    expect(value.type).toEqual([{ code: 'string' }]);
    expect(value.slicing).toBeUndefined();
  });
});

describe('slicing', () => {
  const sd = profile('Observation', [
    { id: 'Observation', path: 'Observation' },
    { id: 'Observation.category', path: 'Observation.category', slicing: { discriminator: [{ type: 'pattern', path: '$this' }], rules: 'open' }, min: 1 },
    { id: 'Observation.category:lab', path: 'Observation.category', sliceName: 'lab', patternCodeableConcept: { coding: [{ code: 'laboratory' }] } },
    { id: 'Observation.component', path: 'Observation.component', slicing: { discriminator: [{ type: 'pattern', path: 'code' }], ordered: false, rules: 'open' } },
    { id: 'Observation.component:systolic', path: 'Observation.component', sliceName: 'systolic', min: 1, max: '1' },
    { id: 'Observation.component:systolic.code', path: 'Observation.component.code', patternCodeableConcept: { coding: [{ code: '8480-6' }] } },
  ]);
  const snap = snapshotOf(sd);

  it('gives a slice without its own min a min of 0, not the sliced element\'s min', () => {
    expect(byId(snap, 'Observation.category').min).toBe(1);
    expect(byId(snap, 'Observation.category:lab')).toMatchObject({ min: 0, max: '*', sliceName: 'lab', base: { path: 'Observation.category', min: 0, max: '*' } });
  });

  it('puts the slicing on the sliced element and the slices after its children', () => {
    expect(byId(snap, 'Observation.component').slicing?.discriminator).toEqual([{ type: 'pattern', path: 'code' }]);
    const ids = snap.map((e) => e.id);
    expect(ids.indexOf('Observation.component:systolic')).toBeGreaterThan(ids.indexOf('Observation.component.referenceRange'));
  });

  it('inherits the children of a slice from the base, with slice ids', () => {
    const children = snap.filter((e) => e.id?.startsWith('Observation.component:systolic.')).map((e) => e.id);
    expect(children).toEqual([
      'Observation.component:systolic.id', 'Observation.component:systolic.extension', 'Observation.component:systolic.modifierExtension',
      'Observation.component:systolic.code', 'Observation.component:systolic.value[x]', 'Observation.component:systolic.dataAbsentReason',
      'Observation.component:systolic.interpretation', 'Observation.component:systolic.referenceRange',
    ]);
    expect(byId(snap, 'Observation.component:systolic.code').patternCodeableConcept).toEqual({ coding: [{ code: '8480-6' }] });
  });

  it('makes content references absolute and keeps them unexpanded', () => {
    const ref = byId(snap, 'Observation.component:systolic.referenceRange');
    expect(ref.contentReference).toBe('http://hl7.org/fhir/StructureDefinition/Observation#Observation.referenceRange');
    expect(ref.type).toBeUndefined();
  });

  it('constrains inherited slices and adds new ones in a profile on the profile', () => {
    const derived = profile('Observation', [
      { id: 'Observation', path: 'Observation' },
      { id: 'Observation.component:systolic', path: 'Observation.component', sliceName: 'systolic' },
      { id: 'Observation.component:systolic.value[x]', path: 'Observation.component.value[x]', type: [{ code: 'Quantity' }] },
      { id: 'Observation.component:diastolic', path: 'Observation.component', sliceName: 'diastolic', max: '1' },
    ], { url: 'http://example.org/StructureDefinition/derived', baseDefinition: sd.url });
    const out = snapshotOf(derived, [sd]);
    expect(byId(out, 'Observation.category:lab').min).toBe(0);
    expect(byId(out, 'Observation.component:systolic.value[x]').type).toEqual([{ code: 'Quantity' }]);
    expect(byId(out, 'Observation.component:systolic').min).toBe(1);
    expect(byId(out, 'Observation.component:diastolic')).toMatchObject({ min: 0, max: '1' });
  });
});

describe('extension slices', () => {
  const sd = profile('Patient', [
    { id: 'Patient', path: 'Patient' },
    { id: 'Patient.extension:colour', path: 'Patient.extension', sliceName: 'colour', min: 1, type: [{ code: 'Extension', profile: [extension.url] }] },
  ]);
  const snap = snapshotOf(sd, [extension]);

  it('adds the implied url slicing and the generic extension text on the slicing entry', () => {
    const entry = byId(snap, 'Patient.extension');
    expect(entry.slicing).toEqual({ discriminator: [{ type: 'value', path: 'url' }], ordered: false, rules: 'open' });
    expect([entry.short, entry.definition]).toEqual(['Extension', 'An Extension']);
  });

  it('documents the slice from the extension definition, cardinality from the slice', () => {
    const slice = byId(snap, 'Patient.extension:colour');
    expect(slice).toMatchObject({ short: 'Favourite colour', definition: 'The colour the patient likes best.', min: 1, max: '1' });
    expect(slice.type).toEqual([{ code: 'Extension', profile: [extension.url] }]);
    expect(slice.base).toEqual({ path: 'DomainResource.extension', min: 0, max: '*' });
  });

  it('generates the extension\'s own snapshot (its base is Extension)', () => {
    const ext = generateSnapshot(extension, resolverWith([extension])).snapshot?.element ?? [];
    expect(byId(ext, 'Extension.value[x]').type).toEqual([{ code: 'string' }]);
    expect(byId(ext, 'Extension.url').fixedUri).toBe(extension.url);
    expect(byId(ext, 'Extension.extension').max).toBe('0');
  });
});

describe('content references and text', () => {
  const snap = snapshotOf(profile('Questionnaire', [
    { id: 'Questionnaire', path: 'Questionnaire' },
    { id: 'Questionnaire.status', path: 'Questionnaire.status', definition: '... Only active ones are published.', binding: { strength: 'required', valueSet: 'http://example.org/vs' }, mapping: [{ identity: 'rim', map: 'x' }] },
    { id: 'Questionnaire.item.item', path: 'Questionnaire.item.item', max: '5' },
    { id: 'Questionnaire.item.item.text', path: 'Questionnaire.item.item.text', min: 1 },
  ]));

  it('expands a content reference the differential walks into, from the referenced element', () => {
    const nested = byId(snap, 'Questionnaire.item.item');
    expect(nested.contentReference).toBeUndefined();
    expect(nested.type).toEqual([{ code: 'BackboneElement' }]);
    expect(nested.max).toBe('5');
    expect(byId(snap, 'Questionnaire.item.item.text')).toMatchObject({ min: 1, base: { path: 'Questionnaire.item.text', min: 0, max: '1' } });
    expect(byId(snap, 'Questionnaire.item.item.item').contentReference).toBe('http://hl7.org/fhir/StructureDefinition/Questionnaire#Questionnaire.item');
  });

  it('appends "..." text to the base text, replaces the binding and appends mappings', () => {
    const status = byId(snap, 'Questionnaire.status');
    expect(status.definition).toBe('The status of this questionnaire. Enables tracking the life-cycle of the content.\r\n Only active ones are published.');
    expect(status.binding).toEqual({ strength: 'required', valueSet: 'http://example.org/vs' });
    expect(status.mapping?.map((m) => `${m.identity}:${m.map}`)).toEqual(['workflow:Definition.status', 'w5:FiveWs.status', 'rim:.status', 'rim:x']);
  });

  it('makes relative links into the core specification absolute in inherited text', () => {
    expect(byId(snap, 'Questionnaire.modifierExtension').requirements).toContain('](http://hl7.org/fhir/R4/extensibility.html#modifierExtension)');
  });
});

describe('errors', () => {
  function codeOf(run: () => unknown): string | undefined {
    try {
      run();
    } catch (error) {
      return isMigrateError(error) ? error.code : `not a MigrateError: ${String(error)}`;
    }
    return undefined;
  }

  it('rejects a profile whose base cannot be resolved', () => {
    const sd = profile('Patient', [{ id: 'Patient', path: 'Patient' }], { baseDefinition: 'http://example.org/nowhere' });
    expect(codeOf(() => snapshotOf(sd))).toBe('FHIRMIG_ERR_VALIDATION_SNAPSHOT');
  });

  it('rejects differential elements that match nothing (strict by default)', () => {
    const sd = profile('Patient', [{ id: 'Patient', path: 'Patient' }, { id: 'Patient.nonsense', path: 'Patient.nonsense', min: 1 }]);
    expect(codeOf(() => snapshotOf(sd))).toBe('FHIRMIG_ERR_VALIDATION_SNAPSHOT');
    expect(codeOf(() => snapshotOf(sd, [], { strict: false }))).toBeUndefined();
  });

  it('rejects slicing a non-repeating element', () => {
    const sd = profile('Patient', [
      { id: 'Patient', path: 'Patient' },
      { id: 'Patient.gender', path: 'Patient.gender', slicing: { discriminator: [{ type: 'value', path: '$this' }], rules: 'open' } },
      { id: 'Patient.gender:a', path: 'Patient.gender', sliceName: 'a' },
    ]);
    expect(codeOf(() => snapshotOf(sd))).toBe('FHIRMIG_ERR_VALIDATION_SNAPSHOT');
  });

  it('rejects specializations (only constraints are generated)', () => {
    const sd = profile('Patient', [{ id: 'Patient', path: 'Patient' }], { derivation: 'specialization' });
    expect(codeOf(() => snapshotOf(sd))).toBe('FHIRMIG_ERR_VALIDATION_SNAPSHOT');
  });
});
