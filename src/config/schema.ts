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
    modelDirs: { type: 'array', items: { type: 'string' }, default: [] },
    http: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        publicUrl: { type: 'string', pattern: '^https?://' },
        bodyLimitBytes: { type: 'integer', minimum: 1024, default: 52_428_800 },
        requestTimeoutMs: { type: 'integer', minimum: 0, default: 120_000 },
        keepAliveTimeoutMs: { type: 'integer', minimum: 1, default: 72_000 },
      },
    },
    export: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        maxFileResources: { type: 'integer', minimum: 1, default: 50_000 },
        maxConcurrent: { type: 'integer', minimum: 1, maximum: 64, default: 2 },
        retryAfterSeconds: { type: 'integer', minimum: 0, maximum: 3600, default: 2 },
      },
    },
    rateLimit: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        enabled: { type: 'boolean', default: true },
        max: { type: 'integer', minimum: 1, default: 600 },
        timeWindowMs: { type: 'integer', minimum: 1, default: 60_000 },
      },
    },
    auth: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        mode: { enum: ['smart', 'none'], default: 'smart' },
        tokenLifetimeSeconds: { type: 'integer', minimum: 1, maximum: 3600, default: 300 },
        clients: {
          type: 'array',
          default: [],
          items: {
            type: 'object',
            additionalProperties: false,
            required: ['clientId', 'jwks', 'scopes'],
            properties: {
              clientId: { type: 'string', minLength: 1 },
              jwks: {
                type: 'object',
                required: ['keys'],
                properties: { keys: { type: 'array', items: { type: 'object' } } },
              },
              scopes: { type: 'array', items: { type: 'string' } },
            },
          },
        },
      },
    },
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
  /** Logical-model StructureDefinitions the service's $transform maps use. */
  readonly modelDirs: readonly string[];
  readonly http: HttpConfig;
  readonly rateLimit: RateLimitConfig;
  readonly auth: AuthConfig;
  readonly export: ExportConfig;
}

/** Bulk Data `$export` (files go under `dataDir/exports/{id}/`). */
export interface ExportConfig {
  /** Resources per NDJSON file; a type with more is split into `Type-1.ndjson`, `Type-2.ndjson`, … */
  readonly maxFileResources: number;
  /** Exports running at once in this process; more wait their turn. */
  readonly maxConcurrent: number;
  /** Seconds a client is told to wait between status polls (`Retry-After`); polling sooner gets 429. 0: no throttle. */
  readonly retryAfterSeconds: number;
}

export interface HttpConfig {
  /** The URL clients reach the service at (token `aud`, CapabilityStatement); default: from the request. */
  readonly publicUrl?: string;
  readonly bodyLimitBytes: number;
  readonly requestTimeoutMs: number;
  readonly keepAliveTimeoutMs: number;
}

export interface RateLimitConfig {
  readonly enabled: boolean;
  readonly max: number;
  readonly timeWindowMs: number;
}

/** A SMART Backend Services client: its public keys (JWKS) and the scopes it may be granted. */
export interface AuthClientConfig {
  readonly clientId: string;
  readonly jwks: { readonly keys: readonly Record<string, unknown>[] };
  readonly scopes: readonly string[];
}

export interface AuthConfig {
  readonly mode: 'smart' | 'none';
  readonly tokenLifetimeSeconds: number;
  readonly clients: readonly AuthClientConfig[];
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
  FHIRMIG_MODEL_DIRS: 'modelDirs',
  FHIRMIG_AUTH_MODE: 'auth.mode',
  FHIRMIG_TOKEN_LIFETIME_SECONDS: 'auth.tokenLifetimeSeconds',
  FHIRMIG_PUBLIC_URL: 'http.publicUrl',
  FHIRMIG_BODY_LIMIT_BYTES: 'http.bodyLimitBytes',
  FHIRMIG_REQUEST_TIMEOUT_MS: 'http.requestTimeoutMs',
  FHIRMIG_KEEP_ALIVE_TIMEOUT_MS: 'http.keepAliveTimeoutMs',
  FHIRMIG_EXPORT_MAX_FILE_RESOURCES: 'export.maxFileResources',
  FHIRMIG_EXPORT_MAX_CONCURRENT: 'export.maxConcurrent',
  FHIRMIG_EXPORT_RETRY_AFTER_SECONDS: 'export.retryAfterSeconds',
  FHIRMIG_RATE_LIMIT_ENABLED: 'rateLimit.enabled',
  FHIRMIG_RATE_LIMIT_MAX: 'rateLimit.max',
  FHIRMIG_RATE_LIMIT_WINDOW_MS: 'rateLimit.timeWindowMs',
};
