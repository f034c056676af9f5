/**
 * Reslicing in the snapshot generator (FHIR R4 profiling.html#reslicing): a slice may itself be
 * sliced; the reslices (`a/b`) are slices of slice `a`. Rules checked here:
 *  R1 the slicing declared on a slice is kept on that slice in the snapshot;
 *  R2 reslices follow their slice (root and children), in differential order;
 *  R3 a reslice starts from its slice: it inherits the constraints the slice puts on the element and
 *     its children (a reslice must conform to the slice it refines), then applies its own;
 *  R4 the slice's slicing is not inherited by its reslices; ids are `path:slice/reslice.child`.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateSnapshot } from '../../../src/validation/snapshot/index.ts';
import { baseDefinitions, resolverWith } from './definitions.ts';

type ED = fhir4.ElementDefinition;
/** An element reduced to what the rules decide (`type` as its codes). */
type Projected = Record<string, unknown>;
const CASES = join(__dirname, '..', 'cases');

function differentialOnly(file: string): fhir4.StructureDefinition {
  return JSON.parse(readFileSync(join(CASES, file), 'utf8')) as fhir4.StructureDefinition;
}

function generate(sd: fhir4.StructureDefinition): ED[] {
  expect(sd.snapshot).toBeUndefined();
  return generateSnapshot(sd, resolverWith([sd])).snapshot?.element ?? [];
}

describe('Patient.identifier:mrn resliced into mrn/primary and mrn/old (test/validation/cases/reslicing-valid)', () => {
  const generated = generate(differentialOnly('reslicing-valid/patient-resliced.json'));
  const expected = (JSON.parse(readFileSync(join(__dirname, 'expected', 'patient-resliced.snapshot.json'), 'utf8')) as { element: ED[] }).element;

  it('equals the expected snapshot element by element', () => {
    expect(generated.map((e) => e.id)).toEqual(expected.map((e) => e.id));
    generated.forEach((element, i) => expect(element).toEqual(expected[i]));
  });

  it('R1, R3, R4: the slicing stays on slice mrn; the reslices carry the fixed system of mrn and their own use', () => {
    const at = (id: string) => generated.find((e) => e.id === id);
    expect(at('Patient.identifier:mrn')?.slicing).toEqual({ discriminator: [{ type: 'value', path: 'use' }], rules: 'closed' });
    for (const [reslice, use] of [['primary', 'official'], ['old', 'old']] as const) {
      expect(at(`Patient.identifier:mrn/${reslice}`)?.slicing).toBeUndefined();
      expect(at(`Patient.identifier:mrn/${reslice}.system`)).toMatchObject({ min: 1, fixedUri: 'http://example.org/mrn' });
      expect(at(`Patient.identifier:mrn/${reslice}.use`)).toMatchObject({ min: 1, fixedCode: use });
    }
  });
});

describe('Observation.component:pressure resliced into pressure/systolic and pressure/diastolic (a BackboneElement)', () => {
  const generated = generate(differentialOnly('reslicing-component-differential/bp-resliced.json'));
  const base = baseDefinitions().get('http://hl7.org/fhir/StructureDefinition/Observation')?.snapshot?.element ?? [];
  const component = base.filter((e) => e.path === 'Observation.component' || e.path.startsWith('Observation.component.'));

  /** The expected elements of one slice: the base component subtree, renamed, with the constraints given by relative path. */
  function slice(name: string, constraints: Record<string, Projected>): Projected[] {
    return component.map((e) => {
      const rel = e.path.slice('Observation.component'.length);
      return { ...project(e), id: `Observation.component:${name}${rel}`, ...(rel === '' ? { sliceName: name } : {}), ...constraints[rel] };
    });
  }
  const LOINC = 'http://loinc.org';
  const pressure = { '.code': { patternCodeableConcept: { coding: [{ system: LOINC }] } }, '.value[x]': { min: 1, type: ['Quantity'] } };
  const expectedComponent: Projected[] = [
    ...slice('', { '': { slicing: { discriminator: [{ type: 'pattern', path: 'code' }], rules: 'open' } } }).map((e, i) => ({ ...e, id: component[i]?.id, sliceName: undefined })),
    ...slice('pressure', { '': { min: 2, max: '2', slicing: { discriminator: [{ type: 'pattern', path: 'code' }], ordered: true, rules: 'closed' } }, ...pressure }),
    ...slice('pressure/systolic', { '': { min: 1, max: '1' }, ...pressure, '.code': { patternCodeableConcept: { coding: [{ system: LOINC, code: '8480-6' }] } } }),
    ...slice('pressure/diastolic', {
      '': { min: 1, max: '1' }, ...pressure,
      '.code': { patternCodeableConcept: { coding: [{ system: LOINC, code: '8462-4' }] } },
      '.value[x]': { min: 1, type: ['Quantity'], short: 'diastolic in mm[Hg]' },
    }),
  ];

  it('R2: the component subtree is the sliced element, then each slice with its children, reslices right after their slice', () => {
    const first = generated.findIndex((e) => e.path === 'Observation.component');
    const last = generated.findLastIndex((e) => e.path.startsWith('Observation.component'));
    expect(generated.slice(first, last + 1).map((e) => e.id)).toEqual(expectedComponent.map((e) => e.id));
    // the rest of Observation is untouched
    expect(generated.length).toBe(base.length + 3 * component.length);
  });

  it('R1, R3, R4: each element as the rules derive it from the base Observation', () => {
    const first = generated.findIndex((e) => e.path === 'Observation.component');
    expectedComponent.forEach((want, i) => expect(project(generated[first + i] as ED)).toEqual(want));
  });
});

