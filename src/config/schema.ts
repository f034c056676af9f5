/** The JSON Schema of the service/CLI configuration: defaults live here, in one place. */
export const CONFIG_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  properties: {
    port: { type: 'integer', minimum: 0, maximum: 65535, default: 8080 },
    host: { type: 'string', default: '0.0.0.0' },
    logLevel: { enum: ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], default: 'info' },
    dataDir: { type: 'string', default: '.fhir-migrate' },
    store: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        kind: { enum: ['sqlite', 'postgres'], default: 'sqlite' },
        path: { type: 'string', default: 'jobs.sqlite' },
        url: { type: 'string' },
      },
    },
    mapsDir: { type: 'string', default: 'maps' },
    conceptMapDirs: { type: 'array', items: { type: 'string' }, default: ['conceptmaps'] },
    profileDirs: { type: 'array', items: { type: 'string' }, default: ['profiles'] },
    igDirs: { type: 'array', items: { type: 'string' }, default: [] },
  },
} as const;

export interface Config {
  readonly port: number;
  readonly host: string;
  readonly logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  readonly dataDir: string;
  readonly store: { readonly kind: 'sqlite' | 'postgres'; readonly path: string; readonly url?: string };
  readonly mapsDir: string;
  readonly conceptMapDirs: readonly string[];
  readonly profileDirs: readonly string[];
  readonly igDirs: readonly string[];
}

/** Environment variables and the config key each sets (lists are comma-separated). */
export const ENV_KEYS: Readonly<Record<string, string>> = {
  PORT: 'port',
  FHIRMIG_PORT: 'port',
  FHIRMIG_HOST: 'host',
  FHIRMIG_LOG_LEVEL: 'logLevel',
  FHIRMIG_DATA_DIR: 'dataDir',
  FHIRMIG_STORE: 'store.kind',
  FHIRMIG_STORE_PATH: 'store.path',
  FHIRMIG_STORE_URL: 'store.url',
  FHIRMIG_MAPS_DIR: 'mapsDir',
  FHIRMIG_CONCEPTMAP_DIRS: 'conceptMapDirs',
  FHIRMIG_PROFILE_DIRS: 'profileDirs',
  FHIRMIG_IG_DIRS: 'igDirs',
};
