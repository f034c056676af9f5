import { readFileSync, readdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createIssue, createOutcome } from '../../../src/core/index.ts';
import { DEFAULT_PHASE_TABLE, phaseIndex, planMigration, reconcileJob, rollbackJob, runJob } from '../../../src/jobs/index.ts';
import type { JobStore, MigrationEnv } from '../../../src/jobs/index.ts';
import { PATIENTS, buildEnv, loopbackSuite, scratchDir, specFor } from '../runner/support.ts';

/**
 * Priority phases through the runner (issue 5 "Migration practice"): one task per (patient,
 * phase), phases in priority order, each record recorded once in one phase, references never
 * pointing to a later phase, phase selection, and a phase rollback after a threshold stop.
 */
jest.setTimeout(120_000);

const suite = loopbackSuite('phases');
let out = '';
let env: MigrationEnv;
let store: JobStore;

beforeAll(() => {
  // The file target first (the reference check reads its NDJSON), the loopback server for the rollback.
  out = join(scratchDir('phases-out'), 'out');
  store = suite.store;
  env = buildEnv(store, `file:${out}`);
});

afterAll(async () => {
  await env.target.close();
  await env.source.close();
  rmSync(dirname(out), { recursive: true, force: true });
});

const OTHERS = ['6fc4436c-20cc-50f7-cabc-a19442b5837e'];
const rank = (phase: string | undefined): number => phaseIndex(DEFAULT_PHASE_TABLE, phase ?? '');

it('runs critical data of all patients first, each record once in one phase, references only to the same or an earlier phase', async () => {
  const planned = await planMigration(store, specFor(env, `file:${out}`), env.source);
  expect(planned.progress.tasksTotal).toBe(PATIENTS.length * 3);
  const job = await runJob(env, planned.id, { concurrency: 2 });
  expect(job.state).toBe('completed');

  // Every source record of the two patients is in the ledger exactly once (the ledger key is the record).
  let sourceRecords = 0;
  for await (const item of env.source.read({ patientKeys: PATIENTS })) if (item.patientKey !== undefined) sourceRecords++;
  const report = await reconcileJob(store, job.id, env.target);
  expect(report.total.read).toBe(sourceRecords);
  expect(report.balanced).toBe(true);
  const phases = report.byPhase;
  expect(Object.keys(phases)).toEqual(['critical', 'clinical', 'administrative']);
  expect(Object.values(phases).reduce((n, row) => n + row.read, 0)).toBe(report.total.read);
  expect(report.targetMismatches).toEqual({});

  // Whole types land where the table puts them; some Encounters are pulled forward by critical data.
  const ids = await store.listIds(job.id);
  const phaseOf = new Map(ids.map((e) => [`${e.resourceType}/${e.targetId}`, e.phase]));
  const typesIn = (phase: string): Set<string> => new Set(ids.filter((e) => e.phase === phase).map((e) => e.resourceType));
  expect([...typesIn('critical')]).toEqual(expect.arrayContaining(['Patient', 'MedicationRequest', 'Encounter']));
  expect(typesIn('critical').has('Claim')).toBe(false);
  expect([...typesIn('administrative')]).toEqual(expect.arrayContaining(['Claim', 'Coverage']));
  expect(ids.filter((e) => e.resourceType === 'Patient').every((e) => e.phase === 'critical')).toBe(true);

  // The rule: a resource's references point to resources of the same or an earlier phase.
  let checked = 0;
  for (const file of readdirSync(out).filter((f) => f.endsWith('.ndjson') && f !== 'Provenance.ndjson' && f !== 'Device.ndjson')) {
    for (const line of readFileSync(join(out, file), 'utf8').split('\n').filter((l) => l !== '')) {
      const resource = JSON.parse(line) as fhir4.Resource;
      const own = rank(phaseOf.get(`${resource.resourceType}/${resource.id ?? ''}`));
      for (const match of line.matchAll(/"reference":"([A-Za-z]+\/[^"]+)"/g)) {
        const target = phaseOf.get(match[1] as string);
        if (target === undefined) continue; // a shared or unmigrated resource
        expect(rank(target)).toBeLessThanOrEqual(own);
        checked++;
      }
    }
  }
  expect(checked).toBeGreaterThan(100);

  // A logical reference (Reference.identifier) to a resource the job wrote, in any phase, was resolved to it.
  const written = readdirSync(out).filter((f) => f.endsWith('.ndjson')).flatMap((file) =>
    readFileSync(join(out, file), 'utf8').split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as fhir4.Resource & { identifier?: fhir4.Identifier[] }));
  const carried = new Set(written.flatMap((r) => (r.identifier ?? []).map((i) => `${i.system ?? ''}|${i.value ?? ''}`)));
  const unresolved = written.flatMap((r) => logicalReferences(r).filter((i) => carried.has(`${i.system ?? ''}|${i.value ?? ''}`)).map((i) => `${r.resourceType}/${r.id ?? ''} → ${i.value ?? ''}`));
  expect(unresolved).toEqual([]);
  expect(written.filter((r) => phaseOf.get(`${r.resourceType}/${r.id ?? ''}`) === 'administrative' && JSON.stringify(r).includes('"reference":"Encounter/')).length).toBeGreaterThan(10);

  // The audit log says each phase finished, in priority order.
  const steps = (await store.readAudit()).filter((e) => e.type === 'job.phase' && (e.payload as { jobId: string }).jobId === job.id);
  const done = steps.map((e) => JSON.stringify(e.payload)).filter((p) => p.includes('done')).map((p) => /phase (\w+) done/.exec(p)?.[1]);
  expect(done).toEqual(['critical', 'clinical', 'administrative']);
});

