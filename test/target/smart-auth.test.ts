import { generateKeyPairSync } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { HttpTarget, SmartBackendAuth, buildPatientBundle, resolveTargetProfile } from '../../src/target/index.ts';
import type { JwtAlgorithm } from '../../src/target/index.ts';
import { startFhirServer } from '../support/fhir-server.ts';
import type { RunningFhirServer } from '../support/fhir-server.ts';
import { patientResources } from '../support/patient-fixtures.ts';
import { startTokenServer } from '../support/token-server.ts';
import type { RunningTokenServer } from '../support/token-server.ts';

const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
const ec = generateKeyPairSync('ec', { namedCurve: 'P-384' });
const CLIENT_ID = 'fhir-migrate-test';

let tokens: RunningTokenServer | undefined;
let fhir: RunningFhirServer;
const closers: (() => Promise<void>)[] = [];

beforeAll(async () => {
  fhir = await startFhirServer({ acceptToken: (token) => tokens?.isValid(token) ?? false });
});

afterEach(async () => {
  while (closers.length > 0) await closers.pop()?.();
});

afterAll(async () => {
  await fhir.close();
});

async function setup(algorithm: JwtAlgorithm, signingKey: KeyObject, registeredKey: KeyObject, expiresIn = 300, refreshBeforeMs?: number) {
  tokens = await startTokenServer({ clientId: CLIENT_ID, publicKey: registeredKey, expiresIn });
  const server = tokens;
  closers.push(() => server.close());
  const target = new HttpTarget({
    baseUrl: fhir.url,
    retry: { baseDelayMs: 5, maxAttempts: 2 },
    auth: { type: 'smart-backend', tokenUrl: server.url, clientId: CLIENT_ID, privateKey: signingKey, algorithm, keyId: 'k1', ...(refreshBeforeMs !== undefined ? { refreshBeforeMs } : {}) },
  });
  closers.push(() => target.close());
  return { target, server, auth: target.client.auth as SmartBackendAuth };
}

const bundle = (key: string) => buildPatientBundle(patientResources(key), { profile: resolveTargetProfile('put') });

describe('SMART Backend Services auth', () => {
  it.each([
    ['RS384', rsa],
    ['ES384', ec],
  ] as const)('%s: the token endpoint verifies the signed assertion, the token is cached and the write lands', async (algorithm, pair) => {
    const { target, server, auth } = await setup(algorithm, pair.privateKey, pair.publicKey);
    expect((await target.write(bundle(`s-${algorithm}`))).complete).toBe(true);
    expect(await target.count('Patient')).toBeGreaterThanOrEqual(1);
    expect(server.requestCount()).toBe(1);
    expect(server.refusedCount()).toBe(0);
    expect(auth.tokenRequests).toBe(1);
  });

  it('fetches a new token before the cached one expires', async () => {
    // Tokens live 3 s and are replaced 1 s before expiry, so from 2 s on a new one is fetched.
    const { target, server } = await setup('ES384', ec.privateKey, ec.publicKey, 3, 1_000);
    await target.count('Patient');
    await target.count('Patient');
    expect(server.requestCount()).toBe(1);
    await new Promise((resolve) => setTimeout(resolve, 2_100));
    await target.count('Patient');
    expect(server.requestCount()).toBe(2);
  });

  it('after a 401 (token revoked) fetches a fresh token once and carries on', async () => {
    const { target, server } = await setup('RS384', rsa.privateKey, rsa.publicKey);
    await target.count('Patient');
    server.revokeAll();
    await expect(target.count('Patient')).resolves.toEqual(expect.any(Number));
    expect(server.requestCount()).toBe(2);
  });

  it('an assertion signed with the wrong key is refused: FHIRMIG_ERR_TARGET_AUTH', async () => {
    const other = generateKeyPairSync('ec', { namedCurve: 'P-384' });
    const { target, server } = await setup('ES384', other.privateKey, ec.publicKey);
    await expect(target.count('Patient')).rejects.toMatchObject({ code: 'FHIRMIG_ERR_TARGET_AUTH', status: 401 });
    expect(server.lastError()).toMatch(/signature does not verify/);
  });

  it('a bearer token the server does not accept ends in FHIRMIG_ERR_TARGET_AUTH without retries', async () => {
    const target = new HttpTarget({ baseUrl: fhir.url, auth: { type: 'bearer', token: 'nope' } });
    closers.push(() => target.close());
    await expect(target.count('Patient')).rejects.toMatchObject({ code: 'FHIRMIG_ERR_TARGET_AUTH' });
    expect(target.client.requestsSent).toBe(1);
  });

  it('refuses a key that cannot sign the algorithm before any request', async () => {
    const target = new HttpTarget({ baseUrl: fhir.url, auth: { type: 'smart-backend', tokenUrl: 'http://127.0.0.1:9/token', clientId: CLIENT_ID, privateKey: ec.privateKey, algorithm: 'RS384' } });
    closers.push(() => target.close());
    await expect(target.count('Patient')).rejects.toMatchObject({ code: 'FHIRMIG_ERR_CONFIG_INVALID' });
    expect(target.client.requestsSent).toBe(0);
  });
});
