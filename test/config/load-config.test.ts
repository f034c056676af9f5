import { MigrateError } from '../../src/core/index.ts';
import { loadConfig } from '../../src/config/index.ts';

describe('configuration (STYLE.md rule 7)', () => {
  it('applies defaults when nothing is set', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({ port: 8080, logLevel: 'info', store: { kind: 'sqlite', path: 'jobs.sqlite' }, conceptMapDirs: ['conceptmaps'] });
  });

  it('lets FHIRMIG_* env override the file, and is frozen', () => {
    const config = loadConfig({ FHIRMIG_PORT: '9090', FHIRMIG_IG_DIRS: 'a, b' }, { port: 1000, logLevel: 'debug' });
    expect(config.port).toBe(9090);
    expect(config.logLevel).toBe('debug');
    expect(config.igDirs).toEqual(['a', 'b']);
    expect(Object.isFrozen(config.store)).toBe(true);
  });

  it('reports every invalid key at once', () => {
    let error: unknown;
    try {
      loadConfig({ FHIRMIG_PORT: 'eighty', FHIRMIG_STORE: 'oracle' }, { colour: 'blue' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(MigrateError);
    const e = error as MigrateError;
    expect(e.code).toBe('FHIRMIG_ERR_CONFIG_INVALID');
    expect(e.details.join('\n')).toMatch(/port/);
    expect(e.details.join('\n')).toMatch(/store\/kind/);
    expect(e.details.join('\n')).toMatch(/colour/);
  });
});

describe('configuration from the environment', () => {
  it('coerces numbers and booleans to their schema types and splits lists', () => {
    const config = loadConfig({ FHIRMIG_RATE_LIMIT_MAX: '42', FHIRMIG_RATE_LIMIT_ENABLED: 'false', FHIRMIG_BODY_LIMIT_BYTES: '2048', FHIRMIG_MODEL_DIRS: 'm1,m2' });
    const loose = config as unknown as { rateLimit: { max: number; enabled: boolean }; http: { bodyLimitBytes: number }; modelDirs: string[] };
    expect(loose.rateLimit).toMatchObject({ max: 42, enabled: false });
    expect(loose.http.bodyLimitBytes).toBe(2048);
    expect(loose.modelDirs).toEqual(['m1', 'm2']);
  });

  it('reports a non-numeric number from env', () => {
    expect(() => loadConfig({ FHIRMIG_RATE_LIMIT_MAX: 'lots' })).toThrow(/rateLimit\/max/);
  });
});
