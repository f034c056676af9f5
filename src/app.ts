import Fastify from 'fastify';
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import type { DestinationStream } from 'pino';
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import {
  MIGRATION_READ_SCOPE,
  MIGRATION_WRITE_SCOPE,
  READ_SCOPE,
  TOKEN_PATH,
  TokenService,
  WRITE_SCOPE,
  createServiceMetrics,
  registerAuthHook,
  registerAuthRoutes,
  registerContentTypes,
  registerErrorHandling,
  registerFhirOperationRoutes,
  registerHttpMetrics,
  registerMigrationMetrics,
  registerMigrationRoutes,
  registerOpenApi,
  PhiSafeLogController,
  registerSecurityPlugins,
  registerServiceRoutes,
} from './api/index.ts';
import type { FhirOperationsPort, MetricsRegistry, MigrationMetrics, ServiceInfo } from './api/index.ts';
import type { Config } from './config/index.ts';
import { MigrateError, createLogger } from './core/index.ts';
import type { Logger } from './core/index.ts';
import type { JobStore } from './jobs/index.ts';
import type { FhirClientOptions, TargetRequestEvent } from './target/index.ts';
import { MigrationService, createFhirOperations, loadServiceContext, openStore, readPackageVersion, serviceDevice } from './runtime/index.ts';

/** What the composition root can be handed instead of building it (tests, the CLI). */
export interface AppDeps {
  /** The FHIR operations; default: loaded from the configured folders (R4, profiles, IGs, maps, ConceptMaps). */
  readonly operations?: FhirOperationsPort;
  /** Where log lines go (a test sink); default stdout. */
  readonly logStream?: DestinationStream;
  /** Relative config folders resolve against this; default the process's working folder. */
  readonly cwd?: string;
  /** Where package.json is (for the version); default `cwd`. */
  readonly packageRoot?: string;
  /** Seconds since the epoch, for token checks in tests. */
  readonly now?: () => number;
  /** The job store; default: opened from `config.store` (and closed with the app). */
  readonly store?: JobStore;
  /** FhirClient options for the migrations' HTTP targets (e.g. a faster retry policy in tests). */
  readonly targetOptions?: Omit<FhirClientOptions, 'baseUrl'>;
}

const SUPPORTED_SCOPES = [READ_SCOPE, WRITE_SCOPE, MIGRATION_READ_SCOPE, MIGRATION_WRITE_SCOPE, 'system/*.*'];

/** The job store of `config.store`: a SQLite file under dataDir (created), or PostgreSQL by URL. */
export async function openServiceStore(config: Config, cwd: string): Promise<JobStore> {
  if (config.store.kind === 'postgres') {
    if (!config.store.url) throw new MigrateError('FHIRMIG_ERR_CONFIG_INVALID', 'store.url is required when store.kind is postgres.');
    return openStore(config.store.url, cwd);
  }
  const dataDir = resolve(cwd, config.dataDir);
  mkdirSync(dataDir, { recursive: true });
  return openStore(resolve(dataDir, config.store.path), cwd);
}

/**
 * The migration jobs over the job store, with their metrics (the targets' request hook). Resumes
 * unfinished jobs when the app is ready.
 */
function composeMigrations(app: FastifyInstance, config: Config, store: JobStore, deps: AppDeps & { cwd: string; packageRoot: string }, registry: MetricsRegistry): { migrations: MigrationService; metrics: MigrationMetrics } {
  const { cwd, packageRoot } = deps;
  let migrations: MigrationService | undefined;
  const metrics = registerMigrationMetrics(registry, { stats: () => (migrations as MigrationService).stats(), readiness: () => (migrations as MigrationService).readiness() });
  const onRequest = (event: TargetRequestEvent): void => {
    metrics.onTargetRequest(event);
    deps.targetOptions?.onRequest?.(event);
  };
  migrations = new MigrationService({
    store, cwd, packageRoot,
    allowedRoots: (config.migrations.allowedRoots ?? [cwd, config.dataDir]).map((root) => resolve(cwd, root)),
    defaultTarget: config.migrations.defaultTarget,
    device: serviceDevice({ packageRoot }),
    maxConcurrentJobs: config.migrations.maxConcurrentJobs,
    patientConcurrency: config.migrations.patientConcurrency,
    leaseMs: config.migrations.leaseMs,
    targetOptions: { ...deps.targetOptions, onRequest },
    onRunError: (jobId, error) => app.log.error({ jobId, code: error.code }, 'migration run failed'),
  });
  const service = migrations;
  app.addHook('onReady', async () => {
    try {
      const resumed = await service.resumeUnfinished();
      if (resumed.length > 0) app.log.info({ jobs: resumed }, 'resuming unfinished migrations');
    } catch (error) {
      // The service still starts: /ready reports the store, and a restart resumes the jobs.
      app.log.error({ code: error instanceof MigrateError ? error.code : 'FHIRMIG_ERR_STORE_UNAVAILABLE' }, 'could not list unfinished migrations to resume');
    }
  });
  return { migrations: service, metrics };
}