/** The properties the reslicing rules decide, with `type` reduced to its codes and `base` kept. */
function project(e: ED): Projected {
  return {
    id: e.id, path: e.path, sliceName: e.sliceName, min: e.min, max: e.max, slicing: e.slicing, short: e.short,
    type: e.type?.map((t) => t.code), patternCodeableConcept: e.patternCodeableConcept,
    base: e.base ? { path: e.base.path, min: e.base.min, max: e.base.max } : undefined,
  };
}

describe('profiles on a resliced profile (the base snapshot already has slices and reslices)', () => {
  const base = differentialOnly('reslicing-cardinality/patient-resliced.json'); // mrn resliced, open
  const baseSnapshot = generate(structuredClone(base));
  const derived = (element: ED[], baseDefinition = base.url): fhir4.StructureDefinition => ({
    resourceType: 'StructureDefinition', url: 'http://example.org/fhir/StructureDefinition/derived', name: 'Derived', status: 'draft',
    kind: 'resource', abstract: false, type: 'Patient', derivation: 'constraint', baseDefinition, differential: { element },
  });
  const identifierGroup = (elements: ED[]) => elements.filter((e) => e.path.startsWith('Patient.identifier'));
  const summary = (e: ED) => [e.id, e.min, e.max, e.slicing?.discriminator?.map((d) => d.path).join(','), e.fixedUri ?? e.fixedCode, e.mustSupport];

  it('copies the slice, its slicing and its reslices unchanged when the differential only touches the sliced element', () => {
    const elements = generateSnapshot(derived([{ id: 'Patient', path: 'Patient' }, { id: 'Patient.identifier', path: 'Patient.identifier', mustSupport: true }]), resolverWith([base])).snapshot?.element ?? [];
    const want = identifierGroup(baseSnapshot).map(summary);
    (want[0] as unknown[])[5] = true;
    expect(identifierGroup(elements).map(summary)).toEqual(want);
  });

  it('constrains an inherited reslice in place and adds a new reslice after the inherited ones, starting from slice mrn', () => {
    const elements = generateSnapshot(derived([
      { id: 'Patient', path: 'Patient' },
      { id: 'Patient.identifier:mrn', path: 'Patient.identifier', sliceName: 'mrn' },
      { id: 'Patient.identifier:mrn/primary', path: 'Patient.identifier', sliceName: 'mrn/primary', mustSupport: true },
      { id: 'Patient.identifier:mrn/temp', path: 'Patient.identifier', sliceName: 'mrn/temp', max: '1' },
      { id: 'Patient.identifier:mrn/temp.use', path: 'Patient.identifier.use', fixedCode: 'temp' },
    ]), resolverWith([base])).snapshot?.element ?? [];
    const roots = identifierGroup(elements).filter((e) => e.path === 'Patient.identifier').map(summary);
    expect(roots).toEqual([
      ['Patient.identifier', 0, '*', 'system', undefined, undefined],
      ['Patient.identifier:mrn', 1, '2', 'use', undefined, undefined],
      ['Patient.identifier:mrn/primary', 1, '1', undefined, undefined, true],
      ['Patient.identifier:mrn/old', 0, '1', undefined, undefined, undefined],
      ['Patient.identifier:mrn/temp', 0, '1', undefined, undefined, undefined],
    ]);
    const at = (id: string) => elements.find((e) => e.id === id);
    expect(at('Patient.identifier:mrn/temp.system')).toMatchObject({ min: 1, fixedUri: 'http://example.org/mrn' }); // R3 from mrn
    expect(at('Patient.identifier:mrn/temp.use')?.fixedCode).toBe('temp');
    expect(at('Patient.identifier:mrn/primary.use')?.fixedCode).toBe('official'); // kept from the base reslice
    expect(elements.filter((e) => e.id?.startsWith('Patient.identifier:mrn/temp'))).toHaveLength(9); // the root and Identifier's 8 children
  });

  it('reslices a slice the base has but did not reslice, and a new slice, each after its slice', () => {
    const plain = structuredClone(base);
    plain.url = 'http://example.org/fhir/StructureDefinition/patient-mrn';
    plain.differential = { element: (plain.differential?.element ?? []).filter((e) => !e.id?.includes('/')).map((e) => (e.sliceName ? { ...e, slicing: undefined } : e)) };
    const byUse = { discriminator: [{ type: 'value' as const, path: 'use' }], rules: 'open' as const };
    const elements = generateSnapshot(derived([
      { id: 'Patient', path: 'Patient' },
      { id: 'Patient.identifier:mrn', path: 'Patient.identifier', sliceName: 'mrn', slicing: byUse },
      { id: 'Patient.identifier:mrn/usual', path: 'Patient.identifier', sliceName: 'mrn/usual', max: '1' },
      { id: 'Patient.identifier:mrn/usual.use', path: 'Patient.identifier.use', fixedCode: 'usual' },
      { id: 'Patient.identifier:ssn', path: 'Patient.identifier', sliceName: 'ssn', slicing: byUse },
      { id: 'Patient.identifier:ssn/official', path: 'Patient.identifier', sliceName: 'ssn/official', max: '1' },
    ], plain.url), resolverWith([plain])).snapshot?.element ?? [];
    const shown = identifierGroup(elements).filter((e) => ['Patient.identifier', 'Patient.identifier.system', 'Patient.identifier.use'].includes(e.path)).map(summary);
    expect(shown).toEqual([
      ['Patient.identifier', 0, '*', 'system', undefined, undefined],
      ['Patient.identifier:mrn', 1, '2', 'use', undefined, undefined],
      ['Patient.identifier:mrn.use', 0, '1', undefined, undefined, undefined],
      ['Patient.identifier:mrn.system', 1, '1', undefined, 'http://example.org/mrn', undefined],
      ['Patient.identifier:mrn/usual', 0, '1', undefined, undefined, undefined],
      ['Patient.identifier:mrn/usual.use', 0, '1', undefined, 'usual', undefined],
      ['Patient.identifier:mrn/usual.system', 1, '1', undefined, 'http://example.org/mrn', undefined],
      ['Patient.identifier:ssn', 0, '*', 'use', undefined, undefined],
      ['Patient.identifier:ssn/official', 0, '1', undefined, undefined, undefined],
    ]);
  });
});