it('--phase selects phases: only their tasks and records', async () => {
  const spec = { ...specFor(env, `file:${out}`, { dryRun: true }), options: { dryRun: true, phases: ['critical'], thresholds: {} } };
  const job = await runJob(env, (await planMigration(store, spec, env.source)).id);
  expect(job.progress.tasksTotal).toBe(PATIENTS.length);
  const report = await reconcileJob(store, job.id);
  expect(Object.keys(report.byPhase)).toEqual(['critical']);
  expect(report.byResourceType['Claim']).toBeUndefined();
  expect(report.byResourceType['Patient']?.read).toBe(PATIENTS.length);
  await expect(planMigration(store, { ...spec, options: { ...spec.options, phases: ['billing'] } }, env.source)).rejects.toMatchObject({ code: 'FHIRMIG_ERR_JOB_PHASE' });
});

it('a job stopped by its rejection threshold rolls back its phase: exactly what that phase wrote, the earlier phase stays', async () => {
  const server = suite.server;
  const live = buildEnv(store, server.url);
  const strict: MigrationEnv = {
    ...live,
    validate: (r) => createOutcome(r.resourceType === 'Observation' ? [createIssue('error', 'invariant', 'test rule', 'Observation')] : []),
  };
  // Other patients than above: the delta check would skip records already loaded from this source.
  const spec = { ...specFor(live, server.url, { patients: OTHERS }), options: { dryRun: false, phases: [], thresholds: { maxRejectionRate: 0.2, minRecords: 10 } } };
  const job = await runJob(strict, (await planMigration(store, spec, live.source)).id, { concurrency: 1 });
  expect(job.state).toBe('stopped-threshold');
  const clinical = await store.listIds(job.id, { phase: 'clinical' });
  const critical = await store.listIds(job.id, { phase: 'critical' });
  expect(clinical.length).toBeGreaterThan(0);
  expect(critical.length).toBeGreaterThan(0);

  await expect(rollbackJob(live, job.id, { phase: 'billing' })).rejects.toMatchObject({ code: 'FHIRMIG_ERR_JOB_PHASE' });
  const result = await rollbackJob(live, job.id, { phase: 'clinical' });
  expect(result).toMatchObject({ phase: 'clinical', state: 'stopped-threshold', deleted: clinical.length, notFound: 0, changedOnTarget: [] });
  for (const e of clinical.slice(0, 20)) expect(await live.target.read(e.resourceType, e.targetId)).toBeUndefined();
  for (const e of critical.slice(0, 20)) expect(await live.target.read(e.resourceType, e.targetId)).toBeDefined();
  expect((await store.listIds(job.id, { phase: 'clinical', status: 'written' })).length).toBe(0);
  expect((await store.getJob(job.id)).state).toBe('stopped-threshold');
  // The whole rollback then removes the rest.
  const whole = await rollbackJob(live, job.id);
  expect(whole.deleted).toBe(critical.length);
  await live.target.close();
  await live.source.close();
});

it('a patient whose Patient record is rejected has its other records skipped (patient-not-migrated) in every phase, nothing written', async () => {
  const live = buildEnv(store, suite.server.url);
  const noPatients: MigrationEnv = { ...live, validate: (r) => createOutcome(r.resourceType === 'Patient' ? [createIssue('error', 'required', 'test rule', 'Patient.gender')] : []) };
  const candidates = (await live.source.listPatients()).filter((p) => !PATIENTS.includes(p) && !OTHERS.includes(p));
  const chosen = candidates[0] as string;
  const job = await runJob(noPatients, (await planMigration(store, specFor(live, suite.server.url, { patients: [chosen] }), live.source)).id);
  expect(job.state).toBe('completed');
  const report = await reconcileJob(store, job.id, live.target);
  expect(report.byResourceType['Patient']).toMatchObject({ read: 1, rejected: 1 });
  expect(report.total.loaded).toBe(0);
  expect(report.total.skippedByRule['patient-not-migrated']).toBe(report.total.read - 1);
  expect(Object.keys(report.byPhase)).toEqual(['critical', 'clinical', 'administrative']);
  expect(await store.listIds(job.id)).toEqual([]);
  await live.target.close();
  await live.source.close();
});

/** The identifiers of a value's references that have no `reference` (left logical). */
function logicalReferences(value: unknown, out: fhir4.Identifier[] = []): fhir4.Identifier[] {
  if (Array.isArray(value)) for (const item of value) logicalReferences(item, out);
  else if (value !== null && typeof value === 'object') {
    const object = value as Record<string, unknown>;
    const identifier = object['identifier'];
    if (object['reference'] === undefined && object['resourceType'] === undefined && identifier && typeof identifier === 'object' && !Array.isArray(identifier)) out.push(identifier as fhir4.Identifier);
    for (const member of Object.values(object)) logicalReferences(member, out);
  }
  return out;
}
