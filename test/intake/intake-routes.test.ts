import { generateKeyPairSync, randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { ConvertCall, IntakePort } from '../../src/api/index.ts';
import { signJwt } from '../../src/target/index.ts';
import { FHIR_JSON_HEADERS, issueCode, testApp, testConfig } from '../api/support.ts';

/**
 * The HTTP layer of bundle intake: the routes, their access rule (system/*.write), the 503 when
 * no target is configured, the `$convert` inputs (Parameters, raw HL7 v2 / XML bodies) and the
 * CapabilityStatement. The intake port here records its calls; the real service runs in
 * intake-loopback.test.ts.
 */
const TRANSACTION = { resourceType: 'Bundle', type: 'transaction', entry: [] };
const ORU = 'MSH|^~\\&|LAB|HOSP|EHR|HOSP|20240101120000||ORU^R01|MSG1|P|2.5.1\rPID|1||123^^^HOSP^MR||Doe^Jane\r';

function recordingIntake(): IntakePort & { calls: ConvertCall[]; bundles: unknown[] } {
  const calls: ConvertCall[] = [];
  const bundles: unknown[] = [];
  return {
    calls,
    bundles,
    submit: async (bundle) => {
      bundles.push(bundle);
      return { status: 200, resource: { resourceType: 'Bundle', type: 'transaction-response', entry: [] }, headers: { 'x-provenance': 'Provenance/p1' } };
    },
    convert: async (call) => {
      calls.push(call);
      return { status: 200, resource: { resourceType: 'Bundle', type: 'transaction-response', entry: [] } };
    },
  };
}

describe('without an intake target', () => {
  let app: FastifyInstance;
  beforeAll(async () => ({ app } = await testApp()));
  afterAll(() => app.close());

  it.each(['/fhir', '/fhir/$convert'])('POST %s answers 503 FHIRMIG_ERR_INTAKE_NOT_CONFIGURED naming the setting', async (url) => {
    const response = await app.inject({ method: 'POST', url, headers: FHIR_JSON_HEADERS, payload: url === '/fhir' ? TRANSACTION : { resourceType: 'Parameters', parameter: [] } });
    expect(response.statusCode).toBe(503);
    expect(issueCode(response.body)).toBe('FHIRMIG_ERR_INTAKE_NOT_CONFIGURED');
    expect(response.json().issue[0].diagnostics).toContain('intake.target.url');
  });

  it('the OpenAPI document lists both routes (generated from their schemas)', async () => {
    const paths = Object.keys((await app.inject({ method: 'GET', url: '/documentation/json' })).json().paths);
    expect(paths).toEqual(expect.arrayContaining(['/fhir', '/fhir/$convert']));
  });

  it('the CapabilityStatement advertises neither transaction/batch nor $convert', async () => {
    const rest = (await app.inject({ method: 'GET', url: '/fhir/metadata' })).json().rest[0];
    expect(rest.interaction).toBeUndefined();
    expect(rest.operation.map((o: { name: string }) => o.name)).not.toContain('convert');
  });
});

describe('with an intake', () => {
  let app: FastifyInstance;
  let intake: ReturnType<typeof recordingIntake>;
  beforeAll(async () => {
    intake = recordingIntake();
    ({ app } = await testApp(testConfig(), { intake }));
  });
  afterAll(() => app.close());

  it('POST /fhir hands the Bundle to the intake and answers with its status, resource and headers', async () => {
    const response = await app.inject({ method: 'POST', url: '/fhir', headers: FHIR_JSON_HEADERS, payload: TRANSACTION });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('application/fhir+json; charset=utf-8');
    expect(response.headers['x-provenance']).toBe('Provenance/p1');
    expect(response.json()).toMatchObject({ resourceType: 'Bundle', type: 'transaction-response' });
    expect(intake.bundles.at(-1)).toEqual(TRANSACTION);
  });

  it('the CapabilityStatement lists the transaction and batch interactions (R4 capabilitystatement rest.interaction) and $convert', async () => {
    const rest = (await app.inject({ method: 'GET', url: '/fhir/metadata' })).json().rest[0];
    expect(rest.interaction).toEqual([{ code: 'transaction' }, { code: 'batch' }]);
    expect(rest.operation).toContainEqual({ name: 'convert', definition: 'https://fhir-migrate.dev/OperationDefinition/convert' });
  });

  it.each([
    ['x-application/hl7-v2+er7', 'hl7v2'],
    ['application/hl7-v2; charset=utf-8', 'hl7v2'],
    ['application/xml', 'ccda'],
  ])('$convert reads a raw %s body as %s, with ?mapSet=', async (contentType, inputType) => {
    const payload = inputType === 'hl7v2' ? ORU : '<ClinicalDocument xmlns="urn:hl7-org:v3"/>';
    const response = await app.inject({ method: 'POST', url: '/fhir/$convert?mapSet=site-v2', headers: { 'content-type': contentType }, payload });
    expect(response.statusCode).toBe(200);
    expect(intake.calls.at(-1)).toEqual({ inputType, text: payload, mapSet: 'site-v2' });
  });

  it('$convert Parameters: input as valueBase64Binary (decoded), inputType told from the text when absent, mapSet', async () => {
    const parameter = [{ name: 'input', valueBase64Binary: Buffer.from(ORU).toString('base64') }, { name: 'mapSet', valueString: 'hl7v2' }];
    const response = await app.inject({ method: 'POST', url: '/fhir/$convert', headers: FHIR_JSON_HEADERS, payload: { resourceType: 'Parameters', parameter } });
    expect(response.statusCode).toBe(200);
    expect(intake.calls.at(-1)).toEqual({ inputType: 'hl7v2', text: ORU, mapSet: 'hl7v2' });
  });

  it.each([
    ['no input', []],
    ['two inputs', [{ name: 'input', valueString: ORU }, { name: 'input', valueString: ORU }]],
    ['an unknown inputType', [{ name: 'input', valueString: ORU }, { name: 'inputType', valueCode: 'x12' }]],
    ['text that is neither HL7 v2 nor XML', [{ name: 'input', valueString: 'hello' }]],
  ])('$convert with %s → 400 FHIRMIG_ERR_INTAKE_INPUT', async (_name, parameter) => {
    const response = await app.inject({ method: 'POST', url: '/fhir/$convert', headers: FHIR_JSON_HEADERS, payload: { resourceType: 'Parameters', parameter } });
    expect(response.statusCode).toBe(400);
    expect(issueCode(response.body)).toBe('FHIRMIG_ERR_INTAKE_INPUT');
  });

  it('the HL7 and XML media types are read only by $convert: POST /fhir/$validate still answers 415', async () => {
    const response = await app.inject({ method: 'POST', url: '/fhir/$validate', headers: { 'content-type': 'x-application/hl7-v2+er7' }, payload: ORU });
    expect(response.statusCode).toBe(415);
    expect(issueCode(response.body)).toBe('FHIRMIG_ERR_API_MEDIA_TYPE');
  });
});

describe('access: intake needs system/*.write (SMART Backend Services scopes)', () => {
  const PUBLIC_URL = 'https://migrate.example.org';
  const pair = generateKeyPairSync('ec', { namedCurve: 'P-384' });
  const jwk = { ...pair.publicKey.export({ format: 'jwk' }), kid: 'k1', alg: 'ES384' };
  let app: FastifyInstance;
  let intake: ReturnType<typeof recordingIntake>;

  beforeAll(async () => {
    intake = recordingIntake();
    const clients = [{ clientId: 'pipeline', jwks: { keys: [jwk] }, scopes: ['system/*.read', 'system/*.write'] }];
    ({ app } = await testApp(testConfig({ auth: { mode: 'smart', clients }, http: { publicUrl: PUBLIC_URL } }), { intake }));
  });
  afterAll(() => app.close());

  async function token(scope: string): Promise<string> {
    const now = Math.floor(Date.now() / 1000);
    const assertion = signJwt({ iss: 'pipeline', sub: 'pipeline', aud: `${PUBLIC_URL}/auth/token`, exp: now + 240, iat: now, jti: randomUUID() }, pair.privateKey, 'ES384', 'k1');
    const form = new URLSearchParams({ grant_type: 'client_credentials', client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer', client_assertion: assertion, scope });
    const response = await app.inject({ method: 'POST', url: '/auth/token', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: form.toString() });
    return (response.json() as { access_token: string }).access_token;
  }

  function post(url: string, bearer?: string) {
    const payload = url === '/fhir' ? TRANSACTION : { resourceType: 'Parameters', parameter: [{ name: 'input', valueString: ORU }] };
    return app.inject({ method: 'POST', url, headers: { ...FHIR_JSON_HEADERS, ...(bearer ? { authorization: `Bearer ${bearer}` } : {}) }, payload });
  }

  it.each(['/fhir', '/fhir/$convert'])('%s: no token → 401; a read-only token → 403; a write token → 200', async (url) => {
    const before = intake.bundles.length + intake.calls.length;
    expect((await post(url)).statusCode).toBe(401);
    const readOnly = await post(url, await token('system/*.read'));
    expect(readOnly.statusCode).toBe(403);
    expect(issueCode(readOnly.body)).toBe('FHIRMIG_ERR_API_FORBIDDEN');
    expect(intake.bundles.length + intake.calls.length).toBe(before);
    expect((await post(url, await token('system/*.write'))).statusCode).toBe(200);
    expect(intake.bundles.length + intake.calls.length).toBe(before + 1);
  });
});
