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
    migrations: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        allowedRoots: { type: 'array', items: { type: 'string' } },
        defaultTarget: { type: 'string', pattern: '^(https?://|file:)' },
        maxConcurrentJobs: { type: 'integer', minimum: 1, default: 2 },
        patientConcurrency: { type: 'integer', minimum: 1, default: 4 },
        leaseMs: { type: 'integer', minimum: 1000, default: 30_000 },
        recordThreads: { type: 'integer', minimum: 0, maximum: 1 },
      },
    },
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
        jwksCacheSeconds: { type: 'integer', minimum: 0, default: 300 },
        clients: {
          type: 'array',
          default: [],
          items: {
            type: 'object',
            additionalProperties: false,
            required: ['clientId', 'scopes'],
            oneOf: [{ required: ['jwks'], properties: { jwks: true } }, { required: ['jwksUrl'], properties: { jwksUrl: true } }],
            properties: {
              clientId: { type: 'string', minLength: 1 },
              jwks: {
                type: 'object',
                required: ['keys'],
                properties: { keys: { type: 'array', items: { type: 'object' } } },
              },
              jwksUrl: { type: 'string', pattern: '^https?://' },
              scopes: { type: 'array', items: { type: 'string' } },
            },
          },
        },
      },
    },
    intake: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        target: {
          type: 'object',
          additionalProperties: false,
          required: ['url'],
          properties: {
            url: { type: 'string', pattern: '^(https?://|file:.)' },
            profile: { enum: ['put', 'conditional-create', 'medplum', 'medplum-conditional'] },
            auth: {
              type: 'object',
              additionalProperties: false,
              required: ['type'],
              properties: {
                type: { enum: ['none', 'bearer', 'smart-backend'] },
                token: { type: 'string', minLength: 1 },
                tokenUrl: { type: 'string', pattern: '^https?://' },
                clientId: { type: 'string', minLength: 1 },
                privateKey: { anyOf: [{ type: 'string' }, { type: 'object' }] },
                algorithm: { enum: ['RS384', 'ES384'], default: 'ES384' },
                keyId: { type: 'string' },
                scope: { type: 'string' },
              },
            },
            retry: {
              type: 'object',
              additionalProperties: false,
              default: {},
              properties: {
                maxAttempts: { type: 'integer', minimum: 1, default: 6 },
                baseDelayMs: { type: 'integer', minimum: 0, default: 250 },
                maxDelayMs: { type: 'integer', minimum: 0, default: 8000 },
              },
            },
          },
        },
        conceptMaps: { type: 'array', items: { type: 'string' } },
        mapSets: { type: 'object', additionalProperties: { type: 'string' }, default: { hl7v2: 'maps/hl7v2', ccda: 'maps/ccda' } },
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
  readonly migrations: MigrationsConfig;
  readonly http: HttpConfig;
  readonly rateLimit: RateLimitConfig;
  readonly auth: AuthConfig;
  readonly intake: IntakeConfig;
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

/** The migration routes: what a request may touch on this machine, and how many jobs run at once. */
export interface MigrationsConfig {
  /** Folders request paths must lie under; default: the working folder and dataDir. */
  readonly allowedRoots?: readonly string[];
  /** The target when a request names none (also checked by /ready). */
  readonly defaultTarget?: string;
  readonly maxConcurrentJobs: number;
  /** Patients migrated at the same time within one job. */
  readonly patientConcurrency: number;
  readonly leaseMs: number;
  /** 1: jobs map and validate in a worker thread; 0: in the runner's thread. Default: 1 on a machine of two or more cores. */
  readonly recordThreads?: number;
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
  /** The client's public keys, inline … */
  readonly jwks?: { readonly keys: readonly Record<string, unknown>[] };
  /** … or where to fetch them (undici; cached auth.jwksCacheSeconds). */
  readonly jwksUrl?: string;
  readonly scopes: readonly string[];
}

