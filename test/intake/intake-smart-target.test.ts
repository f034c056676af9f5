import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildApp } from '../../src/app.ts';
import { FHIR_JSON_HEADERS, LogSink, ROOT, testConfig } from '../api/support.ts';
import { startFhirServer } from '../support/fhir-server.ts';
import { startTokenServer } from '../support/token-server.ts';

/**
 * `intake.target.auth` type smart-backend (SMART Backend Services, client-credentials with a
 * signed JWT assertion): intake gets a token from the target's token endpoint and forwards with it.
 */
it('forwards to a target that requires a SMART Backend Services token, fetched with the configured client key', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'intake-smart-'));
  const keys = generateKeyPairSync('ec', { namedCurve: 'P-384' });
  const tokens = await startTokenServer({ clientId: 'fhir-migrate-intake', publicKey: keys.publicKey });
  const server = await startFhirServer({ acceptToken: (token) => tokens.isValid(token) });
  try {
    const auth = { type: 'smart-backend', tokenUrl: tokens.url, clientId: 'fhir-migrate-intake', privateKey: keys.privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(), algorithm: 'ES384' };
    const app = await buildApp(testConfig({ dataDir: dir, profileDirs: [], intake: { target: { url: server.url, auth }, mapSets: {} } }), { cwd: ROOT, logStream: new LogSink() });
    const bundle = { resourceType: 'Bundle', type: 'transaction', entry: [{ resource: { resourceType: 'Patient', gender: 'unknown' }, request: { method: 'POST', url: 'Patient' } }] };
    const reply = await app.inject({ method: 'POST', url: '/fhir', headers: FHIR_JSON_HEADERS, payload: bundle });
    await app.close();
    expect(reply.statusCode).toBe(200);
    expect((reply.json() as fhir4.Bundle).entry?.[0]?.response?.status).toMatch(/^20[01]/);
    expect(tokens.requestCount()).toBe(1);
    expect(tokens.refusedCount()).toBe(0);
  } finally {
    await server.close();
    await tokens.close();
    rmSync(dir, { recursive: true, force: true });
  }
}, 60_000);
