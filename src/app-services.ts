/**
 * The services the composition root builds over the job store: migrations, Bulk Data export and
 * bundle intake. Each is wired to the app's lifecycle (resume on ready, drain on close). Split out
 * of app.ts to keep the root readable; only app.ts imports it.
 */
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { registerMigrationMetrics } from './api/index.ts';
import type { IntakePort, MetricsRegistry, MigrationMetrics } from './api/index.ts';
import { BulkExportService } from './bulk/index.ts';
import type { Config } from './config/index.ts';
import { MigrateError } from './core/index.ts';
import type { Logger } from './core/index.ts';
import type { JobStore } from './jobs/index.ts';
import { MigrationService, loadIntake, loadServiceContext, openStore } from './runtime/index.ts';
import type { ServiceContext } from './runtime/index.ts';
import type { FhirClientOptions, TargetRequestEvent } from './target/index.ts';

/** The job store of `config.store`: a SQLite file under dataDir (created), or PostgreSQL by URL. */
export async function openServiceStore(config: Config, cwd: string = process.cwd()): Promise<JobStore> {
  if (config.store.kind === 'postgres') {
    if (!config.store.url) throw new MigrateError('FHIRMIG_ERR_CONFIG_INVALID', 'store.url (FHIRMIG_STORE_URL) is required when store.kind is "postgres".');
    return openStore(config.store.url, cwd);
  }
  const path = resolve(cwd, config.dataDir, config.store.path);
  mkdirSync(dirname(path), { recursive: true });
  return openStore(path, cwd);
}

export function loadContext(config: Config, cwd: string, log: Logger): ServiceContext {
  const { mapsDir, conceptMapDirs, profileDirs, igDirs, modelDirs } = config;
  const context = loadServiceContext({ mapsDir, conceptMapDirs, profileDirs, igDirs, modelDirs, cwd });
  for (const dir of context.missingDirs) log.warn({ dir }, 'configured folder does not exist; skipped');
  for (const { file, error } of context.mapErrors) log.error({ file, code: error.code, location: error.location }, 'map failed to load; the service is not ready');
  log.info({ ...context.counts, loadMillis: context.loadMillis }, 'conformance context and maps loaded');
  return context;
}

export interface MigrationWiring {
  readonly cwd: string;
  readonly packageRoot: string;
  /** This service as a Device (Provenance and AuditEvent agent), built once by app.ts. */
  readonly device: fhir4.Device;
  /** Where the migration metrics (jobs, records, target latency and retries) are registered. */
  readonly registry: MetricsRegistry;
  readonly targetOptions?: Omit<FhirClientOptions, 'baseUrl'>;
}

/**
 * The migration jobs over the store, with their metrics (the targets' request hook). Resumes
 * unfinished jobs when the app is ready; the caller drains it on close.
 */
export function buildMigrations(app: FastifyInstance, config: Config, store: JobStore, wiring: MigrationWiring): { migrations: MigrationService; metrics: MigrationMetrics } {
  const { cwd, packageRoot } = wiring;
  let migrations: MigrationService | undefined;
  const metrics = registerMigrationMetrics(wiring.registry, { stats: () => (migrations as MigrationService).stats(), readiness: () => (migrations as MigrationService).readiness() });
  const onRequest = (event: TargetRequestEvent): void => {
    metrics.onTargetRequest(event);
    wiring.targetOptions?.onRequest?.(event);
  };
  migrations = new MigrationService({
    store, cwd, packageRoot,
    allowedRoots: (config.migrations.allowedRoots ?? [cwd, config.dataDir]).map((root) => resolve(cwd, root)),
    defaultTarget: config.migrations.defaultTarget,
    device: wiring.device,
    maxConcurrentJobs: config.migrations.maxConcurrentJobs,
    patientConcurrency: config.migrations.patientConcurrency,
    leaseMs: config.migrations.leaseMs,
    ...(config.migrations.recordThreads === undefined ? {} : { recordThreads: config.migrations.recordThreads }),
    targetOptions: { ...wiring.targetOptions, onRequest },
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

/** Bulk Data $export over the store; interrupted exports resume when the app is ready. */
export function buildBulkExport(app: FastifyInstance, config: Config, store: JobStore, wiring: { readonly cwd: string; readonly device: fhir4.Device }): BulkExportService {
  const bulk = new BulkExportService({
    store,
    dataDir: resolve(wiring.cwd, config.dataDir),
    maxFileResources: config.export.maxFileResources,
    maxConcurrent: config.export.maxConcurrent,
    retryAfterSeconds: config.export.retryAfterSeconds,
    requiresAccessToken: config.auth.mode === 'smart',
    device: wiring.device,
    log: app.log,
  });
  app.addHook('onReady', async () => {
    try {
      await bulk.resumeInterrupted();
    } catch (error) {
      // As for migrations: the service still starts, /ready reports the store, a restart resumes the exports.
      app.log.error({ code: error instanceof MigrateError ? error.code : 'FHIRMIG_ERR_STORE_UNAVAILABLE' }, 'could not list interrupted exports to resume');
    }
  });
  return bulk;
}

/** Bundle intake when `intake.target` is configured; its target closes with the app. */
export function buildIntake(app: FastifyInstance, config: Config, store: JobStore, wiring: { readonly cwd: string; readonly version: string; readonly context: () => ServiceContext }): IntakePort | undefined {
  if (!config.intake.target) return undefined;
  const intake = loadIntake(wiring.context(), { ...config.intake, target: config.intake.target, cwd: wiring.cwd, version: wiring.version, store });
  app.addHook('onClose', async () => intake.target.close());
  app.log.info({ target: intake.target.kind, mapSets: intake.mapSets }, 'bundle intake forwards to the configured target');
  return intake.service;
}
