import type { JobStore } from '../../../../src/jobs/index.ts';
import { drain, jobSpec, manualClock } from './harness.ts';
import type { StoreHarness } from './harness.ts';

const patients = (n: number, phase = 'critical') => Array.from({ length: n }, (_, i) => ({ patientKey: `patient-${i}`, phase }));

export function tasksContract(harness: StoreHarness): void {
  let store: JobStore;
  beforeAll(async () => {
    store = await harness.open();
  });
  afterAll(async () => {
    await store.close();
  });

  it('adds tasks once per (patient, phase) and counts them in tasksTotal', async () => {
    const { id } = await store.createJob(jobSpec());
    expect(await store.addTasks(id, patients(5))).toBe(5);
    expect(await store.addTasks(id, [...patients(6), { patientKey: 'patient-0', phase: 'history' }])).toBe(2);
    expect((await store.getJob(id)).progress.tasksTotal).toBe(7);
    expect(await store.countTasks(id)).toEqual({ pending: 7, claimed: 0, done: 0, failed: 0 });
  });

  it('claims by priority then insertion order, honours the phase filter, and completes', async () => {
    const { id } = await store.createJob(jobSpec());
    await store.addTasks(id, [
      { patientKey: 'late', phase: 'billing', priority: 2 },
      { patientKey: 'a', phase: 'critical', priority: 0 },
      { patientKey: 'b', phase: 'critical', priority: 0 },
      { patientKey: 'mid', phase: 'history', priority: 1 },
    ]);
    expect((await store.claimTasks(id, 'w1', 1, 60_000, { phase: 'history' })).map((t) => t.patientKey)).toEqual(['mid']);
    const claimed = await store.claimTasks(id, 'w1', 10, 60_000);
    expect(claimed.map((t) => t.patientKey)).toEqual(['a', 'b', 'late']);
    expect(claimed[0]).toMatchObject({ state: 'claimed', claimedBy: 'w1', attempts: 1, jobId: id });
    for (const task of claimed) await store.completeTask(task.id, 'w1');
    expect(await store.countTasks(id)).toEqual({ pending: 0, claimed: 1, done: 3, failed: 0 });
    expect((await store.getJob(id)).progress.tasksDone).toBe(3);
    expect(await store.claimTasks(id, 'w1', 10, 60_000)).toEqual([]);
  });

  it('refuses to complete a task the worker does not hold (FHIRMIG_ERR_JOB_LEASE_LOST)', async () => {
    const { id } = await store.createJob(jobSpec());
    await store.addTasks(id, patients(1));
    const [task] = await store.claimTasks(id, 'w1', 1, 60_000);
    await expect(store.completeTask(task!.id, 'w2')).rejects.toMatchObject({ code: 'FHIRMIG_ERR_JOB_LEASE_LOST', status: 409 });
    await store.completeTask(task!.id, 'w1');
    await expect(store.completeTask(task!.id, 'w1')).rejects.toMatchObject({ code: 'FHIRMIG_ERR_JOB_LEASE_LOST' });
  });

  it('fails a task for good, or puts it back for another attempt', async () => {
    const { id } = await store.createJob(jobSpec());
    await store.addTasks(id, patients(2));
    const [first, second] = await store.claimTasks(id, 'w1', 2, 60_000);
    await store.failTask(first!.id, 'w1', { code: 'FHIRMIG_ERR_TARGET_UNAVAILABLE', message: 'target down' }, { retry: true });
    await store.failTask(second!.id, 'w1', { code: 'FHIRMIG_ERR_SOURCE_PARSE', message: 'bad row' });
    const [again] = await store.claimTasks(id, 'w2', 5, 60_000);
    expect(again).toMatchObject({ id: first!.id, attempts: 2, claimedBy: 'w2', error: { code: 'FHIRMIG_ERR_TARGET_UNAVAILABLE' } });
    await store.completeTask(again!.id, 'w2');
    expect((await store.listTasks(id, { state: 'done' }))[0]).toMatchObject({ id: first!.id, error: undefined });
    const failed = await store.listTasks(id, { state: 'failed' });
    expect(failed).toHaveLength(1);
    expect(failed[0]).toMatchObject({ id: second!.id, error: { code: 'FHIRMIG_ERR_SOURCE_PARSE', message: 'bad row' }, claimedBy: undefined });
    expect((await store.getJob(id)).progress.tasksFailed).toBe(1);
  });

  it('makes an expired lease claimable again, and the old holder loses it', async () => {
    const clock = manualClock();
    const a = await harness.open({ now: clock.now });
    const b = await harness.open({ now: clock.now });
    try {
      const { id } = await a.createJob(jobSpec());
      await a.addTasks(id, patients(5));
      const held = await a.claimTasks(id, 'worker-a', 3, 1_000);
      expect(held.map((t) => t.leaseExpiresAt)).toEqual([clock.now() + 1_000, clock.now() + 1_000, clock.now() + 1_000]);
      expect((await b.claimTasks(id, 'worker-b', 10, 60_000)).map((t) => t.patientKey)).toEqual(['patient-3', 'patient-4']);
      clock.advance(999);
      expect(await b.claimTasks(id, 'worker-b', 10, 1_000)).toEqual([]);
      expect(await a.renewLease([held[0]!.id], 'worker-a', 1_000)).toEqual([held[0]!.id]);
      clock.advance(2);
      const reclaimed = await b.claimTasks(id, 'worker-b', 10, 1_000);
      expect(reclaimed.map((t) => t.id).sort((x, y) => x - y)).toEqual([held[1]!.id, held[2]!.id]);
      expect(reclaimed.every((t) => t.attempts === 2)).toBe(true);
      await expect(a.completeTask(held[1]!.id, 'worker-a')).rejects.toMatchObject({ code: 'FHIRMIG_ERR_JOB_LEASE_LOST' });
      expect(await a.renewLease([held[1]!.id], 'worker-a', 1_000)).toEqual([]);
      await a.completeTask(held[0]!.id, 'worker-a');
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('merges pending and lease-expired tasks in one priority order, up to the limit (with and without a phase)', async () => {
    const clock = manualClock();
    const a = await harness.open({ now: clock.now });
    try {
      const { id } = await a.createJob(jobSpec());
      await a.addTasks(id, [0, 1, 2, 3, 4].map((priority) => ({ patientKey: `p${priority}`, phase: priority % 2 === 0 ? 'even' : 'odd', priority })));
      expect((await a.claimTasks(id, 'worker-a', 1, 1_000)).map((t) => t.patientKey)).toEqual(['p0']);
      expect((await a.claimTasks(id, 'worker-a', 1, 1_000, { phase: 'even' })).map((t) => t.patientKey)).toEqual(['p2']);
      clock.advance(1_001);
      // p0 and p2 expired (claimed), p1, p3, p4 pending: the first two by priority come from both kinds
      expect((await a.claimTasks(id, 'worker-b', 2, 60_000)).map((t) => [t.patientKey, t.attempts])).toEqual([['p0', 2], ['p1', 1]]);
      expect((await a.claimTasks(id, 'worker-b', 5, 60_000, { phase: 'even' })).map((t) => [t.patientKey, t.attempts])).toEqual([['p2', 2], ['p4', 1]]);
      expect((await a.claimTasks(id, 'worker-b', 5, 60_000)).map((t) => t.patientKey)).toEqual(['p3']);
    } finally {
      await a.close();
    }
  });

  it('hands each of 200 tasks to exactly one of 4 concurrent workers (separate connections)', async () => {
    const workers = await Promise.all([1, 2, 3, 4].map(() => harness.open()));
    try {
      const { id } = await workers[0]!.createJob(jobSpec());
      await workers[0]!.addTasks(id, patients(200));
      const claims = await Promise.all(workers.map((w, i) => drain(w, id, `worker-${i}`, 7, 60_000)));
      const all = claims.flat();
      expect(all).toHaveLength(200);
      expect(new Set(all).size).toBe(200);
      expect(claims.filter((c) => c.length > 0).length).toBeGreaterThanOrEqual(harness.backend === 'postgres' ? 2 : 1);
      expect(await workers[1]!.countTasks(id)).toEqual({ pending: 0, claimed: 0, done: 200, failed: 0 });
      expect((await workers[2]!.getJob(id)).progress.tasksDone).toBe(200);
    } finally {
      await Promise.all(workers.map((w) => w.close()));
    }
  });
}