describe('an extension slice resliced (Patient.extension:nationality/french)', () => {
  const NATIONALITY = 'http://hl7.org/fhir/StructureDefinition/patient-nationality';
  const byCode = { discriminator: [{ type: 'value' as const, path: "extension('code').value" }], rules: 'open' as const };
  const sd: fhir4.StructureDefinition = {
    resourceType: 'StructureDefinition', url: 'http://example.org/fhir/StructureDefinition/patient-nationalities', name: 'PatientNationalities',
    status: 'draft', kind: 'resource', abstract: false, type: 'Patient', derivation: 'constraint', baseDefinition: 'http://hl7.org/fhir/StructureDefinition/Patient',
    differential: { element: [
      { id: 'Patient', path: 'Patient' },
      { id: 'Patient.extension:nationality', path: 'Patient.extension', sliceName: 'nationality', type: [{ code: 'Extension', profile: [NATIONALITY] }], slicing: byCode },
      { id: 'Patient.extension:nationality/french', path: 'Patient.extension', sliceName: 'nationality/french', max: '1', short: 'French nationality' },
    ] },
  };
  const elements = generate(sd).filter((e) => e.path === 'Patient.extension');

  it('R1, R4: the implied url slicing stays on Patient.extension, the reslicing on the slice; the reslice keeps the slice\'s type profile', () => {
    expect(elements.map((e) => [e.id, e.slicing?.discriminator?.[0]?.path, e.type?.[0]?.profile?.[0], e.max])).toEqual([
      ['Patient.extension', 'url', undefined, '*'],
      ['Patient.extension:nationality', "extension('code').value", NATIONALITY, '*'],
      ['Patient.extension:nationality/french', undefined, NATIONALITY, '1'],
    ]);
    expect(elements[2]?.short).toBe('French nationality');
  });
});
