import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildValidator, loadMapSet, serviceDevice } from '../../../src/runtime/index.ts';
import { openSqliteJobStore, planMigration } from '../../../src/jobs/index.ts';
import type { Job, JobSpec, JobStore, MapSet, MigrationEnv, ResourceValidator } from '../../../src/jobs/index.ts';
import { createSource } from '../../../src/sources/index.ts';
import { createTarget, resolveTargetProfile } from '../../../src/target/index.ts';
import { startFhirServer } from '../../support/fhir-server.ts';
import type { RunningFhirServer } from '../../support/fhir-server.ts';

/** Shared setup for the migration engine tests: the Synthea map set, US Core validation, a scratch store. */
export const REPO = join(__dirname, '..', '..', '..');
export const SHARED = join(REPO, '..', 'shared');
export const SYNTHEA_CSV = join(SHARED, 'testdata', 'synthea', 'csv');
export const US_CORE = join(SHARED, 'fhir-packages', 'hl7.fhir.us.core');
/** Two small Synthea patients (keeps the suite fast). */
export const PATIENTS = ['b37f7960-7e9e-f3f7-f891-79ae4f632406', '515991e2-40dd-22c1-c377-e0b71ad973b9'];

let cached: { mapSet: MapSet; validate: ResourceValidator } | undefined;
let withUsCore = true;

/** Validation against R4 only (no US Core load): for suites about loading mechanics, a few seconds faster. */
export function useR4OnlyValidation(): void {
  withUsCore = false;
}

export function engineParts(): { mapSet: MapSet; validate: ResourceValidator } {
  cached ??= {
    mapSet: loadMapSet(join(REPO, 'maps', 'synthea-csv'), [join(REPO, 'conceptmaps')], REPO),
    validate: buildValidator(withUsCore ? [US_CORE] : [], REPO),
  };
  return cached;
}

export function scratchDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `fhirmig-${prefix}-`));
}

export async function openScratchStore(dir: string): Promise<JobStore> {
  return openSqliteJobStore({ path: join(dir, 'jobs.sqlite') });
}

export function buildEnv(store: JobStore, targetUrl: string): MigrationEnv {
  const { mapSet, validate } = engineParts();
  return {
    store,
    source: createSource(`csv:${SYNTHEA_CSV}`),
    mapSet,
    validate,
    target: createTarget(targetUrl, { retry: { maxAttempts: 4, baseDelayMs: 20, maxDelayMs: 100 } }),
    profile: resolveTargetProfile(targetUrl.startsWith('file:') ? 'put' : 'medplum'),
    device: serviceDevice({ packageRoot: REPO }),
  };
}

export interface PlanTestOptions {
  readonly dryRun?: boolean;
  readonly patients?: readonly string[];
  /** Priority phases to run (all by default). */
  readonly phases?: readonly string[];
}

export function specFor(env: MigrationEnv, target: string, options: PlanTestOptions = {}): JobSpec {
  return {
    source: `csv:${SYNTHEA_CSV}`,
    target,
    mapSet: { id: env.mapSet.id, versionHash: env.mapSet.versionHash },
    scope: { kind: 'patients', patientIds: options.patients ?? PATIENTS },
    options: { dryRun: options.dryRun ?? false, phases: options.phases ?? [], thresholds: {} },
  };
}

export function plan(env: MigrationEnv, target: string, options: PlanTestOptions = {}): Promise<Job> {
  return planMigration(env.store, specFor(env, target, options), env.source);
}

export interface LoopbackSuite {
  readonly server: RunningFhirServer;
  readonly store: JobStore;
  /** Into the loopback FHIR server; R4-only validation. */
  readonly env: MigrationEnv;
}

/**
 * Registers beforeAll/afterAll for a suite against a real loopback FHIR server with a scratch
 * SQLite store; the returned object is filled once beforeAll ran.
 */
export function loopbackSuite(prefix: string): LoopbackSuite {
  const dir = scratchDir(prefix);
  const suite = {} as { server: RunningFhirServer; store: JobStore; env: MigrationEnv };
  beforeAll(async () => {
    useR4OnlyValidation();
    engineParts();
    suite.server = await startFhirServer();
    suite.store = await openScratchStore(dir);
    suite.env = buildEnv(suite.store, suite.server.url);
  });
  afterAll(async () => {
    await suite.env?.target.close();
    await suite.env?.source.close();
    await suite.store?.close();
    await suite.server?.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return suite;
}
