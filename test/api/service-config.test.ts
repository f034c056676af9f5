import { loadConfig } from '../../src/config/index.ts';

/** The service's config keys (README "Service"): defaults in the schema, secure by default. */
describe('service configuration', () => {
  it('defaults: auth on (smart), 50 MB bodies, timeouts, rate limit on', () => {
    const config = loadConfig({});
    expect(config.auth).toEqual({ mode: 'smart', tokenLifetimeSeconds: 300, jwksCacheSeconds: 300, clients: [] });
    expect(config.migrations).toEqual({ maxConcurrentJobs: 2, patientConcurrency: 4, leaseMs: 30_000 });
    expect(config.http).toEqual({ bodyLimitBytes: 52_428_800, requestTimeoutMs: 120_000, keepAliveTimeoutMs: 72_000 });
    expect(config.rateLimit).toEqual({ enabled: true, max: 600, timeWindowMs: 60_000 });
    expect(config.modelDirs).toEqual([]);
  });

  it('reads FHIRMIG_AUTH_MODE and FHIRMIG_PUBLIC_URL, and rejects a client without keys', () => {
    expect(loadConfig({ FHIRMIG_AUTH_MODE: 'none', FHIRMIG_PUBLIC_URL: 'https://m.example.org' })).toMatchObject({ auth: { mode: 'none' }, http: { publicUrl: 'https://m.example.org' } });
    expect(() => loadConfig({}, { auth: { clients: [{ clientId: 'x', scopes: [] }] } })).toThrow(/jwks/);
  });

  it('reads migrations.recordThreads (FHIRMIG_MIGRATIONS_RECORD_THREADS): 0 or 1, absent by default (the machine decides)', () => {
    expect(loadConfig({ FHIRMIG_MIGRATIONS_RECORD_THREADS: '0' }).migrations.recordThreads).toBe(0);
    expect(loadConfig({}, { migrations: { recordThreads: 1 } }).migrations.recordThreads).toBe(1);
    expect(() => loadConfig({ FHIRMIG_MIGRATIONS_RECORD_THREADS: '2' })).toThrow(/recordThreads/);
  });
});
