import { appendFileSync, cpSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { planMigration, reconcileJob, runJob } from '../../../src/jobs/index.ts';
import type { JobStore, MigrationEnv } from '../../../src/jobs/index.ts';
import { createSource } from '../../../src/sources/index.ts';
import { PATIENTS, SYNTHEA_CSV, buildEnv, engineParts, openScratchStore, scratchDir, specFor, useR4OnlyValidation } from './support.ts';

/**
 * Every source row ends in the ledger exactly once (issue 5: nothing silently dropped), now that
 * the shared task reads only the rows of no patient: a row of a patient table with an empty
 * patient cell is the shared task's, a short row is its patient's task's.
 */
jest.setTimeout(90_000);

const dir = scratchDir('shared-rows');
const csvDir = join(dir, 'csv');
let store: JobStore;
let env: MigrationEnv;
const observations = join(csvDir, 'observations.csv');
let orphanLine: number;
let shortLine: number;

beforeAll(async () => {
  useR4OnlyValidation();
  engineParts();
  cpSync(SYNTHEA_CSV, csvDir, { recursive: true });
  const lines = readFileSync(observations, 'utf8').split('\n').filter((l) => l !== '').length;
  orphanLine = lines + 1;
  shortLine = lines + 2;
  appendFileSync(observations, [
    '2014-08-22T18:34:30Z,,,vital-signs,8302-2,Body Height,101.8,cm,numeric', // no patient
    `2014-08-22T18:34:30Z,${PATIENTS[0] as string},,vital-signs,8302-2`, // four fields short
    '',
  ].join('\n'));
  store = await openScratchStore(dir);
  env = { ...buildEnv(store, `file:${join(dir, 'out')}`), source: createSource(`csv:${csvDir}`) };
});

afterAll(async () => {
  await env.target.close();
  await env.source.close();
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

it('records the row without a patient (shared task) and the short row (its patient\'s task) once each, every row read once', async () => {
  const spec = { ...specFor(env, `file:${join(dir, 'out')}`, { dryRun: true }), source: `csv:${csvDir}`, scope: { kind: 'all' as const } };
  const job = await runJob(env, (await planMigration(store, spec, env.source)).id);
  expect(job.state).toBe('completed');
  const report = await reconcileJob(store, job.id, env.target);
  expect(report.balanced).toBe(true);
  const dataRows = readFileSync(observations, 'utf8').split('\n').filter((l) => l !== '').length - 1;
  expect(report.bySourceTable['observations']?.read).toBe(dataRows);
  const page = await store.listOutcomes(job.id, { kind: 'observations', limit: 10_000 });
  const at = (line: number) => page.entries.filter((e) => e.ref.locator === `observations.csv:${line}`);
  expect(at(orphanLine)).toHaveLength(1);
  expect(at(orphanLine)[0]?.patientKey).toBeUndefined();
  expect(at(shortLine)).toHaveLength(1);
  expect(at(shortLine)[0]).toMatchObject({ outcome: 'rejected', errorCode: 'FHIRMIG_ERR_SOURCE_PARSE', patientKey: PATIENTS[0] });
  expect(new Set(page.entries.map((e) => e.ref.locator)).size).toBe(page.entries.length);
});
