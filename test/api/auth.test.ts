import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { KeyObject } from 'node:crypto';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { signJwt } from '../../src/target/index.ts';
import type { JwtAlgorithm } from '../../src/target/index.ts';
import { FHIR_JSON_HEADERS, issueCode, testApp, testConfig } from './support.ts';

/**
 * SMART Backend Services (https://hl7.org/fhir/smart-app-launch/backend-services.html): the token
 * endpoint checks private_key_jwt client assertions; every route but health, metadata and
 * well-known needs a bearer token whose scopes cover the route.
 */
const PUBLIC_URL = 'https://migrate.example.org';
const TOKEN_URL = `${PUBLIC_URL}/auth/token`;
const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

function keyPair(algorithm: JwtAlgorithm): { privateKey: KeyObject; jwk: Record<string, unknown> } {
  const pair = algorithm === 'ES384' ? generateKeyPairSync('ec', { namedCurve: 'P-384' }) : generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { privateKey: pair.privateKey, jwk: { ...pair.publicKey.export({ format: 'jwk' }), kid: `${algorithm}-key`, alg: algorithm } };
}

const es = keyPair('ES384');
const rs = keyPair('RS384');
const stranger = keyPair('ES384');
let clock = Math.floor(Date.now() / 1000);

function assertion(overrides: Record<string, unknown> = {}, algorithm: JwtAlgorithm = 'ES384', key: KeyObject = es.privateKey, clientId = 'pipeline'): string {
  const claims = { iss: clientId, sub: clientId, aud: TOKEN_URL, exp: clock + 240, iat: clock, jti: randomUUID(), ...overrides };
  return signJwt(claims, key, algorithm, `${algorithm}-key`);
}