function loadOperations(config: Config, cwd: string, log: Logger): FhirOperationsPort {
  const { mapsDir, conceptMapDirs, profileDirs, igDirs, modelDirs } = config;
  const context = loadServiceContext({ mapsDir, conceptMapDirs, profileDirs, igDirs, modelDirs, cwd });
  for (const dir of context.missingDirs) log.warn({ dir }, 'configured folder does not exist; skipped');
  for (const { file, error } of context.mapErrors) log.error({ file, code: error.code, location: error.location }, 'map failed to load; the service is not ready');
  log.info({ ...context.counts, loadMillis: context.loadMillis }, 'conformance context and maps loaded');
  return createFhirOperations(context);
}

/** Start-up warnings for settings that leave the service open, locked, or trusting the Host header. */
function warnAboutAuth(app: FastifyInstance, config: Config): void {
  if (config.auth.mode === 'none') {
    app.log.warn('auth.mode is "none": every route is open without a token. Use this only on a trusted machine.');
    return;
  }
  if (config.auth.clients.length === 0) app.log.warn('auth.clients is empty: no client can get a token, so only the open routes answer.');
  if (!config.http.publicUrl) app.log.warn('http.publicUrl is not set: the token URL that client assertions must name (aud) is taken from each request\'s Host header.');
}

/**
 * The composition root (STYLE.md rule 1): builds the service from a validated config without
 * listening. Order: plugins → decorators → hooks → routes. server.ts alone listens.
 */
export async function buildApp(config: Config, deps: AppDeps = {}): Promise<FastifyInstance> {
  const cwd = deps.cwd ?? process.cwd();
  const logger = createLogger({ level: config.logLevel }, deps.logStream);
  const info: ServiceInfo = { name: 'fhir-migrate', version: readPackageVersion(deps.packageRoot ?? cwd), startedAt: new Date(), publicUrl: config.http.publicUrl };
  const operations = deps.operations ?? loadOperations(config, cwd, logger);
  const app: FastifyInstance = Fastify({
    // Typed as Fastify's logger interface so that the instance is a plain FastifyInstance.
    loggerInstance: logger as FastifyBaseLogger,
    logController: new PhiSafeLogController(),
    bodyLimit: config.http.bodyLimitBytes,
    requestTimeout: config.http.requestTimeoutMs,
    keepAliveTimeout: config.http.keepAliveTimeoutMs,
    ajv: { customOptions: { removeAdditional: false } },
  });

  const metrics = createServiceMetrics(info.startedAt, info.version);
  registerErrorHandling(app, { onError: (code) => metrics.errors.inc({ code }) });
  registerContentTypes(app);
  await registerSecurityPlugins(app, config.rateLimit);
  await registerOpenApi(app, info);

  registerHttpMetrics(app, metrics);
  const tokens = config.auth.mode === 'smart' ? new TokenService({ ...config.auth, audience: config.http.publicUrl ?? 'fhir-migrate', ...(deps.now ? { now: deps.now } : {}) }) : undefined;
  if (tokens) registerAuthHook(app, tokens);
  warnAboutAuth(app, config);

  const store = deps.store ?? (await openServiceStore(config, cwd));
  const { migrations, metrics: migrationMetrics } = composeMigrations(app, config, store, { ...deps, cwd, packageRoot: deps.packageRoot ?? cwd }, metrics.registry);
  // Graceful shutdown, in this order: drain what uses the store (the patient in hand finishes), then close it.
  app.addHook('onClose', async () => {
    await migrations.close();
    if (!deps.store) await store.close();
  });
  registerServiceRoutes(app, {
    operations, info, metrics: metrics.registry, tokenPath: tokens ? TOKEN_PATH : undefined,
    readiness: () => migrations.readiness(), collectMetrics: () => migrationMetrics.collect(),
  });
  registerFhirOperationRoutes(app, operations);
  registerMigrationRoutes(app, migrations);
  if (tokens) registerAuthRoutes(app, tokens, config.http.publicUrl, SUPPORTED_SCOPES);
  return app;
}
