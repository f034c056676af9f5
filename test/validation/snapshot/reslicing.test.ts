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
