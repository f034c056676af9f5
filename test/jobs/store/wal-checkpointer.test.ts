import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WalCheckpointer } from '../../../src/jobs/store/sqlite/wal-checkpointer.ts';

describe('WAL checkpointer thread', () => {
  let dir = '';
  beforeAll(() => (dir = mkdtempSync(join(tmpdir(), 'fhirmig-ckpt-'))));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reports a file it cannot open through onFailure, and close() does not wait for a connection that never was', async () => {
    let failure: (error: Error) => void = () => undefined;
    const failed = new Promise<Error>((resolve) => (failure = resolve));
    const checkpointer = new WalCheckpointer(join(dir, 'no', 'such', 'folder', 'jobs.db'), { onFailure: (error) => failure(error), closeTimeoutMs: 30_000 });
    checkpointer.committed();
    const started = Date.now();
    checkpointer.close(); // blocks until the worker says its connection is closed, or was never opened
    // Not a speed target: a close() that waited for the flag in vain would block its whole 30 s timeout.
    expect(Date.now() - started).toBeLessThan(10_000);
    expect((await failed).message).toMatch(/unable to open|cannot open/i);
  });

  it('closes at once when asked before its first checkpoint', () => {
    const checkpointer = new WalCheckpointer(join(dir, 'fresh.db'), { closeTimeoutMs: 60_000 });
    checkpointer.close();
    checkpointer.close(); // twice is fine
  });
});
