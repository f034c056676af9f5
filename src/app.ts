import Fastify from 'fastify';
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import type { DestinationStream } from 'pino';
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
  registerBulkExportRoutes,
  registerContentTypes,
  registerErrorHandling,
  registerFhirOperationRoutes,
  registerHttpMetrics,
  registerIntakeRoutes,
  registerMigrationRoutes,
  registerOpenApi,
  PhiSafeLogController,
  registerSecurityPlugins,
  registerServiceRoutes,
} from './api/index.ts';
import type { FhirOperationsPort, IntakePort, ServiceInfo } from './api/index.ts';
import { buildBulkExport, buildIntake, buildMigrations, loadContext, openServiceStore } from './app-services.ts';
import type { Config } from './config/index.ts';
import { createLogger } from './core/index.ts';
import { buildServiceDevice } from './provenance/index.ts';
import type { JobStore } from './jobs/index.ts';
import { createFhirOperations, readPackageVersion } from './runtime/index.ts';
import type { ServiceContext } from './runtime/index.ts';
import type { FhirClientOptions } from './target/index.ts';

export { openServiceStore } from './app-services.ts';

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
  /** Bundle intake; default: built from `intake.*` when `intake.target` is set. */
  readonly intake?: IntakePort;
}

const SUPPORTED_SCOPES = [READ_SCOPE, WRITE_SCOPE, MIGRATION_READ_SCOPE, MIGRATION_WRITE_SCOPE, 'system/*.*'];

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
  let context: ServiceContext | undefined;
  const loadedContext = () => (context ??= loadContext(config, cwd, logger));
  const operations = deps.operations ?? createFhirOperations(loadedContext());
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
  const device = buildServiceDevice({ version: info.version });
  const intake = deps.intake ?? buildIntake(app, config, store, { cwd, version: info.version, context: loadedContext });
  const { migrations, metrics: migrationMetrics } = buildMigrations(app, config, store, {
    cwd, packageRoot: deps.packageRoot ?? cwd, device, registry: metrics.registry, ...(deps.targetOptions ? { targetOptions: deps.targetOptions } : {}),
  });
  const bulk = buildBulkExport(app, config, store, { cwd, device });
  // Graceful shutdown, in this order: drain the runs (the patient in hand finishes) and the exports, then close the store.
  app.addHook('onClose', async () => {
    await migrations.close();
    await bulk.close();
    if (!deps.store) await store.close();
  });
  registerServiceRoutes(app, {
    operations, info, metrics: metrics.registry, tokenPath: tokens ? TOKEN_PATH : undefined, intake: intake !== undefined,
    readiness: () => migrations.readiness(), collectMetrics: () => migrationMetrics.collect(),
  });
  registerFhirOperationRoutes(app, operations);
  registerMigrationRoutes(app, migrations);
  registerBulkExportRoutes(app, bulk, { publicUrl: config.http.publicUrl });
  registerIntakeRoutes(app, intake);
  if (tokens) registerAuthRoutes(app, tokens, config.http.publicUrl, SUPPORTED_SCOPES);
  return app;
}
