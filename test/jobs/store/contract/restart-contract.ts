import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { auditEntryHash } from '../../../../src/jobs/index.ts';
import type { JobStore } from '../../../../src/jobs/index.ts';
import { patientRecords } from '../support/patient-records.ts';
import { jobSpec, ledgerEntry, uniqueSource } from './harness.ts';
import type { StoreHarness } from './harness.ts';

const REPO = join(__dirname, '..', '..', '..', '..');
const NODE_24 = existsSync(join(REPO, 'node_modules', '.bin', 'node')) ? join(REPO, 'node_modules', '.bin', 'node') : process.execPath;
const WORKER = join(__dirname, '..', 'support', 'claim-worker.ts');

interface WorkerReport {
  readonly done: number[];
  readonly claimed: number[];
  readonly partial: number;
}

/**
 * Runs claim-worker.ts in a real child process and SIGKILLs it once it reports `partial`, or —
 * with `killAfterDone` — as soon as it reports that many completions, wherever it is then.
 */
async function runAndKill(config: object, killAfterDone = Number.POSITIVE_INFINITY): Promise<WorkerReport> {
  const child = spawn(NODE_24, [WORKER, JSON.stringify(config)], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => void (stderr += chunk.toString()));
  const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
  const done: number[] = [];
  let claimed: number[] = [];
  for await (const line of createInterface({ input: child.stdout })) {
    const message = JSON.parse(line) as { claimed?: number[]; done?: number; partial?: number };
    if (message.claimed) claimed = message.claimed;
    if (message.done !== undefined) done.push(message.done);
    if (message.partial !== undefined || done.length >= killAfterDone) {
      child.kill('SIGKILL');
      expect(await exited).toBe('SIGKILL');
      return { done, claimed, partial: message.partial ?? -1 };
    }
  }
  throw new Error(`the worker ended before being killed: ${stderr}`);
}