export interface AuthConfig {
  readonly mode: 'smart' | 'none';
  readonly tokenLifetimeSeconds: number;
  readonly jwksCacheSeconds: number;
  readonly clients: readonly AuthClientConfig[];
}

/** Where `POST /fhir` and `POST /fhir/$convert` forward to, with what credentials. */
export interface IntakeTargetConfig {
  /** A FHIR base URL (http/https) or `file:DIR`. */
  readonly url: string;
  /** Write strategy and limits; default `medplum` for http(s), `put` for `file:`. */
  readonly profile?: 'put' | 'conditional-create' | 'medplum' | 'medplum-conditional';
  readonly auth?: IntakeTargetAuthConfig;
  readonly retry: { readonly maxAttempts: number; readonly baseDelayMs: number; readonly maxDelayMs: number };
}

export interface IntakeTargetAuthConfig {
  readonly type: 'none' | 'bearer' | 'smart-backend';
  readonly token?: string;
  readonly tokenUrl?: string;
  readonly clientId?: string;
  /** PEM text or a private JWK. */
  readonly privateKey?: string | Record<string, unknown>;
  readonly algorithm: 'RS384' | 'ES384';
  readonly keyId?: string;
  readonly scope?: string;
}

export interface IntakeConfig {
  /** No target: the intake routes answer 503 FHIRMIG_ERR_INTAKE_NOT_CONFIGURED. */
  readonly target?: IntakeTargetConfig;
  /** Canonical URLs of the ConceptMaps intake applies; absent: every loaded ConceptMap. */
  readonly conceptMaps?: readonly string[];
  /** `$convert` map sets by name (the `mapSet` parameter); the input type's name is the default. */
  readonly mapSets: Readonly<Record<string, string>>;
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
  FHIRMIG_MIGRATIONS_ALLOWED_ROOTS: 'migrations.allowedRoots',
  FHIRMIG_MIGRATIONS_DEFAULT_TARGET: 'migrations.defaultTarget',
  FHIRMIG_MIGRATIONS_MAX_JOBS: 'migrations.maxConcurrentJobs',
  FHIRMIG_MIGRATIONS_PATIENT_CONCURRENCY: 'migrations.patientConcurrency',
  FHIRMIG_MIGRATIONS_LEASE_MS: 'migrations.leaseMs',
  FHIRMIG_MIGRATIONS_RECORD_THREADS: 'migrations.recordThreads',
  FHIRMIG_JWKS_CACHE_SECONDS: 'auth.jwksCacheSeconds',
  FHIRMIG_BODY_LIMIT_BYTES: 'http.bodyLimitBytes',
  FHIRMIG_REQUEST_TIMEOUT_MS: 'http.requestTimeoutMs',
  FHIRMIG_KEEP_ALIVE_TIMEOUT_MS: 'http.keepAliveTimeoutMs',
  FHIRMIG_EXPORT_MAX_FILE_RESOURCES: 'export.maxFileResources',
  FHIRMIG_EXPORT_MAX_CONCURRENT: 'export.maxConcurrent',
  FHIRMIG_EXPORT_RETRY_AFTER_SECONDS: 'export.retryAfterSeconds',
  FHIRMIG_RATE_LIMIT_ENABLED: 'rateLimit.enabled',
  FHIRMIG_RATE_LIMIT_MAX: 'rateLimit.max',
  FHIRMIG_RATE_LIMIT_WINDOW_MS: 'rateLimit.timeWindowMs',
  FHIRMIG_INTAKE_TARGET_URL: 'intake.target.url',
  FHIRMIG_INTAKE_TARGET_PROFILE: 'intake.target.profile',
  FHIRMIG_INTAKE_TARGET_AUTH: 'intake.target.auth.type',
  FHIRMIG_INTAKE_TARGET_TOKEN: 'intake.target.auth.token',
  FHIRMIG_INTAKE_CONCEPTMAPS: 'intake.conceptMaps',
};
