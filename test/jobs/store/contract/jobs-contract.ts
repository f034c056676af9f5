import type { JobStore } from '../../../../src/jobs/index.ts';
import { jobSpec } from './harness.ts';
import type { StoreHarness } from './harness.ts';

export function jobsContract(harness: StoreHarness): void {
  let store: JobStore;
  beforeAll(async () => {
    store = await harness.open();
  });
  afterAll(async () => {
    await store.close();
  });

  it('creates a queued job with its spec and zero progress', async () => {
    const job = await store.createJob(jobSpec({ dryRun: true }));
    expect(job.state).toBe('queued');
    expect(job.spec.options.dryRun).toBe(true);
    expect(job.spec.scope).toEqual({ kind: 'patients', patientIds: ['p1', 'p2'] });
    expect(job.progress.tasksTotal).toBe(0);
    expect(Date.parse(job.createdAt)).toBeGreaterThan(0);
    expect(await store.getJob(job.id)).toEqual(job);
  });

  it('walks the lifecycle queued → running → paused → running → completed → rolling-back → rolled-back', async () => {
    const { id } = await store.createJob(jobSpec(), { id: `job-${Date.now()}-${Math.random()}` });
    const path = ['running', 'paused', 'running', 'completed', 'rolling-back', 'rolled-back'] as const;
    for (const state of path) expect((await store.transitionJob(id, state)).state).toBe(state);
    expect((await store.getJob(id)).state).toBe('rolled-back');
  });

  it('refuses a forbidden transition with FHIRMIG_ERR_JOB_STATE (409) and leaves the job as it was', async () => {
    const { id } = await store.createJob(jobSpec());
    await store.transitionJob(id, 'running');
    await store.transitionJob(id, 'completed');
    await expect(store.transitionJob(id, 'running')).rejects.toMatchObject({ code: 'FHIRMIG_ERR_JOB_STATE', status: 409 });
    await expect(store.transitionJob(id, 'queued')).rejects.toThrow(/cannot go from 'completed' to 'queued' \(allowed: rolling-back\)/);
    expect((await store.getJob(id)).state).toBe('completed');
  });

  it('goes through cancelling to cancelled; a cancelled job can resume but not complete directly', async () => {
    const { id } = await store.createJob(jobSpec());
    await store.transitionJob(id, 'running');
    await store.transitionJob(id, 'cancelling');
    await expect(store.transitionJob(id, 'completed')).rejects.toMatchObject({ code: 'FHIRMIG_ERR_JOB_STATE' });
    await store.transitionJob(id, 'cancelled');
    await expect(store.transitionJob(id, 'completed')).rejects.toMatchObject({ code: 'FHIRMIG_ERR_JOB_STATE' });
    expect((await store.transitionJob(id, 'running')).state).toBe('running');
  });

  it('records the error of a stop and clears it when the job resumes', async () => {
    const { id } = await store.createJob(jobSpec());
    await store.transitionJob(id, 'running');
    const stopped = await store.transitionJob(id, 'stopped-threshold', { error: { code: 'FHIRMIG_ERR_JOB_THRESHOLD', message: 'rejection rate 31% > 20%' } });
    expect(stopped.error).toEqual({ code: 'FHIRMIG_ERR_JOB_THRESHOLD', message: 'rejection rate 31% > 20%' });
    expect((await store.getJob(id)).error?.code).toBe('FHIRMIG_ERR_JOB_THRESHOLD');
    expect((await store.transitionJob(id, 'running')).error).toBeUndefined();
  });

  it('answers FHIRMIG_ERR_JOB_NOT_FOUND (404) for an unknown job', async () => {
    await expect(store.getJob('no-such-job')).rejects.toMatchObject({ code: 'FHIRMIG_ERR_JOB_NOT_FOUND', status: 404 });
    await expect(store.transitionJob('no-such-job', 'running')).rejects.toMatchObject({ code: 'FHIRMIG_ERR_JOB_NOT_FOUND' });
    await expect(store.incrementProgress('no-such-job', { recordsRead: 1 })).rejects.toMatchObject({ code: 'FHIRMIG_ERR_JOB_NOT_FOUND' });
    await expect(store.addTasks('no-such-job', [{ patientKey: 'p', phase: 'x' }])).rejects.toMatchObject({ code: 'FHIRMIG_ERR_JOB_NOT_FOUND' });
  });

  it('lists jobs filtered by state', async () => {
    const paused = await store.createJob(jobSpec());
    await store.transitionJob(paused.id, 'running');
    await store.transitionJob(paused.id, 'paused');
    const listed = await store.listJobs({ states: ['paused'], limit: 1000 });
    expect(listed.map((j) => j.id)).toContain(paused.id);
    expect(listed.every((j) => j.state === 'paused')).toBe(true);
    expect((await store.listJobs({ limit: 2 })).length).toBe(2);
  });

  it('adds progress atomically from two stores at once', async () => {
    const other = await harness.open();
    try {
      const { id } = await store.createJob(jobSpec());
      const bumps = Array.from({ length: 40 }, (_, i) => (i % 2 === 0 ? store : other).incrementProgress(id, { recordsRead: 3, recordsLoaded: 2, recordsRejected: 1 }));
      await Promise.all(bumps);
      const { progress } = await store.getJob(id);
      expect(progress).toMatchObject({ recordsRead: 120, recordsLoaded: 80, recordsRejected: 40, recordsSkipped: 0 });
    } finally {
      await other.close();
    }
  });
}