export function restartContract(harness: StoreHarness): void {
  it('keeps everything across close and reopen (restart survival)', async () => {
    const source = uniqueSource();
    const first = await harness.open();
    const job = await first.createJob(jobSpec());
    await first.transitionJob(job.id, 'running');
    await first.addTasks(job.id, [{ patientKey: 'p1', phase: 'critical' }]);
    const [task] = await first.claimTasks(job.id, 'w1', 1, 600_000);
    await first.recordTaskResults(job.id, [ledgerEntry(source, 'patients', 'p1', { contentHash: 'h', targetIds: ['Patient/p1'] })], [
      { source, kind: 'patients', recordKey: 'p1', resourceType: 'Patient', targetId: 'p1', versionId: '1' },
    ]);
    const audit = await first.appendAudit({ type: 'job.started', payload: { jobId: job.id } });
    await first.close();

    const second = await harness.open();
    try {
      expect((await second.getJob(job.id)).state).toBe('running');
      expect((await second.listTasks(job.id))[0]).toMatchObject({ id: task!.id, state: 'claimed', claimedBy: 'w1' });
      await second.completeTask(task!.id, 'w1');
      expect((await second.countOutcomes(job.id)).total.loaded).toBe(1);
      expect((await second.listIds(job.id))[0]).toMatchObject({ targetId: 'p1', versionId: '1' });
      const reread = (await second.readAudit({ afterSeq: audit.seq - 1 }))[0];
      expect(reread).toEqual(audit);
      expect(reread!.hash).toBe(auditEntryHash(reread!));
    } finally {
      await second.close();
    }
  });

  it('resumes after a worker process is SIGKILLed holding leases: nothing lost, nothing doubled', async () => {
    const source = uniqueSource();
    const total = 40;
    const setup = await harness.open();
    const { id: jobId } = await setup.createJob(jobSpec());
    await setup.addTasks(jobId, Array.from({ length: total }, (_, i) => ({ patientKey: `p${i}`, phase: 'critical' })));
    await setup.close();

    const leaseMs = 3_000;
    const report = await runAndKill({ store: harness.location(), jobId, workerId: 'doomed', source, batch: 4, leaseMs, slowAfterDone: 12 });
    expect(report.done).toHaveLength(12);

    const store = await harness.open();
    try {
      expect(await store.countTasks(jobId)).toEqual({ pending: total - 16, claimed: 4, done: 12, failed: 0 });
      expect((await store.countOutcomes(jobId)).total.loaded).toBe(2 * 13);
      const immediate = await drainWithRecords(store, jobId, source, leaseMs);
      expect(immediate).toHaveLength(total - 16);
      expect(immediate.filter((id) => report.claimed.includes(id))).toEqual([]);

      await waitForLeases(store, jobId);
      const reclaimed = await store.claimTasks(jobId, 'rescuer', 100, leaseMs);
      expect(reclaimed.map((t) => t.id).sort((a, b) => a - b)).toEqual([...report.claimed].sort((a, b) => a - b));
      expect(reclaimed.every((t) => t.attempts === 2)).toBe(true);
      for (const task of reclaimed) {
        await store.recordTaskResults(jobId, patientRecords(source, task.patientKey), []);
        await store.completeTask(task.id, 'rescuer');
      }
      expect(await store.countTasks(jobId)).toEqual({ pending: 0, claimed: 0, done: total, failed: 0 });
      const counts = await store.countOutcomes(jobId);
      expect(counts.total).toEqual({ read: 2 * total, loaded: 2 * total, rejected: 0, skipped: 0 });
      expect(counts.byKind.patients?.read).toBe(total);
    } finally {
      await store.close();
    }
  });

  it('recovers from a SIGKILL at an arbitrary moment of a busy worker (inside a write or between two)', async () => {
    const source = uniqueSource();
    const total = 60;
    const setup = await harness.open();
    const { id: jobId } = await setup.createJob(jobSpec());
    await setup.addTasks(jobId, Array.from({ length: total }, (_, i) => ({ patientKey: `p${i}`, phase: 'critical' })));
    await setup.close();

    const report = await runAndKill({ store: harness.location(), jobId, workerId: 'busy', source, batch: 3, leaseMs: 2_000, slowAfterDone: 1e9, holdWhenDrained: true }, 15);
    const store = await harness.open();
    try {
      const done = await store.listTasks(jobId, { state: 'done', limit: total });
      expect(done.length).toBeGreaterThanOrEqual(report.done.length);
      const ledger = await store.listOutcomes(jobId, { kind: 'patients', limit: total });
      const recorded = new Set(ledger.entries.map((e) => e.recordKey));
      expect(done.filter((t) => !recorded.has(t.patientKey))).toEqual([]);
      await waitForLeases(store, jobId);
      await drainWithRecords(store, jobId, source, 60_000);
      expect(await store.countTasks(jobId)).toEqual({ pending: 0, claimed: 0, done: total, failed: 0 });
      expect((await store.countOutcomes(jobId)).total).toEqual({ read: 2 * total, loaded: 2 * total, rejected: 0, skipped: 0 });
    } finally {
      await store.close();
    }
  });
}

async function waitForLeases(store: JobStore, jobId: string): Promise<void> {
  const held = await store.listTasks(jobId, { state: 'claimed' });
  const leaseEnd = Math.max(0, ...held.map((t) => t.leaseExpiresAt ?? 0));
  await new Promise((resolve) => setTimeout(resolve, Math.max(0, leaseEnd - Date.now()) + 50));
}

async function drainWithRecords(store: JobStore, jobId: string, source: string, leaseMs: number): Promise<number[]> {
  const claimed: number[] = [];
  for (;;) {
    const tasks = await store.claimTasks(jobId, 'survivor', 10, leaseMs);
    if (tasks.length === 0) return claimed;
    for (const task of tasks) {
      claimed.push(task.id);
      await store.recordTaskResults(jobId, patientRecords(source, task.patientKey), []);
      await store.completeTask(task.id, 'survivor');
    }
  }
}
