/**
 * The services the composition root builds over the job store: migrations, Bulk Data export and
 * bundle intake. Each is wired to the app's lifecycle (resume on ready, drain on close). Split out
 * of app.ts to keep the root readable; only app.ts imports it.
 */
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { IntakePort } from './api/index.ts';
import { BulkExportService } from './bulk/index.ts';
import type { Config } from './config/index.ts';
import { MigrateError } from './core/index.ts';
import type { Logger } from './core/index.ts';
import type { JobStore } from './jobs/index.ts';
import { buildServiceDevice } from './provenance/index.ts';
import { MigrationService, loadIntake, loadServiceContext, openStore, serviceDevice } from './runtime/index.ts';
import type { ServiceContext } from './runtime/index.ts';
import type { FhirClientOptions } from './target/index.ts';

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
  readonly targetOptions?: Omit<FhirClientOptions, 'baseUrl'>;
}

/** The migration jobs over the store; resumes unfinished jobs when the app is ready. */
export function buildMigrations(app: FastifyInstance, config: Config, store: JobStore, wiring: MigrationWiring): MigrationService {
  const { cwd, packageRoot } = wiring;
  const migrations = new MigrationService({
    store, cwd, packageRoot,
    allowedRoots: (config.migrations.allowedRoots ?? [cwd, config.dataDir]).map((root) => resolve(cwd, root)),
    defaultTarget: config.migrations.defaultTarget,
    device: serviceDevice({ packageRoot }),
    maxConcurrentJobs: config.migrations.maxConcurrentJobs,
    patientConcurrency: config.migrations.patientConcurrency,
    leaseMs: config.migrations.leaseMs,
    ...(wiring.targetOptions ? { targetOptions: wiring.targetOptions } : {}),
    onRunError: (jobId, error) => app.log.error({ jobId, code: error.code }, 'migration run failed'),
  });
  app.addHook('onReady', async () => {
    const resumed = await migrations.resumeUnfinished();
    if (resumed.length > 0) app.log.info({ jobs: resumed }, 'resuming unfinished migrations');
  });
  return migrations;
}

/** Bulk Data $export over the store; interrupted exports resume when the app is ready. */
export function buildBulkExport(app: FastifyInstance, config: Config, store: JobStore, wiring: { readonly cwd: string; readonly version: string }): BulkExportService {
  const bulk = new BulkExportService({
    store,
    dataDir: resolve(wiring.cwd, config.dataDir),
    maxFileResources: config.export.maxFileResources,
    maxConcurrent: config.export.maxConcurrent,
    retryAfterSeconds: config.export.retryAfterSeconds,
    requiresAccessToken: config.auth.mode === 'smart',
    device: buildServiceDevice({ version: wiring.version }),
    log: app.log,
  });
  app.addHook('onReady', async () => void (await bulk.resumeInterrupted()));
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
