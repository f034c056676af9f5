import { EMPTY_EXPORT_PROGRESS } from '../../../../src/jobs/index.ts';
import type { JobStore } from '../../../../src/jobs/index.ts';
import { manualClock } from './harness.ts';
import type { StoreHarness } from './harness.ts';

const REQUEST = { level: 'system', types: ['Patient', 'Observation'], since: '2024-01-01T00:00:00Z' };

function uniqueExportId(): string {
  return `export-${process.pid}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`;
}

/** Bulk Data export state: what a restarted service needs to resume or report an export. */
export function exportsContract(harness: StoreHarness): void {
  let store: JobStore;
  const clock = manualClock();
  beforeAll(async () => {
    store = await harness.open({ now: clock.now });
  });
  afterAll(async () => {
    await store.close();
  });

  it('creates an in-progress export with its request as given, then reads it back', async () => {
    const id = uniqueExportId();
    const created = await store.createExport({ id, request: REQUEST, transactionTime: '2026-12-02T03:00:00.000Z' });
    expect(created).toEqual({
      id,
      state: 'in-progress',
      request: REQUEST,
      transactionTime: '2026-12-02T03:00:00.000Z',
      progress: EMPTY_EXPORT_PROGRESS,
      error: undefined,
      attempts: 0,
      createdAt: clock.now(),
      updatedAt: clock.now(),
    });
    expect(await store.getExport(id)).toEqual(created);
  });

  it('updates state, progress, error and attempts; a null error clears it', async () => {
    const { id } = await store.createExport({ request: REQUEST, transactionTime: '2026-12-02T03:00:00.000Z' });
    clock.advance(1_000);
    await store.updateExport(id, { addAttempts: 1, progress: { resourcesWritten: 10, resourcesPlanned: 40, currentType: 'Observation' } });
    const failed = await store.updateExport(id, { state: 'failed', error: { code: 'FHIRMIG_ERR_TARGET_UNAVAILABLE', message: 'down' } });
    expect(failed).toMatchObject({ state: 'failed', attempts: 1, progress: { resourcesWritten: 10, resourcesPlanned: 40, currentType: 'Observation' }, error: { code: 'FHIRMIG_ERR_TARGET_UNAVAILABLE', message: 'down' } });
    expect(failed.updatedAt).toBe(clock.now());
    const retried = await store.updateExport(id, { state: 'completed', error: null, addAttempts: 1, progress: { resourcesWritten: 40, resourcesPlanned: 40, currentType: undefined } });
    expect(retried).toMatchObject({ state: 'completed', attempts: 2, error: undefined, progress: { currentType: undefined } });
  });

  it('lists exports by state, oldest first', async () => {
    const a = await store.createExport({ request: REQUEST, transactionTime: 't' });
    clock.advance(1);
    const b = await store.createExport({ request: REQUEST, transactionTime: 't' });
    await store.updateExport(a.id, { state: 'completed' });
    const running = (await store.listExports({ states: ['in-progress'] })).map((e) => e.id);
    expect(running).toContain(b.id);
    expect(running).not.toContain(a.id);
    const all = (await store.listExports()).map((e) => e.id);
    expect(all.indexOf(a.id)).toBeLessThan(all.indexOf(b.id));
  });

  it('deletes an export with its file rows; then it is FHIRMIG_ERR_BULK_NOT_FOUND', async () => {
    const { id } = await store.createExport({ request: REQUEST, transactionTime: 't' });
    await store.registerExportFile({ exportId: id, type: 'Patient', path: `${id}/Patient-1.ndjson`, count: 3 });
    await store.registerExportFile({ exportId: id, type: 'Patient', path: `${id}/Patient-2.ndjson`, count: 1 });
    expect(await store.deleteExportFiles(id)).toBe(2);
    await store.registerExportFile({ exportId: id, type: 'Patient', path: `${id}/Patient-1.ndjson`, count: 3 });
    expect(await store.deleteExport(id)).toBe(true);
    expect(await store.listExportFiles(id)).toEqual([]);
    await expect(store.getExport(id)).rejects.toMatchObject({ code: 'FHIRMIG_ERR_BULK_NOT_FOUND', status: 404 });
    await expect(store.updateExport(id, { state: 'completed' })).rejects.toMatchObject({ code: 'FHIRMIG_ERR_BULK_NOT_FOUND' });
    expect(await store.deleteExport(id)).toBe(false);
  });

  it('keeps an export across a reopen of the store (restart)', async () => {
    const { id } = await store.createExport({ request: REQUEST, transactionTime: 't' });
    await store.updateExport(id, { addAttempts: 1, progress: { resourcesWritten: 5, resourcesPlanned: 9, currentType: 'Patient' } });
    const reopened = await harness.open();
    try {
      expect(await reopened.getExport(id)).toMatchObject({ state: 'in-progress', attempts: 1, progress: { resourcesWritten: 5 } });
    } finally {
      await reopened.close();
    }
  });
}
