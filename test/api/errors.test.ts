import { MigrateError } from '../../src/core/index.ts';
import { FHIR_JSON_HEADERS, fakeOperations, issueCode, testApp, testConfig } from './support.ts';

/** STYLE.md rule 3: every error leaves as an OperationOutcome with the right status; no stack traces. */
describe('errors become OperationOutcomes', () => {
  function throwing(error: unknown) {
    return fakeOperations({
      transform: () => {
        throw error;
      },
    });
  }

  async function post(error: unknown) {
    const { app } = await testApp(testConfig(), { operations: throwing(error) });
    const response = await app.inject({ method: 'POST', url: '/fhir/StructureMap/$transform?source=http://x/map', headers: FHIR_JSON_HEADERS, payload: { a: 1 } });
    await app.close();
    return response;
  }

  it('an unknown route is 404 FHIRMIG_ERR_API_NOT_FOUND as application/fhir+json, without the query string', async () => {
    const { app } = await testApp();
    const response = await app.inject({ method: 'GET', url: '/fhir/Patient?name=Smith' });
    await app.close();
    expect(response.statusCode).toBe(404);
    expect(response.headers['content-type']).toBe('application/fhir+json; charset=utf-8');
    expect(issueCode(response.body)).toBe('FHIRMIG_ERR_API_NOT_FOUND');
    expect(response.json().issue[0]).toMatchObject({ severity: 'error', code: 'not-found', diagnostics: 'No route for GET /fhir/Patient.' });
  });

  it.each([
    ['FHIRMIG_ERR_MAP_NOT_FOUND', 404, 'not-found'],
    ['FHIRMIG_ERR_FML_SYNTAX', 400, 'invalid'],
    ['FHIRMIG_ERR_MAP_LIMIT', 422, 'too-costly'],
    ['FHIRMIG_ERR_TARGET_UNAVAILABLE', 503, 'transient'],
  ] as const)('a MigrateError %s answers its registry status %d', async (code, status, issue) => {
    const response = await post(new MigrateError(code, 'what went wrong', { location: { file: 'a.map', line: 3, column: 7 } }));
    expect(response.statusCode).toBe(status);
    expect(response.json()).toEqual({
      resourceType: 'OperationOutcome',
      issue: [{ severity: 'error', code: issue, diagnostics: 'a.map:3:7: what went wrong', details: { coding: [{ system: 'https://fhir-migrate.dev/CodeSystem/error-code', code }], text: code } }],
    });
  });

  it('an unexpected error is 500 FHIRMIG_ERR_CORE_INTERNAL with neither its message nor a stack trace', async () => {
    const response = await post(new TypeError('secret internal detail at /srv/app.ts:12'));
    expect(response.statusCode).toBe(500);
    expect(issueCode(response.body)).toBe('FHIRMIG_ERR_CORE_INTERNAL');
    expect(response.body).not.toContain('secret internal detail');
    expect(response.body).not.toMatch(/\bat .+:\d+:\d+/);
  });

  it('a body that fails the route schema is 400 FHIRMIG_ERR_API_REQUEST', async () => {
    const { app } = await testApp();
    const response = await app.inject({ method: 'POST', url: '/fhir/$validate', headers: FHIR_JSON_HEADERS, payload: { name: 'no resourceType' } });
    await app.close();
    expect(response.statusCode).toBe(400);
    expect(issueCode(response.body)).toBe('FHIRMIG_ERR_API_REQUEST');
    expect(response.json().issue[0].diagnostics).toMatch(/resourceType/);
  });

  it('malformed JSON is 400, an unsupported media type 415, a body over the limit 413', async () => {
    const { app } = await testApp(testConfig({ http: { bodyLimitBytes: 2048 } }));
    const bad = await app.inject({ method: 'POST', url: '/fhir/$validate', headers: FHIR_JSON_HEADERS, payload: '{"resourceType": ' });
    const xml = await app.inject({ method: 'POST', url: '/fhir/$validate', headers: { 'content-type': 'application/fhir+xml' }, payload: '<Patient/>' });
    const big = await app.inject({ method: 'POST', url: '/fhir/$validate', headers: FHIR_JSON_HEADERS, payload: JSON.stringify({ resourceType: 'Basic', text: 'x'.repeat(4096) }) });
    await app.close();
    expect([bad.statusCode, issueCode(bad.body)]).toEqual([400, 'FHIRMIG_ERR_API_REQUEST']);
    expect([xml.statusCode, issueCode(xml.body)]).toEqual([415, 'FHIRMIG_ERR_API_MEDIA_TYPE']);
    expect([big.statusCode, issueCode(big.body)]).toEqual([413, 'FHIRMIG_ERR_API_BODY_TOO_LARGE']);
  });

  it('plain application/json is accepted like application/fhir+json', async () => {
    const { app } = await testApp();
    const response = await app.inject({ method: 'POST', url: '/fhir/$validate', headers: { 'content-type': 'application/json' }, payload: { resourceType: 'Basic' } });
    await app.close();
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({ resourceType: 'OperationOutcome' });
  });

  it('past the rate limit a client gets 429 FHIRMIG_ERR_API_RATE_LIMITED with Retry-After; probes are exempt', async () => {
    const { app } = await testApp(testConfig({ rateLimit: { max: 2, timeWindowMs: 60_000 } }));
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) statuses.push((await app.inject({ method: 'GET', url: '/fhir/metadata' })).statusCode);
    const limited = await app.inject({ method: 'GET', url: '/fhir/metadata' });
    const health = await app.inject({ method: 'GET', url: '/health' });
    await app.close();
    expect(statuses).toEqual([200, 200, 429]);
    expect(issueCode(limited.body)).toBe('FHIRMIG_ERR_API_RATE_LIMITED');
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect(health.statusCode).toBe(200);
  });
});
