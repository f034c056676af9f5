import type { FastifyInstance } from 'fastify';
import { FHIR_JSON_HEADERS, issueCode, testConfig } from './support.ts';
import { ROOT, LogSink } from './support.ts';
import { buildApp } from '../../src/app.ts';

/**
 * The FHIR operations end to end through HTTP, on the real engines and a real R4 context loaded
 * from configured folders (one app for the file: loading R4 takes seconds).
 */
const CASE = 'test/mapping/structuremap/cases/translate-code';
const GENDER_MAP = 'https://fhir-migrate.dev/ConceptMap/v2-0001-gender';
const CASE_MAP = 'http://example.org/fhir-migrate/translate-code';

let app: FastifyInstance;

beforeAll(async () => {
  const config = testConfig({ mapsDir: CASE, conceptMapDirs: [`${CASE}/conceptmaps`, 'conceptmaps'], profileDirs: [] });
  app = await buildApp(config, { cwd: ROOT, logStream: new LogSink() });
  await app.ready();
}, 120_000);
afterAll(() => app.close());

function post(url: string, payload: unknown) {
  return app.inject({ method: 'POST', url, headers: FHIR_JSON_HEADERS, payload: payload as string });
}

function parameters(...parameter: fhir4.ParametersParameter[]): fhir4.Parameters {
  return { resourceType: 'Parameters', parameter };
}

describe('POST /fhir/$validate (R4 resource-operation-validate.html)', () => {
  it('"the resource to validate" as the body: a valid resource gives 200 with an information-only OperationOutcome', async () => {
    const text = { status: 'generated', div: '<div xmlns="http://www.w3.org/1999/xhtml">A patient</div>' };
    const response = await post('/fhir/$validate', { resourceType: 'Patient', text, gender: 'female', birthDate: '1970-01-01' });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('application/fhir+json; charset=utf-8');
    expect(response.json()).toEqual({ resourceType: 'OperationOutcome', issue: [{ severity: 'information', code: 'informational', diagnostics: 'All OK' }] });
  });

  it('an invalid resource is still 200: "the validation itself" succeeded; the issues carry FHIRPath expressions', async () => {
    const response = await post('/fhir/$validate', { resourceType: 'Patient', gender: 'x', birthDate: '1970-13-01' });
    expect(response.statusCode).toBe(200);
    const issues = (response.json() as fhir4.OperationOutcome).issue.filter((i) => i.severity === 'error');
    expect(issues.map((i) => i.expression?.[0]).sort()).toEqual(['Patient.birthDate', 'Patient.gender']);
  });

  it('Parameters with "resource" and "profile" validate against the profile', async () => {
    const observation = { resourceType: 'Observation', status: 'final', code: { text: 'pulse' } };
    const response = await post('/fhir/$validate', parameters({ name: 'resource', resource: observation as fhir4.FhirResource }, { name: 'profile', valueUri: 'http://hl7.org/fhir/StructureDefinition/vitalsigns' }));
    expect(response.statusCode).toBe(200);
    const errors = (response.json() as fhir4.OperationOutcome).issue.filter((i) => i.severity === 'error');
    expect(errors.length).toBeGreaterThan(0);
    expect(errors.some((i) => /category|subject|effective/.test(`${i.expression?.[0]} ${i.diagnostics}`))).toBe(true);
  });

  it('a profile that is not loaded cannot be validated against: 404 FHIRMIG_ERR_VALIDATION_PROFILE_NOT_FOUND', async () => {
    const response = await post('/fhir/$validate?profile=http://example.org/StructureDefinition/nope', { resourceType: 'Patient' });
    expect(response.statusCode).toBe(404);
    expect(issueCode(response.body)).toBe('FHIRMIG_ERR_VALIDATION_PROFILE_NOT_FOUND');
  });
});

describe('POST /fhir/[type]/$validate (R4 resource-operation-validate.html, "URL: [base]/[Resource]/$validate")', () => {
  it('validates a resource of that type, and refuses another type with 400 FHIRMIG_ERR_API_REQUEST', async () => {
    const same = await post('/fhir/Patient/$validate', { resourceType: 'Patient', gender: 'x' });
    expect(same.statusCode).toBe(200);
    expect((same.json() as fhir4.OperationOutcome).issue.some((i) => i.expression?.[0] === 'Patient.gender')).toBe(true);
    const other = await post('/fhir/Observation/$validate', { resourceType: 'Patient' });
    expect([other.statusCode, issueCode(other.body)]).toEqual([400, 'FHIRMIG_ERR_API_REQUEST']);
  });
});

