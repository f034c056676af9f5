import { ConformanceContext, isValid, validateResource } from '../../src/validation/index.ts';
import { usCore } from './support.ts';

/** The validation API beyond the data-driven cases: options, canonical resolution, local expansion. */
const TEXT = { status: 'generated', div: '<div xmlns="http://www.w3.org/1999/xhtml">x</div>' };
const CS_URL = 'http://example.org/fhir/CodeSystem/colours';

const colours: fhir4.CodeSystem = {
  resourceType: 'CodeSystem', url: CS_URL, version: '2.0.0', status: 'active', content: 'complete',
  property: [{ code: 'warm', type: 'boolean' }],
  concept: [
    { code: 'red', display: 'Red', property: [{ code: 'warm', valueBoolean: true }], concept: [{ code: 'crimson', display: 'Crimson', property: [{ code: 'warm', valueBoolean: true }] }] },
    { code: 'blue', display: 'Blue', concept: [{ code: 'navy', display: 'Navy' }] },
  ],
};

function valueSet(id: string, compose: fhir4.ValueSetCompose): fhir4.ValueSet {
  return { resourceType: 'ValueSet', url: `http://example.org/fhir/ValueSet/${id}`, status: 'active', compose };
}

/** An Observation whose category is bound (required) to the given ValueSet through a tiny profile. */
function profileBinding(valueSetUrl: string): fhir4.StructureDefinition {
  const base = usCore().structureDefinition('http://hl7.org/fhir/StructureDefinition/Observation') as fhir4.StructureDefinition;
  const profile = structuredClone(base);
  profile.url = `http://example.org/fhir/StructureDefinition/obs-${valueSetUrl.split('/').pop() ?? ''}`;
  profile.derivation = 'constraint';
  const category = profile.snapshot?.element.find((e) => e.path === 'Observation.category');
  if (category) category.binding = { strength: 'required', valueSet: valueSetUrl };
  return profile;
}

function observationWith(code: string, profile: string): unknown {
  return {
    resourceType: 'Observation', id: 'o', text: TEXT, status: 'final', code: { text: 'x' }, meta: { profile: [profile] },
    category: [{ coding: [{ system: CS_URL, code }] }],
  };
}

function errorsOf(context: ConformanceContext, resource: unknown): string[] {
  return validateResource(context, resource).issue.filter((i) => i.severity === 'error').map((i) => i.diagnostics ?? '');
}

describe('local ValueSet expansion (FHIR R4 §4.9.5 compose)', () => {
  const context = usCore().fork();
  context.add(colours);
  const sets = {
    isA: valueSet('warm-is-a', { include: [{ system: CS_URL, filter: [{ property: 'concept', op: 'is-a', value: 'red' }] }] }),
    descendent: valueSet('blue-descendants', { include: [{ system: CS_URL, filter: [{ property: 'concept', op: 'descendent-of', value: 'blue' }] }] }),
    property: valueSet('warm-property', { include: [{ system: CS_URL, filter: [{ property: 'warm', op: '=', value: 'true' }] }] }),
    excluded: valueSet('all-but-navy', { include: [{ system: CS_URL }], exclude: [{ system: CS_URL, concept: [{ code: 'navy' }] }] }),
    unknown: valueSet('loinc-filter', { include: [{ system: 'http://loinc.org', filter: [{ property: 'CLASS', op: '=', value: 'CHEM' }] }] }),
  };
  for (const vs of Object.values(sets)) {
    context.add(vs);
    context.add(profileBinding(vs.url as string));
  }
  const check = (vs: fhir4.ValueSet, code: string): string[] =>
    errorsOf(context, observationWith(code, `http://example.org/fhir/StructureDefinition/obs-${(vs.url as string).split('/').pop() ?? ''}`));

  it('is-a includes the concept and its descendants, nothing else', () => {
    expect(check(sets.isA, 'red')).toEqual([]);
    expect(check(sets.isA, 'crimson')).toEqual([]);
    expect(check(sets.isA, 'blue')).toEqual([`The value ${CS_URL}#blue is not in the ValueSet http://example.org/fhir/ValueSet/warm-is-a (required binding)`]);
  });

  it('descendent-of excludes the concept itself', () => {
    expect(check(sets.descendent, 'navy')).toEqual([]);
    expect(check(sets.descendent, 'blue')).toHaveLength(1);
  });

  it('= filters on a concept property', () => {
    expect(check(sets.property, 'crimson')).toEqual([]);
    expect(check(sets.property, 'navy')).toHaveLength(1);
  });

  it('exclude removes codes from a whole-system include', () => {
    expect(check(sets.excluded, 'blue')).toEqual([]);
    expect(check(sets.excluded, 'navy')).toHaveLength(1);
  });

  it('a code that is not in its complete CodeSystem is reported (a warning outside the systems R4 defines)', () => {
    const outcome = validateResource(context, observationWith('green', 'http://example.org/fhir/StructureDefinition/obs-all-but-navy'));
    expect(outcome.issue).toContainEqual(expect.objectContaining({
      severity: 'warning', code: 'code-invalid', expression: ['Observation.category[0].coding[0]'], diagnostics: `Unknown code 'green' in the CodeSystem ${CS_URL}`,
    }));
    expect(check(sets.excluded, 'green')).toHaveLength(1); // and not in the (required) ValueSet
  });

  it('a ValueSet that cannot be expanded offline gives information, never an error', () => {
    const outcome = validateResource(context, observationWith('red', 'http://example.org/fhir/StructureDefinition/obs-loinc-filter'));
    expect(outcome.issue.filter((i) => i.severity === 'error')).toEqual([]);
    expect(outcome.issue).toContainEqual(expect.objectContaining({ severity: 'information', expression: ['Observation.category[0]'] }));
  });
});

