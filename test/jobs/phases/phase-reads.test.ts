import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { planMigration, runJob } from '../../../src/jobs/index.ts';
import type { JobStore, MigrationEnv } from '../../../src/jobs/index.ts';
import type { LegacySource, ReadOptions, SourceItem } from '../../../src/sources/index.ts';
import { PATIENTS, buildEnv, openScratchStore, scratchDir, specFor, useR4OnlyValidation } from '../runner/support.ts';

/**
 * Phase tasks read only the source kinds they need (issue 5 "Benchmark": each patient was read
 * whole once per phase). Once a patient's plan is stored by its first phase, a later phase's task
 * asks the source for the kinds holding that phase's records (and the Patient table); the job's
 * outcomes — every record once, in its phase (issue 5 "Migration practice") — stay exactly those
 * of a run that reads every kind in every phase.
 */
jest.setTimeout(120_000);

interface ReadCall {
  readonly kinds: readonly string[] | undefined;
  items: number;
}

/** The source, each read's kinds and item count recorded; `ignoreKinds` reads every kind whatever is asked. */
function recording(source: LegacySource, calls: ReadCall[], ignoreKinds: boolean): LegacySource {
  const read = async function* (options?: ReadOptions): AsyncIterable<SourceItem> {
    const call: ReadCall = { kinds: options?.kinds, items: 0 };
    calls.push(call);
    const { kinds, ...rest } = options ?? {};
    for await (const item of source.read(ignoreKinds ? rest : { ...rest, ...(kinds ? { kinds } : {}) })) {
      call.items++;
      yield item;
    }
  };
  return new Proxy(source, {
    get(s, prop) {
      if (prop === 'read') return read;
      const value: unknown = Reflect.get(s, prop, s);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(s) : value;
    },
  });
}

const dir = scratchDir('phase-reads');
let store: JobStore;
let env: MigrationEnv;

beforeAll(async () => {
  useR4OnlyValidation();
  store = await openScratchStore(dir);
  env = buildEnv(store, `file:${join(dir, 'out')}`);
});

afterAll(async () => {
  await env.target.close();
  await env.source.close();
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

/** A dry run of PATIENTS in all phases (dry runs never count as previous loads: both runs see the same delta). */
async function run(ignoreKinds: boolean): Promise<{ calls: ReadCall[]; outcomes: string[] }> {
  const calls: ReadCall[] = [];
  const live: MigrationEnv = { ...env, source: recording(env.source, calls, ignoreKinds) };
  const job = await runJob(live, (await planMigration(store, specFor(live, 'file:unused', { dryRun: true }), live.source)).id, { concurrency: 1 });
  expect(job.state).toBe('completed');
  const page = await store.listOutcomes(job.id, { limit: 100_000 });
  const outcomes = page.entries.map((e) => [e.ref.kind, e.recordKey, e.phase, e.outcome, e.resourceType, e.errorCode, JSON.stringify(e.issues), e.contentHash].join('|')).sort();
  return { calls, outcomes };
}

it('a later phase reads only its kinds; the outcomes equal those of reading every kind in every phase', async () => {
  const filtered = await run(false);
  const whole = await run(true);
  expect(filtered.outcomes.length).toBeGreaterThan(1_000);
  expect(filtered.outcomes).toEqual(whole.outcomes);

  // Per patient: the first (critical) task reads every kind, the clinical and administrative ones a subset.
  const patientReads = filtered.calls.filter((c) => c.kinds !== undefined);
  expect(patientReads).toHaveLength(PATIENTS.length * 2);
  const clinical = patientReads.filter((c) => c.kinds?.includes('observations'));
  const administrative = patientReads.filter((c) => c.kinds?.includes('claims_transactions'));
  expect(clinical).toHaveLength(PATIENTS.length);
  expect(administrative).toHaveLength(PATIENTS.length);
  for (const c of clinical) {
    expect(c.kinds).toEqual(expect.arrayContaining(['patients', 'encounters', 'procedures']));
    expect(c.kinds).not.toContain('claims');
    expect(c.kinds).not.toContain('claims_transactions');
  }
  for (const c of administrative) {
    expect(c.kinds).toEqual(expect.arrayContaining(['patients', 'claims', 'payer_transitions']));
    expect(c.kinds).not.toContain('observations');
  }
  // Fewer items read over the job than when every phase reads the whole patient.
  const items = (calls: readonly ReadCall[]): number => calls.reduce((n, c) => n + c.items, 0);
  expect(items(filtered.calls)).toBeLessThan(items(whole.calls) * 0.8);
});