describe('POST /fhir/ConceptMap/$translate (R4 conceptmap-operation-translate.html)', () => {
  it('"url" names a map from the configured folders; system + code give result, match.equivalence and match.concept', async () => {
    const response = await post('/fhir/ConceptMap/$translate', parameters(
      { name: 'url', valueUri: GENDER_MAP },
      { name: 'system', valueUri: 'http://terminology.hl7.org/CodeSystem/v2-0001' },
      { name: 'code', valueCode: 'F' },
    ));
    expect(response.statusCode).toBe(200);
    const out = response.json() as fhir4.Parameters;
    expect(out.parameter?.[0]).toEqual({ name: 'result', valueBoolean: true });
    const match = out.parameter?.find((p) => p.name === 'match');
    expect(match?.part).toEqual(expect.arrayContaining([
      { name: 'equivalence', valueCode: expect.stringMatching(/equivalent|equal/) },
      { name: 'concept', valueCoding: expect.objectContaining({ system: 'http://hl7.org/fhir/administrative-gender', code: 'female' }) },
    ]));
  });

  it('an inline "conceptMap" is used as given; "reverse" translates target codes back', async () => {
    const conceptMap: fhir4.ConceptMap = {
      resourceType: 'ConceptMap', status: 'active', url: 'http://example.org/inline',
      group: [{ source: 'http://example.org/local', target: 'http://loinc.org', element: [{ code: 'GLU', target: [{ code: '2345-7', equivalence: 'equivalent' }] }] }],
    };
    const response = await post('/fhir/ConceptMap/$translate', parameters(
      { name: 'conceptMap', resource: conceptMap },
      { name: 'system', valueUri: 'http://loinc.org' },
      { name: 'code', valueCode: '2345-7' },
      { name: 'reverse', valueBoolean: true },
    ));
    expect(response.statusCode).toBe(200);
    const match = (response.json() as fhir4.Parameters).parameter?.find((p) => p.name === 'match');
    expect(match?.part?.find((p) => p.name === 'concept')?.valueCoding).toMatchObject({ system: 'http://example.org/local', code: 'GLU' });
  });

  it('GET with the simple in parameters in the query (R4 operations.html: operations that do not change state may use GET)', async () => {
    const query = new URLSearchParams({ url: GENDER_MAP, system: 'http://hl7.org/fhir/administrative-gender', code: 'male', reverse: 'true' });
    const response = await app.inject({ method: 'GET', url: `/fhir/ConceptMap/$translate?${query.toString()}` });
    expect(response.statusCode).toBe(200);
    const match = (response.json() as fhir4.Parameters).parameter?.find((p) => p.name === 'match');
    expect(match?.part?.find((p) => p.name === 'concept')?.valueCoding).toMatchObject({ system: 'http://terminology.hl7.org/CodeSystem/v2-0001', code: 'M' });
  });

  it('a code with no mapping is 200 with result false and a message (not an error)', async () => {
    const response = await post('/fhir/ConceptMap/$translate', parameters({ name: 'url', valueUri: GENDER_MAP }, { name: 'system', valueUri: 'http://terminology.hl7.org/CodeSystem/v2-0001' }, { name: 'code', valueCode: 'ZZ' }));
    expect(response.statusCode).toBe(200);
    const out = response.json() as fhir4.Parameters;
    expect(out.parameter?.[0]).toEqual({ name: 'result', valueBoolean: false });
    expect(out.parameter?.find((p) => p.name === 'message')?.valueString).toBeTruthy();
  });

  it('"If a code is provided, a system must be provided": 400 FHIRMIG_ERR_CONCEPTMAP_INVALID; an unknown url is 404', async () => {
    const noSystem = await post('/fhir/ConceptMap/$translate', parameters({ name: 'url', valueUri: GENDER_MAP }, { name: 'code', valueCode: 'F' }));
    expect([noSystem.statusCode, issueCode(noSystem.body)]).toEqual([400, 'FHIRMIG_ERR_CONCEPTMAP_INVALID']);
    const unknown = await post('/fhir/ConceptMap/$translate', parameters({ name: 'url', valueUri: 'http://example.org/none' }, { name: 'system', valueUri: 's' }, { name: 'code', valueCode: 'c' }));
    expect([unknown.statusCode, issueCode(unknown.body)]).toEqual([404, 'FHIRMIG_ERR_CONCEPTMAP_NOT_FOUND']);
  });
});

