import { cpSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { planMigration, reconcileJob, runJob } from '../../../src/jobs/index.ts';
import type { JobStore, MigrationEnv } from '../../../src/jobs/index.ts';
import { createSource } from '../../../src/sources/index.ts';
import { PATIENTS, SYNTHEA_CSV, buildEnv, engineParts, useR4OnlyValidation, openScratchStore, scratchDir, specFor } from './support.ts';

/** Re-runs and deltas into a file:DIR target: unchanged records send nothing, a changed one makes one update. */
jest.setTimeout(60_000);

const dir = scratchDir('delta');
const csvDir = join(dir, 'csv');
const out = join(dir, 'out');
let store: JobStore;
let env: MigrationEnv;

beforeAll(async () => {
  useR4OnlyValidation();
  engineParts();
  cpSync(SYNTHEA_CSV, csvDir, { recursive: true }); // a scratch copy we can edit
  store = await openScratchStore(dir);
  env = { ...buildEnv(store, `file:${out}`), source: createSource(`csv:${csvDir}`) };
});

afterAll(async () => {
  await env.target.close();
  await env.source.close();
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

async function migrate(): Promise<Awaited<ReturnType<typeof reconcileJob>>> {
  const spec = { ...specFor(env, `file:${out}`, { patients: [PATIENTS[0] as string] }), source: `csv:${csvDir}` };
  const job = await runJob(env, (await planMigration(store, spec, env.source)).id);
  expect(job.state).toBe('completed');
  return reconcileJob(store, job.id, env.target);
}

const ndjsonLines = (type: string): string[] => readFileSync(join(out, `${type}.ndjson`), 'utf8').split('\n').filter((l) => l !== '');

it('writes NDJSON per type, then sends only the changed record on a re-run', async () => {
  const first = await migrate();
  expect(first.total.loaded).toBeGreaterThan(300);
  expect(first.targetMismatches).toEqual({});
  expect(ndjsonLines('Observation').length).toBe(first.byResourceType['Observation']?.loaded);

  const patients = join(csvDir, 'patients.csv');
  writeFileSync(patients, readFileSync(patients, 'utf8').replace(',Temika453,', ',Temika,'));
  await env.source.close();
  env = { ...env, source: createSource(`csv:${csvDir}`) };

  const second = await migrate();
  expect(second.total.loaded).toBe(1);
  expect(second.byResourceType['Patient']?.loaded).toBe(1);
  expect(second.total.skippedByRule['unchanged-since-previous-load']).toBe(first.total.loaded - 1);
  expect(second.targetCounts).toEqual({ Patient: 1, Provenance: 1 });
  const patientLines = ndjsonLines('Patient');
  expect(patientLines).toHaveLength(1); // updated in place, not duplicated
  expect((JSON.parse(patientLines[0] as string) as fhir4.Patient).name?.[0]?.given).toEqual(['Temika']);
  // One Provenance per phase transaction of the first run (critical, clinical, administrative) + the update's.
  expect(Object.keys(first.byPhase)).toEqual(['critical', 'clinical', 'administrative']);
  expect(ndjsonLines('Provenance')).toHaveLength(4);
});
