import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../src/config/index.ts';
import { isMigrateError } from '../../src/core/index.ts';
import { buildApp } from '../../src/app.ts';
import { LogSink, ROOT, fakeOperations, testConfig } from '../api/support.ts';

/** The `intake.*` keys (README "Service" config table): validated once at start-up, every bad key named. */
describe('intake configuration', () => {
  let dataDir: string;
  beforeAll(() => (dataDir = mkdtempSync(join(tmpdir(), 'intake-config-'))));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));
  it('defaults: no target (intake answers 503), the hl7v2 and ccda map sets, every ConceptMap', () => {
    const config = loadConfig({});
    expect(config.intake).toEqual({ mapSets: { hl7v2: 'maps/hl7v2', ccda: 'maps/ccda' } });
  });

  it('reads FHIRMIG_INTAKE_TARGET_URL, _PROFILE, _AUTH, _TOKEN and FHIRMIG_INTAKE_CONCEPTMAPS (comma-separated)', () => {
    const config = loadConfig({
      FHIRMIG_INTAKE_TARGET_URL: 'https://ehr.example.org/fhir',
      FHIRMIG_INTAKE_TARGET_PROFILE: 'medplum-conditional',
      FHIRMIG_INTAKE_TARGET_AUTH: 'bearer',
      FHIRMIG_INTAKE_TARGET_TOKEN: 's3cret',
      FHIRMIG_INTAKE_CONCEPTMAPS: 'https://a.example/cm1, https://a.example/cm2',
    });
    expect(config.intake.target).toEqual({
      url: 'https://ehr.example.org/fhir',
      profile: 'medplum-conditional',
      auth: { type: 'bearer', token: 's3cret', algorithm: 'ES384' },
      retry: { maxAttempts: 6, baseDelayMs: 250, maxDelayMs: 8000 },
    });
    expect(config.intake.conceptMaps).toEqual(['https://a.example/cm1', 'https://a.example/cm2']);
  });

  it.each([
    ['a target URL that is neither http(s) nor file:', { target: { url: 'ftp://x' } }, /intake\/target\/url/],
    ['an unknown profile', { target: { url: 'file:out', profile: 'fast' } }, /intake\/target\/profile/],
    ['a target without url', { target: { profile: 'put' } }, /url/],
    ['an unknown key', { target: { url: 'file:out', speed: 1 } }, /speed/],
  ])('rejects %s with FHIRMIG_ERR_CONFIG_INVALID naming the key', (_name, intake, message) => {
    let error: unknown;
    try {
      loadConfig({}, { intake });
    } catch (e) {
      error = e;
    }
    expect(isMigrateError(error) && error.code).toBe('FHIRMIG_ERR_CONFIG_INVALID');
    expect((error as Error).message).toMatch(message);
  });

  it.each([
    ['bearer without a token', { type: 'bearer' }, /bearer needs a token/],
    ['smart-backend without its client', { type: 'smart-backend', tokenUrl: 'https://ehr.example.org/token' }, /tokenUrl, clientId and privateKey/],
  ])('start-up refuses %s (FHIRMIG_ERR_CONFIG_INVALID)', async (_name, auth, message) => {
    const config = testConfig({ dataDir, profileDirs: [], mapsDir: 'maps/demo', intake: { target: { url: 'http://127.0.0.1:9/fhir', auth }, mapSets: {} } });
    await expect(buildApp(config, { cwd: ROOT, logStream: new LogSink(), operations: fakeOperations() })).rejects.toMatchObject({ code: 'FHIRMIG_ERR_CONFIG_INVALID', message: expect.stringMatching(message) });
  }, 60_000);

  it('start-up refuses intake.conceptMaps naming a ConceptMap that is not loaded', async () => {
    const config = testConfig({ dataDir, profileDirs: [], mapsDir: 'maps/demo', intake: { target: { url: 'file:out' }, conceptMaps: ['https://nowhere.example/cm'], mapSets: {} } });
    await expect(buildApp(config, { cwd: ROOT, logStream: new LogSink(), operations: fakeOperations() })).rejects.toMatchObject({ code: 'FHIRMIG_ERR_CONFIG_INVALID', message: expect.stringContaining('https://nowhere.example/cm') });
  }, 60_000);
});