describe('conformance context', () => {
  it('resolves url|version, and the highest version without one', () => {
    const context = new ConformanceContext();
    context.add({ ...colours, version: '1.0.0', name: 'old' });
    context.add({ ...colours, version: '2.0.0', name: 'new' });
    context.add({ ...colours, version: '10.0.0', name: 'newest' });
    expect(context.codeSystem(`${CS_URL}|1.0.0`)?.name).toBe('old');
    expect(context.codeSystem(CS_URL)?.name).toBe('newest');
    expect(context.codeSystem(`${CS_URL}|3.0.0`)).toBeUndefined();
  });

  it('adds the conformance resources of a Bundle and ignores other resources', () => {
    const context = new ConformanceContext();
    const added = context.add({ resourceType: 'Bundle', type: 'collection', entry: [{ resource: colours }, { resource: { resourceType: 'Patient' } }] });
    expect(added).toBe(1);
  });

  it('fork() shares what is loaded but keeps additions to itself', () => {
    const base = new ConformanceContext();
    base.add(colours);
    const forked = base.fork();
    forked.add(valueSet('only-in-fork', { include: [{ system: CS_URL }] }));
    expect(forked.codeSystem(CS_URL)).toBeDefined();
    expect(forked.valueSet('http://example.org/fhir/ValueSet/only-in-fork')).toBeDefined();
    expect(base.valueSet('http://example.org/fhir/ValueSet/only-in-fork')).toBeUndefined();
  });
});

describe('validation options', () => {
  const patient = { resourceType: 'Patient', id: 'p', text: TEXT, extension: [{ url: 'http://example.org/x', valueString: 'a' }] };

  it('unknown extensions: warning by default, error, information or ignored on request', () => {
    const severities = (policy?: 'error' | 'warning' | 'information' | 'ignore'): string[] =>
      validateResource(usCore(), patient, policy ? { unknownExtensions: policy } : {}).issue.map((i) => i.severity);
    expect(severities()).toEqual(['warning']);
    expect(severities('error')).toEqual(['error']);
    expect(severities('information')).toEqual(['information']);
    expect(severities('ignore')).toEqual(['information']); // the "All OK" issue
    expect(isValid(validateResource(usCore(), patient, { unknownExtensions: 'error' }))).toBe(false);
  });

  it('notes absent must-support elements only when asked', () => {
    const bare = { resourceType: 'Patient', id: 'p', text: TEXT, identifier: [{ system: 'urn:x', value: '1' }], name: [{ family: 'X' }], gender: 'other' };
    const options = { profiles: ['http://hl7.org/fhir/us/core/StructureDefinition/us-core-patient'] };
    expect(validateResource(usCore(), bare, options).issue.some((i) => i.diagnostics?.startsWith('Must-support'))).toBe(false);
    const noted = validateResource(usCore(), bare, { ...options, reportMustSupport: true }).issue.filter((i) => i.diagnostics?.startsWith('Must-support'));
    expect(noted.map((i) => i.diagnostics)).toContain('Must-support element Patient.birthDate is absent (http://hl7.org/fhir/us/core/StructureDefinition/us-core-patient)');
    expect(noted.every((i) => i.severity === 'information')).toBe(true);
  });

  it('an explicit profile that is not loaded is a FHIRMIG_ERR_VALIDATION_PROFILE_NOT_FOUND error', () => {
    expect(() => validateResource(usCore(), patient, { profiles: ['http://example.org/nope'] }))
      .toThrow(expect.objectContaining({ code: 'FHIRMIG_ERR_VALIDATION_PROFILE_NOT_FOUND' }));
  });
});

describe('FHIRPath quirks of invariants', () => {
  const context = usCore().fork();
  const base = usCore().structureDefinition('http://hl7.org/fhir/StructureDefinition/Patient') as fhir4.StructureDefinition;
  const profile = structuredClone(base);
  profile.url = 'http://example.org/fhir/StructureDefinition/patient-quirks';
  profile.derivation = 'constraint';
  profile.snapshot?.element[0]?.constraint?.push(
    { key: 'mo-1', severity: 'error', human: 'marital status from the R4 ValueSet', expression: "maritalStatus.empty() or maritalStatus.memberOf('http://hl7.org/fhir/ValueSet/marital-status')" },
    { key: 'ct-1', severity: 'error', human: 'conforms to a profile', expression: "conformsTo('http://hl7.org/fhir/StructureDefinition/Patient')" },
  );
  context.add(profile);
  const patient = (maritalCode: string): unknown => ({
    resourceType: 'Patient', id: 'p', text: TEXT, meta: { profile: [profile.url] },
    maritalStatus: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-MaritalStatus', code: maritalCode }] },
  });

  it('memberOf() is answered from the locally expanded ValueSet', () => {
    const ok = validateResource(context, patient('M')).issue;
    expect(ok.filter((i) => i.diagnostics?.includes('mo-1'))).toEqual([]);
    const bad = validateResource(context, patient('Z')).issue;
    expect(bad).toContainEqual(expect.objectContaining({ severity: 'error', code: 'invariant', expression: ['Patient'], diagnostics: expect.stringContaining('mo-1') }));
  });

  it('an invariant the engine cannot evaluate offline (conformsTo) is an information issue, never an error', () => {
    const issues = validateResource(context, patient('M')).issue;
    expect(issues).toEqual([expect.objectContaining({ severity: 'information', expression: ['Patient'], diagnostics: expect.stringContaining('Constraint ct-1 was not checked') })]);
  });
});
