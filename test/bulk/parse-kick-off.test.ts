import { parseKickOff } from '../../src/bulk/index.ts';
import type { ExportLevel, KickOffInput } from '../../src/bulk/index.ts';

/**
 * Kick-off parameters, Bulk Data Access IG v2.0.0 "Bulk Data Kick-off Request" (query parameters
 * table; headers `Prefer: respond-async` and `Prefer: handling`).
 */
function input(parameters: Record<string, string | string[]>, options: { level?: ExportLevel; prefer?: string } = {}): KickOffInput {
  const map = new Map(Object.entries(parameters).map(([k, v]) => [k, (Array.isArray(v) ? v : [v]).map((value) => ({ kind: 'string' as const, value }))]));
  return { level: options.level ?? 'system', requestUrl: 'http://x/fhir/$export', parameters: map, prefer: options.prefer ?? 'respond-async' };
}

const strict = { prefer: 'respond-async, handling=strict' };

describe('Prefer header (IG: kick-off request headers)', () => {
  it('refuses a kick-off without respond-async (FHIRMIG_ERR_BULK_ASYNC_REQUIRED, 400)', () => {
    expect(() => parseKickOff({ ...input({}), prefer: undefined })).toThrow(expect.objectContaining({ code: 'FHIRMIG_ERR_BULK_ASYNC_REQUIRED', status: 400 }));
    expect(() => parseKickOff({ ...input({}), prefer: 'return=minimal' })).toThrow(expect.objectContaining({ code: 'FHIRMIG_ERR_BULK_ASYNC_REQUIRED' }));
  });

  it('reads handling=strict; lenient is the default', () => {
    expect(parseKickOff(input({}, strict)).handling).toBe('strict');
    expect(parseKickOff(input({})).handling).toBe('lenient');
    expect(parseKickOff(input({}, { prefer: 'respond-async; handling=lenient' })).handling).toBe('lenient');
  });
});

describe('_outputFormat, _since, _type', () => {
  it.each(['application/fhir+ndjson', 'application/ndjson', 'ndjson'])('accepts _outputFormat %s (IG: required formats)', (format) => {
    expect(() => parseKickOff(input({ _outputFormat: format }))).not.toThrow();
  });

  it('refuses other output formats whatever the handling', () => {
    expect(() => parseKickOff(input({ _outputFormat: 'text/csv' }))).toThrow(expect.objectContaining({ code: 'FHIRMIG_ERR_BULK_PARAMETER', message: expect.stringContaining('_outputFormat') }));
  });

  it('normalises _since to a UTC instant and refuses a date without time', () => {
    expect(parseKickOff(input({ _since: '2024-03-01T10:00:00+02:00' })).since).toBe('2024-03-01T08:00:00.000Z');
    expect(() => parseKickOff(input({ _since: '2024-03-01' }))).toThrow(expect.objectContaining({ code: 'FHIRMIG_ERR_BULK_PARAMETER', message: expect.stringContaining('_since') }));
    expect(() => parseKickOff(input({ _since: ['2024-03-01T00:00:00Z', '2024-04-01T00:00:00Z'] }))).toThrow(expect.objectContaining({ code: 'FHIRMIG_ERR_BULK_PARAMETER' }));
  });

  it('splits _type on commas and across repeats, deduplicated', () => {
    expect(parseKickOff(input({ _type: ['Patient,Observation', 'Patient'] })).types).toEqual(['Patient', 'Observation']);
    expect(parseKickOff(input({})).types).toBeUndefined();
  });

  it('an unknown _type: 400 under strict; ignored and reported under lenient', () => {
    expect(() => parseKickOff(input({ _type: 'Patient,Nonsense' }, strict))).toThrow(expect.objectContaining({ code: 'FHIRMIG_ERR_BULK_PARAMETER', message: expect.stringContaining('Nonsense') }));
    const lenient = parseKickOff(input({ _type: 'Patient,Nonsense' }));
    expect(lenient.types).toEqual(['Patient']);
    expect(lenient.ignored).toEqual([{ parameter: '_type', reason: 'Nonsense is not an R4 resource type' }]);
  });

  it('Patient level: a type outside the Patient compartment is unsupported (IG: Patient-level _type)', () => {
    expect(() => parseKickOff(input({ _type: 'Organization' }, { ...strict, level: 'patient' }))).toThrow(expect.objectContaining({ message: expect.stringContaining('Patient compartment') }));
    expect(parseKickOff(input({ _type: 'Organization,Observation' }, { level: 'patient' })).types).toEqual(['Observation']);
    expect(parseKickOff(input({ _type: 'Organization' })).types).toEqual(['Organization']);
  });
});

