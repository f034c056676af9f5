import { jobAuditEvents, planMigration, rollbackJob, runJob } from '../../../src/jobs/index.ts';
import { PATIENTS, loopbackSuite, specFor } from './support.ts';

/**
 * `--audit-to-target` (issue 5 "Audit: an AuditEvent for each job step … kept in the store and,
 * optionally, written to the target"): the store's events appear on a real FHIR server with
 * their ids, a re-publish duplicates nothing, a dry run writes none.
 */
jest.setTimeout(60_000);

const suite = loopbackSuite('audit-target');

async function auditEventsOnTarget(jobId: string): Promise<fhir4.AuditEvent[]> {
  const { server } = suite;
  const response = await fetch(`${server.url}/AuditEvent?_count=1000&_tag=${encodeURIComponent(`https://fhir-migrate.dev/job|${jobId}`)}`);
  const bundle = (await response.json()) as fhir4.Bundle;
  return (bundle.entry ?? []).map((e) => e.resource as fhir4.AuditEvent);
}

const plan = (options: { dryRun: boolean; auditToTarget: boolean }) => {
  const { env, store, server } = suite;
  return planMigration(store, { ...specFor(env, server.url, { patients: [PATIENTS[0] as string] }), options: { dryRun: options.dryRun, phases: ['critical'], thresholds: {}, auditToTarget: options.auditToTarget } }, env.source);
};

it('writes every job step\'s AuditEvent to the target with its id; a rollback adds its own and re-sends none twice', async () => {
  const { env, store } = suite;
  const job = await runJob(env, (await plan({ dryRun: false, auditToTarget: true })).id);
  expect(job.state).toBe('completed');
  const kept = await jobAuditEvents(store, job.id);
  expect(kept.map((e) => e.subtype?.[0]?.code)).toEqual(['start', 'phase', 'phase']); // start, phase critical done, job end
  const onTarget = await auditEventsOnTarget(job.id);
  expect(onTarget.map((e) => e.id).sort()).toEqual(kept.map((e) => e.id).sort());
  const byId = new Map(onTarget.map((e) => [e.id, e]));
  for (const event of kept) {
    expect(byId.get(event.id)).toMatchObject({ resourceType: 'AuditEvent', recorded: event.recorded, outcome: event.outcome, action: event.action });
  }

  const rolledBack = await rollbackJob({ store, target: env.target, device: env.device, profile: env.profile }, job.id);
  expect(rolledBack.state).toBe('rolled-back');
  const after = await auditEventsOnTarget(job.id);
  expect(after).toHaveLength(kept.length + 1); // the rollback's event; the three before are not duplicated
  expect(new Set(after.map((e) => e.id)).size).toBe(after.length);
  expect(after.some((e) => e.action === 'D')).toBe(true);
  // Rollback deletes what the job wrote, not its audit trail.
  expect(await env.target.read('AuditEvent', kept[0]?.id as string)).toBeDefined();
});

it('without the option, or in a dry run, no AuditEvent reaches the target (they stay in the store)', async () => {
  const { env, store } = suite;
  const plain = await runJob(env, (await plan({ dryRun: false, auditToTarget: false })).id);
  const dry = await runJob(env, (await plan({ dryRun: true, auditToTarget: true })).id);
  for (const job of [plain, dry]) {
    expect(job.state).toBe('completed');
    expect((await jobAuditEvents(store, job.id)).length).toBeGreaterThan(0);
    expect(await auditEventsOnTarget(job.id)).toEqual([]);
  }
});
