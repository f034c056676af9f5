import { mkdirSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import Fastify from 'fastify';
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import type { DestinationStream } from 'pino';
import {
  READ_SCOPE,
  TOKEN_PATH,
  TokenService,
  WRITE_SCOPE,
  createServiceMetrics,
  registerAuthHook,
  registerBulkExportRoutes,
  registerAuthRoutes,
  registerContentTypes,
  registerErrorHandling,
  registerFhirOperationRoutes,
  registerHttpMetrics,
  registerOpenApi,
  PhiSafeLogController,
  registerSecurityPlugins,
  registerServiceRoutes,
} from './api/index.ts';
import type { FhirOperationsPort, ServiceInfo } from './api/index.ts';
import { BulkExportService } from './bulk/index.ts';
import type { Config } from './config/index.ts';
import { MigrateError, createLogger } from './core/index.ts';
import type { Logger } from './core/index.ts';
import { jobStoreOptionsFromLocation, openJobStore } from './jobs/index.ts';
import { buildServiceDevice } from './provenance/index.ts';
import type { JobStore } from './jobs/index.ts';
import { createFhirOperations, loadServiceContext, readPackageVersion } from './runtime/index.ts';

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
}

/** The service's job store: `deps.store`, or the configured one (a relative SQLite path lives in dataDir). */
export async function openServiceStore(config: Config, deps: Pick<AppDeps, 'store' | 'cwd'> = {}): Promise<{ store: JobStore; owned: boolean }> {
  if (deps.store) return { store: deps.store, owned: false };
  if (config.store.kind === 'postgres') {
    if (!config.store.url) throw new MigrateError('FHIRMIG_ERR_CONFIG_INVALID', 'store.url (FHIRMIG_STORE_URL) is required when store.kind is "postgres".');
    return { store: await openJobStore(jobStoreOptionsFromLocation(config.store.url)), owned: true };
  }
  const dataDir = resolve(deps.cwd ?? process.cwd(), config.dataDir);
  const path = isAbsolute(config.store.path) ? config.store.path : resolve(dataDir, config.store.path);
  mkdirSync(resolve(path, '..'), { recursive: true });
  return { store: await openJobStore({ backend: 'sqlite', path }), owned: true };
}

/** Bulk Data $export over the store; interrupted exports resume when the app is ready, running ones stop on close. */
async function createBulkExport(app: FastifyInstance, config: Config, deps: AppDeps, cwd: string, version: string): Promise<BulkExportService> {
  const { store, owned } = await openServiceStore(config, { ...deps, cwd });
  const bulk = new BulkExportService({
    store,
    dataDir: resolve(cwd, config.dataDir),
    maxFileResources: config.export.maxFileResources,
    maxConcurrent: config.export.maxConcurrent,
    retryAfterSeconds: config.export.retryAfterSeconds,
    requiresAccessToken: config.auth.mode === 'smart',
    device: buildServiceDevice({ version }),
    log: app.log,
  });
  app.addHook('onReady', async () => void (await bulk.resumeInterrupted()));
  app.addHook('onClose', async () => {
    await bulk.close();
    if (owned) await store.close();
  });
  return bulk;
}

const SUPPORTED_SCOPES = [READ_SCOPE, WRITE_SCOPE, 'system/*.*'];

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

  registerErrorHandling(app);
  registerContentTypes(app);
  await registerSecurityPlugins(app, config.rateLimit);
  await registerOpenApi(app, info);

  const metrics = createServiceMetrics(info.startedAt, info.version);
  registerHttpMetrics(app, metrics);
  const tokens = config.auth.mode === 'smart' ? new TokenService({ ...config.auth, audience: config.http.publicUrl ?? 'fhir-migrate', ...(deps.now ? { now: deps.now } : {}) }) : undefined;
  if (tokens) registerAuthHook(app, tokens);
  warnAboutAuth(app, config);

  registerServiceRoutes(app, { operations, info, metrics: metrics.registry, tokenPath: tokens ? TOKEN_PATH : undefined });
  registerFhirOperationRoutes(app, operations);
  registerBulkExportRoutes(app, await createBulkExport(app, config, deps, cwd, info.version), { publicUrl: config.http.publicUrl });
  if (tokens) registerAuthRoutes(app, tokens, config.http.publicUrl, SUPPORTED_SCOPES);
  return app;
}
