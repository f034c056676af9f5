import { rmSync } from 'node:fs';
import { reconcileJob, rollbackJob, runJob } from '../../../src/jobs/index.ts';
import type { JobStore, MigrationEnv, ReconciliationReport } from '../../../src/jobs/index.ts';
import { jobTag, verifyAuditChain } from '../../../src/provenance/index.ts';
import { startFhirServer } from '../../support/fhir-server.ts';
import type { RunningFhirServer } from '../../support/fhir-server.ts';
import { buildEnv, engineParts, openScratchStore, plan, scratchDir } from './support.ts';

/** The migration engine end to end against the real loopback FHIR server. */
jest.setTimeout(60_000);

let server: RunningFhirServer;
let store: JobStore;
let env: MigrationEnv;
const dir = scratchDir('runner');

beforeAll(async () => {
  engineParts();
  server = await startFhirServer();
  store = await openScratchStore(dir);
  env = buildEnv(store, server.url);
});

afterAll(async () => {
  await env.target.close();
  await env.source.close();
  await store.close();
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

async function countByTag(type: string, jobId: string): Promise<number> {
  return env.target.count(type, jobTag(jobId));
}

const outcomeTotals = (r: ReconciliationReport): unknown => ({ total: r.total, bySourceTable: r.bySourceTable, byResourceType: r.byResourceType });

describe('migrate Synthea patients into the loopback server', () => {
  let dryReport: ReconciliationReport;
  let liveJobId: string;
  let liveReport: ReconciliationReport;

  it('dry run: everything but the write', async () => {
    const before = server.requestCount();
    const job = await runJob(env, (await plan(env, server.url, { dryRun: true })).id);
    expect(job.state).toBe('completed');
    expect(job.progress.resourcesWritten).toBe(0);
    expect(server.requestCount()).toBe(before);
    dryReport = await reconcileJob(store, job.id, env.target);
    expect(dryReport.balanced).toBe(true);
    expect(dryReport.total.loaded).toBeGreaterThan(300);
    expect(dryReport.targetCounts).toBeUndefined();
  });

  it('loads every record with its Provenance; the report balances and the target agrees', async () => {
    const started = performance.now();
    const job = await runJob(env, (await plan(env, server.url)).id, { concurrency: 2 });
    const seconds = (performance.now() - started) / 1000;
    liveJobId = job.id;
    expect(job.state).toBe('completed');
    liveReport = await reconcileJob(store, job.id, env.target);
    expect(outcomeTotals(liveReport)).toEqual(outcomeTotals(dryReport));
    expect(liveReport.balanced).toBe(true);
    expect(liveReport.total.rejected).toBe(0);
    expect(liveReport.targetMismatches).toEqual({});
    const loaded = liveReport.total.loaded;
    const provenances = liveReport.targetCounts?.['Provenance'] ?? 0;
    expect(provenances).toBeGreaterThanOrEqual(2 * 7); // 50-PUT chunks, one Provenance each
    expect(job.progress.resourcesWritten).toBe(loaded + provenances);
    process.stderr.write(`runner: ${job.progress.resourcesWritten} resources in ${seconds.toFixed(2)} s = ${Math.round(job.progress.resourcesWritten / seconds)}/s\n`);
  });

  it('every written resource is the target of a Provenance of the job', async () => {
    const ids = await store.listIds(liveJobId);
    const targets = new Set<string>();
    for (const entry of ids.filter((e) => e.resourceType === 'Provenance')) {
      const provenance = (await env.target.read('Provenance', entry.targetId)) as fhir4.Provenance;
      for (const t of provenance.target) targets.add(t.reference ?? '');
      expect(provenance.entity?.length).toBe(provenance.target.length);
    }
    const written = ids.filter((e) => e.resourceType !== 'Provenance').map((e) => `${e.resourceType}/${e.targetId}`);
    expect(written.length).toBe(liveReport.total.loaded);
    expect(written.filter((w) => !targets.has(w))).toEqual([]);
  });

  it('a second run sends nothing: every record unchanged', async () => {
    const before = await countByTag('Observation', liveJobId);
    const job = await runJob(env, (await plan(env, server.url)).id);
    expect(job.state).toBe('completed');
    expect(job.progress.resourcesWritten).toBe(0);
    const report = await reconcileJob(store, job.id, env.target);
    expect(report.total.loaded).toBe(0);
    expect(report.total.skipped).toBe(report.total.read);
    expect(report.total.skippedByRule['unchanged-since-previous-load']).toBe(liveReport.total.loaded);
    expect(await countByTag('Observation', liveJobId)).toBe(before);
  });

  it('rollback deletes everything the job wrote, and the audit chain verifies', async () => {
    const result = await rollbackJob({ store, target: env.target, device: env.device }, liveJobId);
    expect(result.changedOnTarget).toEqual([]);
    expect(result.deleted).toBe(liveReport.total.loaded + (liveReport.targetCounts?.['Provenance'] ?? 0));
    for (const type of Object.keys(liveReport.targetCounts ?? {})) expect(await countByTag(type, liveJobId)).toBe(0);
    expect((await store.getJob(liveJobId)).state).toBe('rolled-back');
    const verdict = verifyAuditChain(await store.readAudit());
    expect(verdict.ok).toBe(true);
    const types = (await store.readAudit()).map((e) => e.type);
    expect(types).toEqual(expect.arrayContaining(['job.dry-run', 'job.start', 'job.phase', 'job.rollback']));
  });
});