describe('_typeFilter (IG: experimental query parameters)', () => {
  it('splits criteria only before Type? so that search values keep their commas', () => {
    const request = parseKickOff(input({ _typeFilter: 'Observation?status=final,amended&category=laboratory,Condition?clinical-status=active' }));
    expect(request.typeFilters).toEqual([
      { type: 'Observation', query: 'status=final,amended&category=laboratory' },
      { type: 'Condition', query: 'clinical-status=active' },
    ]);
  });

  it.each([
    ['Observation?subject.name=Smith', 'chained'],
    ['Observation?_has:Group:member:_id=1', '_has'],
    ['Observation?_count=10', '_count'],
    ['Observation?code:below=http://loinc.org|1', ':below'],
    ['Observation?nonsense=1', 'no search parameter nonsense'],
  ])('%s is unsupported (%s): strict → 400, lenient → ignored', (filter, reason) => {
    expect(() => parseKickOff(input({ _typeFilter: filter }, strict))).toThrow(expect.objectContaining({ code: 'FHIRMIG_ERR_BULK_PARAMETER', message: expect.stringContaining(reason) }));
    const lenient = parseKickOff(input({ _typeFilter: filter }));
    expect(lenient.typeFilters).toEqual([]);
    expect(lenient.ignored[0]?.parameter).toBe('_typeFilter');
  });

  it('refuses a value that is not Type?query', () => {
    expect(() => parseKickOff(input({ _typeFilter: 'status=final' }))).toThrow(expect.objectContaining({ code: 'FHIRMIG_ERR_BULK_PARAMETER' }));
  });
});

describe('_elements, patient, includeAssociatedData, unknown parameters', () => {
  it('reads Type.element and element selectors', () => {
    expect(parseKickOff(input({ _elements: 'Patient.birthDate,code' })).elements).toEqual([
      { type: 'Patient', element: 'birthDate' },
      { type: undefined, element: 'code' },
    ]);
    expect(() => parseKickOff(input({ _elements: 'Patient.name.given' }))).toThrow(expect.objectContaining({ code: 'FHIRMIG_ERR_BULK_PARAMETER' }));
  });

  it('a Type.element the type does not have: 400 under strict, ignored under lenient; choice elements by base name', () => {
    expect(() => parseKickOff(input({ _elements: 'Patient.valueQuantity' }, strict))).toThrow(expect.objectContaining({ message: expect.stringContaining('Patient has no element valueQuantity') }));
    expect(parseKickOff(input({ _elements: 'Patient.nope,Observation.value' })).elements).toEqual([{ type: 'Observation', element: 'value' }]);
  });

  it('patient: Patient references at Patient/Group level; not applicable at system level', () => {
    const request = parseKickOff({ ...input({}, { level: 'patient' }), parameters: new Map([['patient', [{ kind: 'reference', value: 'Patient/a' }, { kind: 'reference', value: 'Patient/b' }]]]) });
    expect(request.patients).toEqual(['a', 'b']);
    expect(() => parseKickOff(input({ patient: 'Observation/1' }, { level: 'patient' }))).toThrow(expect.objectContaining({ message: expect.stringContaining('Patient reference') }));
    expect(() => parseKickOff(input({ patient: 'Patient/a' }, strict))).toThrow(expect.objectContaining({ message: expect.stringContaining('Patient and Group level') }));
    expect(parseKickOff(input({ patient: 'Patient/a' })).patients).toBeUndefined();
  });

  it('includeAssociatedData: LatestProvenanceResources is supported, the other values are not', () => {
    expect(parseKickOff(input({ includeAssociatedData: 'LatestProvenanceResources' })).includeLatestProvenance).toBe(true);
    expect(() => parseKickOff(input({ includeAssociatedData: 'RelevantProvenanceResources' }, strict))).toThrow(expect.objectContaining({ code: 'FHIRMIG_ERR_BULK_PARAMETER' }));
    const lenient = parseKickOff(input({ includeAssociatedData: 'RelevantProvenanceResources,LatestProvenanceResources' }));
    expect(lenient.includeLatestProvenance).toBe(true);
    expect(lenient.ignored.map((i) => i.parameter)).toEqual(['includeAssociatedData']);
  });

  it('an unknown parameter: 400 under strict, ignored and reported under lenient', () => {
    expect(() => parseKickOff(input({ _until: '2024-01-01T00:00:00Z' }, strict))).toThrow(expect.objectContaining({ code: 'FHIRMIG_ERR_BULK_PARAMETER', message: expect.stringContaining('_until') }));
    expect(parseKickOff(input({ _until: '2024-01-01T00:00:00Z' })).ignored).toEqual([{ parameter: '_until', reason: 'this server does not support the parameter' }]);
  });
});