describe('POST /fhir/StructureMap/$transform (R4 structuremap-operation-transform.html)', () => {
  it('"source" is the canonical URL of a map compiled from the maps folder; the single out "return" resource is the body', async () => {
    const response = await post('/fhir/StructureMap/$transform', parameters({ name: 'source', valueUri: CASE_MAP }, { name: 'content', resource: { sex: 'F' } as unknown as fhir4.FhirResource }));
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('application/fhir+json; charset=utf-8');
    expect(response.json()).toEqual({ resourceType: 'Patient', gender: 'female' });
  });

  it('the content as body with ?source= (the HAPI/Matchbox form) gives the same result', async () => {
    const response = await post(`/fhir/StructureMap/$transform?source=${encodeURIComponent(CASE_MAP)}`, { sex: 'M' });
    expect(response.json()).toEqual({ resourceType: 'Patient', gender: 'male' });
  });

  it('an inline map: FML text or a StructureMap resource in "source"', async () => {
    const fml = `map "http://example.org/inline" = "inline"
uses "http://hl7.org/fhir/StructureDefinition/Patient" as target
group main(source src, target tgt : Patient) {
  src.dob as d -> tgt.birthDate = d "dob";
}`;
    const fromText = await post('/fhir/StructureMap/$transform', parameters({ name: 'source', valueString: fml }, { name: 'content', resource: { dob: '1980-05-06' } as unknown as fhir4.FhirResource }));
    expect(fromText.json()).toEqual({ resourceType: 'Patient', birthDate: '1980-05-06' });
    const structureMap: fhir4.StructureMap = {
      resourceType: 'StructureMap', url: 'http://example.org/sm', name: 'sm', status: 'active',
      structure: [{ url: 'http://hl7.org/fhir/StructureDefinition/Patient', mode: 'target' }],
      group: [{ name: 'main', typeMode: 'none', input: [{ name: 'src', mode: 'source' }, { name: 'tgt', type: 'Patient', mode: 'target' }], rule: [{ name: 'active', source: [{ context: 'src' }], target: [{ context: 'tgt', contextType: 'variable', element: 'active', transform: 'copy', parameter: [{ valueBoolean: true }] }] }] }],
    };
    const fromResource = await post('/fhir/StructureMap/$transform', parameters({ name: 'source', resource: structureMap }, { name: 'content', resource: { any: 1 } as unknown as fhir4.FhirResource }));
    expect(fromResource.json()).toEqual({ resourceType: 'Patient', active: true });
  });

  it('an unknown map is 404 FHIRMIG_ERR_MAP_NOT_FOUND; FML that does not parse is 400 FHIRMIG_ERR_FML_SYNTAX with line and column', async () => {
    const unknown = await post('/fhir/StructureMap/$transform?source=http://example.org/none', { a: 1 });
    expect([unknown.statusCode, issueCode(unknown.body)]).toEqual([404, 'FHIRMIG_ERR_MAP_NOT_FOUND']);
    const broken = await post('/fhir/StructureMap/$transform', parameters({ name: 'source', valueString: 'map "http://x" = "x"\ngroup main(source src) {\n  src -> ;\n}' }, { name: 'content', resource: { a: 1 } as unknown as fhir4.FhirResource }));
    expect([broken.statusCode, issueCode(broken.body)]).toEqual([400, 'FHIRMIG_ERR_FML_SYNTAX']);
    expect((broken.json() as fhir4.OperationOutcome).issue[0]?.diagnostics).toMatch(/^request:3:\d+: /);
  });

  it('Parameters without "content" and no ?source is 400 FHIRMIG_ERR_API_REQUEST', async () => {
    const response = await post('/fhir/StructureMap/$transform', parameters({ name: 'source', valueUri: CASE_MAP }));
    expect([response.statusCode, issueCode(response.body)]).toEqual([400, 'FHIRMIG_ERR_API_REQUEST']);
  });
});

describe('GET /ready on the real context', () => {
  it('reports the loaded conformance resources and maps', async () => {
    const response = await app.inject({ method: 'GET', url: '/ready' });
    expect(response.statusCode).toBe(200);
    const checks = (response.json() as { checks: { name: string; ok: boolean; detail: string }[] }).checks;
    expect(checks.map((c) => c.name)).toEqual(['conformance', 'maps', 'store']);
    expect(checks[1]?.detail).toMatch(/^1 StructureMaps, [1-9]\d* ConceptMaps/);
  });
});