function tokenForm(clientAssertion: string, scope = 'system/*.read'): string {
  return new URLSearchParams({ grant_type: 'client_credentials', client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer', client_assertion: clientAssertion, scope }).toString();
}

let app: FastifyInstance;

beforeAll(async () => {
  const clients = [
    { clientId: 'pipeline', jwks: { keys: [es.jwk] }, scopes: ['system/*.read'] },
    { clientId: 'rsa-client', jwks: { keys: [rs.jwk] }, scopes: ['system/*.read', 'system/*.write'] },
    { clientId: 'migrator', jwks: { keys: [es.jwk] }, scopes: ['system/Migration.read', 'system/Migration.write'] },
    { clientId: 'admin', jwks: { keys: [es.jwk] }, scopes: ['system/*.*'] },
  ];
  ({ app } = await testApp(testConfig({ auth: { mode: 'smart', clients }, http: { publicUrl: PUBLIC_URL } }), { now: () => clock }));
});
afterAll(() => app.close());

async function requestToken(body: string): Promise<LightMyRequestResponse> {
  return app.inject({ method: 'POST', url: '/auth/token', headers: FORM, payload: body });
}

async function accessToken(scope = 'system/*.read'): Promise<string> {
  const response = await requestToken(tokenForm(assertion(), scope));
  expect(response.statusCode).toBe(200);
  return (response.json() as { access_token: string }).access_token;
}

function validate(token?: string): Promise<LightMyRequestResponse> {
  return app.inject({ method: 'POST', url: '/fhir/$validate', headers: { ...FHIR_JSON_HEADERS, ...(token ? { authorization: `Bearer ${token}` } : {}) }, payload: { resourceType: 'Basic' } });
}

describe('token endpoint (POST /auth/token)', () => {
  it('issues a bearer token for an ES384 client assertion, with the granted scope and no-store', async () => {
    const response = await requestToken(tokenForm(assertion()));
    expect(response.statusCode).toBe(200);
    expect(response.headers['cache-control']).toBe('no-store');
    expect(response.json()).toMatchObject({ token_type: 'bearer', expires_in: 300, scope: 'system/*.read', access_token: expect.stringMatching(/^[\w-]+\.[\w-]+\.[\w-]+$/) });
  });

  it('accepts RS384 assertions and grants only the registered scopes it was asked for', async () => {
    const response = await requestToken(tokenForm(assertion({}, 'RS384', rs.privateKey, 'rsa-client'), 'system/*.write system/Patient.read launch/patient'));
    expect(response.statusCode).toBe(200);
    expect(response.json().scope).toBe('system/*.write system/Patient.read');
  });

  it.each<[string, () => string, number, string]>([
    ['a bad signature (another key)', () => tokenForm(assertion({}, 'ES384', stranger.privateKey)), 401, 'invalid_client'],
    ['a wrong aud', () => tokenForm(assertion({ aud: 'https://elsewhere.example.org/token' })), 401, 'invalid_client'],
    ['an expired assertion', () => tokenForm(assertion({ exp: clock - 120 })), 401, 'invalid_client'],
    ['an exp more than five minutes ahead', () => tokenForm(assertion({ exp: clock + 3600 })), 401, 'invalid_client'],
    ['an unknown client', () => tokenForm(assertion({}, 'ES384', es.privateKey, 'nobody')), 401, 'invalid_client'],
    ['a scope the client is not registered for', () => tokenForm(assertion(), 'system/*.write'), 400, 'invalid_scope'],
    ['another grant type', () => 'grant_type=password&username=a&password=b', 400, 'unsupported_grant_type'],
  ])('refuses %s with the RFC 6749 error JSON', async (_what, form, status, error) => {
    const response = await requestToken(form());
    expect(response.statusCode).toBe(status);
    expect(response.json()).toMatchObject({ error, error_description: expect.any(String) });
  });

  it('refuses a replayed jti', async () => {
    const once = assertion();
    expect((await requestToken(tokenForm(once))).statusCode).toBe(200);
    const again = await requestToken(tokenForm(once));
    expect(again.statusCode).toBe(401);
    expect(again.json()).toMatchObject({ error: 'invalid_client', error_description: expect.stringMatching(/jti/) });
  });
});

describe('bearer tokens on the routes', () => {
  it('no token → 401 OperationOutcome FHIRMIG_ERR_API_UNAUTHORIZED with WWW-Authenticate: Bearer', async () => {
    const response = await validate();
    expect(response.statusCode).toBe(401);
    expect(response.headers['www-authenticate']).toBe('Bearer');
    expect(issueCode(response.body)).toBe('FHIRMIG_ERR_API_UNAUTHORIZED');
  });

  it('a valid token with the route\'s scope → 200', async () => {
    expect((await validate(await accessToken())).statusCode).toBe(200);
    const metrics = await app.inject({ method: 'GET', url: '/metrics', headers: { authorization: `Bearer ${await accessToken()}` } });
    expect(metrics.statusCode).toBe(200);
  });

  it('a tampered token (bad signature) and an expired token → 401', async () => {
    const token = await accessToken();
    const [header, , signature] = token.split('.');
    const forged = `${header}.${Buffer.from(JSON.stringify({ iss: 'fhir-migrate', aud: PUBLIC_URL, sub: 'x', exp: clock + 999, scope: 'system/*.*' })).toString('base64url')}.${signature}`;
    expect(issueCode((await validate(forged)).body)).toBe('FHIRMIG_ERR_API_UNAUTHORIZED');
    clock += 301;
    try {
      const expired = await validate(token);
      expect(expired.statusCode).toBe(401);
      expect(expired.json().issue[0].diagnostics).toMatch(/expired/);
    } finally {
      clock -= 301;
    }
  });

  it('a token without the route\'s scope → 403 FHIRMIG_ERR_API_FORBIDDEN', async () => {
    const response = await requestToken(tokenForm(assertion({}, 'RS384', rs.privateKey, 'rsa-client'), 'system/*.write'));
    const writeOnly = (response.json() as { access_token: string }).access_token;
    const denied = await validate(writeOnly);
    expect(denied.statusCode).toBe(403);
    expect(issueCode(denied.body)).toBe('FHIRMIG_ERR_API_FORBIDDEN');
  });

  it('health, ready, metadata, the SMART configuration and the API documentation stay open', async () => {
    for (const url of ['/health', '/ready', '/fhir/metadata', '/.well-known/smart-configuration', '/documentation/json', '/documentation/']) {
      expect([url, (await app.inject({ method: 'GET', url })).statusCode]).toEqual([url, 200]);
    }
    const smart = (await app.inject({ method: 'GET', url: '/.well-known/smart-configuration' })).json();
    expect(smart).toMatchObject({
      token_endpoint: TOKEN_URL,
      grant_types_supported: ['client_credentials'],
      token_endpoint_auth_methods_supported: ['private_key_jwt'],
      token_endpoint_auth_signing_alg_values_supported: ['RS384', 'ES384'],
    });
    const metadata = (await app.inject({ method: 'GET', url: '/fhir/metadata' })).json() as fhir4.CapabilityStatement;
    expect(metadata.rest?.[0]?.security?.service?.[0]?.coding?.[0]?.code).toBe('SMART-on-FHIR');
    expect(JSON.stringify(metadata.rest?.[0]?.security?.extension)).toContain(TOKEN_URL);
  });
});

describe('the migration routes\' scopes (system/Migration.read for GET, system/Migration.write for POST)', () => {
  async function tokenFor(clientId: string, scope: string): Promise<string> {
    const response = await requestToken(tokenForm(assertion({}, 'ES384', es.privateKey, clientId), scope));
    expect(response.statusCode).toBe(200);
    return (response.json() as { access_token: string }).access_token;
  }
  const list = (token?: string) => app.inject({ method: 'GET', url: '/migrations', headers: token ? { authorization: `Bearer ${token}` } : {} });
  const cancel = (token: string) => app.inject({ method: 'POST', url: '/migrations/no-such-job/$cancel', headers: { authorization: `Bearer ${token}` } });

  it('no token → 401', async () => {
    const response = await list();
    expect(response.statusCode).toBe(401);
    expect(issueCode(response.body)).toBe('FHIRMIG_ERR_API_UNAUTHORIZED');
  });

  it.each<[string, number, number, string, string]>([
    ['system/Migration.read', 200, 403, 'migrator', 'system/Migration.read'],
    ['system/Migration.write', 403, 404, 'migrator', 'system/Migration.write'],
    ['both migration scopes', 200, 404, 'migrator', 'system/Migration.read system/Migration.write'],
    ['system/*.* (covers both)', 200, 404, 'admin', 'system/*.*'],
    ['system/*.read (SMART wildcard: reads only)', 200, 403, 'pipeline', 'system/*.read'],
  ])('%s: GET /migrations → %i, POST $cancel → %i', async (_name, listStatus, cancelStatus, clientId, scope) => {
    const token = await tokenFor(clientId, scope);
    const listed = await list(token);
    expect(listed.statusCode).toBe(listStatus);
    const cancelled = await cancel(token);
    expect(cancelled.statusCode).toBe(cancelStatus); // 404: past the scope check, the job is unknown
    expect(issueCode(cancelled.body)).toBe(cancelStatus === 403 ? 'FHIRMIG_ERR_API_FORBIDDEN' : 'FHIRMIG_ERR_JOB_NOT_FOUND');
  });
});

describe('a client registered by jwksUrl (fetched with undici, cached)', () => {
  let jwksServer: Server;
  let jwksUrl: string;
  let served: { status: number; body: unknown };
  let requests = 0;
  let byUrl: FastifyInstance;
  const rotated = keyPair('ES384');

  beforeAll(async () => {
    served = { status: 200, body: { keys: [es.jwk] } };
    jwksServer = createServer((_req, res) => {
      requests++;
      res.writeHead(served.status, { 'content-type': 'application/json' }).end(JSON.stringify(served.body));
    });
    await new Promise<void>((resolve) => jwksServer.listen(0, '127.0.0.1', resolve));
    jwksUrl = `http://127.0.0.1:${(jwksServer.address() as AddressInfo).port}/jwks.json`;
    const clients = [{ clientId: 'by-url', jwksUrl, scopes: ['system/*.read'] }];
    ({ app: byUrl } = await testApp(testConfig({ auth: { mode: 'smart', clients }, http: { publicUrl: PUBLIC_URL } }), { now: () => clock }));
  });
  afterAll(async () => {
    await byUrl.close();
    await new Promise((resolve) => jwksServer.close(resolve));
  });

  const token = (key: KeyObject, kid: string) => byUrl.inject({
    method: 'POST', url: '/auth/token', headers: FORM,
    payload: tokenForm(signJwt({ iss: 'by-url', sub: 'by-url', aud: TOKEN_URL, exp: clock + 240, iat: clock, jti: randomUUID() }, key, 'ES384', kid)),
  });

  it('fetches the JWKS once and serves later assertions from the cache', async () => {
    expect((await token(es.privateKey, 'ES384-key')).statusCode).toBe(200);
    expect((await token(es.privateKey, 'ES384-key')).statusCode).toBe(200);
    expect(requests).toBe(1);
  });

  it('a rotated key (not in the cached set) triggers one refetch, at most every 10 s', async () => {
    served = { status: 200, body: { keys: [{ ...rotated.jwk, kid: 'rotated' }] } };
    const tooSoon = await token(rotated.privateKey, 'rotated');
    expect(tooSoon.statusCode).toBe(401);
    expect(requests).toBe(1);
    clock += 11;
    try {
      expect((await token(rotated.privateKey, 'rotated')).statusCode).toBe(200);
      expect(requests).toBe(2);
    } finally {
      clock -= 11;
    }
  });

  it('a jwksUrl that fails → 401 invalid_client naming FHIRMIG_ERR_AUTH_JWKS', async () => {
    served = { status: 500, body: { error: 'down' } };
    clock += 400; // past the cache
    try {
      const response = await token(rotated.privateKey, 'rotated');
      expect(response.statusCode).toBe(401);
      expect(response.json()).toMatchObject({ error: 'invalid_client', error_description: expect.stringMatching(/^FHIRMIG_ERR_AUTH_JWKS: .*HTTP 500/) });
    } finally {
      clock -= 400;
    }
  });

  it('a client needs jwks or jwksUrl (config validation)', () => {
    expect(() => testConfig({ auth: { clients: [{ clientId: 'x', scopes: [] }] } })).toThrow(/FHIRMIG_ERR_CONFIG_INVALID|must match exactly one schema/);
    expect(() => testConfig({ auth: { clients: [{ clientId: 'x', scopes: [], jwksUrl: 'ftp://x' }] } })).toThrow(/jwksUrl/);
  });
});

describe('auth.mode none', () => {
  it('opens every route, and says so at start-up with a warning', async () => {
    const { app: open, sink } = await testApp(testConfig({ auth: { mode: 'none' } }));
    const response = await open.inject({ method: 'POST', url: '/fhir/$validate', headers: FHIR_JSON_HEADERS, payload: { resourceType: 'Basic' } });
    const token = await open.inject({ method: 'POST', url: '/auth/token', headers: FORM, payload: 'grant_type=client_credentials' });
    await open.close();
    expect(response.statusCode).toBe(200);
    expect(token.statusCode).toBe(404);
    expect(sink.json().some((line) => line['level'] === 40 && /auth\.mode is "none"/.test(String(line['msg'])))).toBe(true);
  });

  it('is not the default: a config without auth requires tokens', async () => {
    const { app: secured } = await testApp(testConfig({ auth: {} }));
    const response = await secured.inject({ method: 'POST', url: '/fhir/$validate', headers: FHIR_JSON_HEADERS, payload: { resourceType: 'Basic' } });
    await secured.close();
    expect(response.statusCode).toBe(401);
  });
});
