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
  registerAuthRoutes,
  registerContentTypes,
  registerErrorHandling,
  registerFhirOperationRoutes,
  registerHttpMetrics,
  registerIntakeRoutes,
  registerOpenApi,
  PhiSafeLogController,
  registerSecurityPlugins,
  registerServiceRoutes,
} from './api/index.ts';
import type { FhirOperationsPort, IntakePort, ServiceInfo } from './api/index.ts';
import type { Config } from './config/index.ts';
import { createLogger } from './core/index.ts';
import type { Logger } from './core/index.ts';
import { openJobStore } from './jobs/index.ts';
import type { JobStore } from './jobs/index.ts';
import { createFhirOperations, loadIntake, loadServiceContext, readPackageVersion } from './runtime/index.ts';
import type { ServiceContext } from './runtime/index.ts';

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
  /** Bundle intake; default: built from `intake.*` when `intake.target` is set. */
  readonly intake?: IntakePort;
}

const SUPPORTED_SCOPES = [READ_SCOPE, WRITE_SCOPE, 'system/*.*'];

function loadContext(config: Config, cwd: string, log: Logger): ServiceContext {
  const { mapsDir, conceptMapDirs, profileDirs, igDirs, modelDirs } = config;
  const context = loadServiceContext({ mapsDir, conceptMapDirs, profileDirs, igDirs, modelDirs, cwd });
  for (const dir of context.missingDirs) log.warn({ dir }, 'configured folder does not exist; skipped');
  for (const { file, error } of context.mapErrors) log.error({ file, code: error.code, location: error.location }, 'map failed to load; the service is not ready');
  log.info({ ...context.counts, loadMillis: context.loadMillis }, 'conformance context and maps loaded');
  return context;
}

/** The service's job store: `deps.store`, or the configured one (a relative SQLite path lives in dataDir). */
export async function openServiceStore(config: Config, deps: Pick<AppDeps, 'store' | 'cwd'> = {}): Promise<{ store: JobStore; owned: boolean }> {
  if (deps.store) return { store: deps.store, owned: false };
  if (config.store.kind === 'postgres') return { store: await openJobStore({ backend: 'postgres', connectionString: config.store.url ?? '' }), owned: true };
  const dataDir = resolve(deps.cwd ?? process.cwd(), config.dataDir);
  const path = isAbsolute(config.store.path) ? config.store.path : resolve(dataDir, config.store.path);
  mkdirSync(resolve(path, '..'), { recursive: true });
  return { store: await openJobStore({ backend: 'sqlite', path }), owned: true };
}

/** Bundle intake when `intake.target` is configured (or injected); its target and owned store close with the app. */
async function buildIntake(app: FastifyInstance, config: Config, deps: AppDeps, cwd: string, context: () => ServiceContext, version: string): Promise<IntakePort | undefined> {
  if (deps.intake || !config.intake.target) return deps.intake;
  const { store, owned } = await openServiceStore(config, { ...deps, cwd });
  let intake: ReturnType<typeof loadIntake>;
  try {
    intake = loadIntake(context(), { ...config.intake, target: config.intake.target, cwd, version, store });
  } catch (error) {
    if (owned) await store.close();
    throw error;
  }
  app.addHook('onClose', async () => {
    await intake.target.close();
    if (owned) await store.close();
  });
  app.log.info({ target: intake.target.kind, mapSets: intake.mapSets }, 'bundle intake forwards to the configured target');
  return intake.service;
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

  registerErrorHandling(app);
  registerContentTypes(app);
  await registerSecurityPlugins(app, config.rateLimit);
  await registerOpenApi(app, info);

  const metrics = createServiceMetrics(info.startedAt, info.version);
  registerHttpMetrics(app, metrics);
  const tokens = config.auth.mode === 'smart' ? new TokenService({ ...config.auth, audience: config.http.publicUrl ?? 'fhir-migrate', ...(deps.now ? { now: deps.now } : {}) }) : undefined;
  if (tokens) registerAuthHook(app, tokens);
  warnAboutAuth(app, config);

  const intake = await buildIntake(app, config, deps, cwd, loadedContext, info.version);
  registerServiceRoutes(app, { operations, info, metrics: metrics.registry, tokenPath: tokens ? TOKEN_PATH : undefined, intake: intake !== undefined });
  registerFhirOperationRoutes(app, operations);
  registerIntakeRoutes(app, intake);
  if (tokens) registerAuthRoutes(app, tokens, config.http.publicUrl, SUPPORTED_SCOPES);
  return app;
}
