import type { JobSpec, JobStore, LedgerEntryInput, OpenJobStoreOptions } from '../../../../src/jobs/index.ts';

/** What a backend's test file hands the contract suite: one database shared by the whole suite. */
export interface StoreHarness {
  readonly backend: 'sqlite' | 'postgres';
  /** A new store (its own connection or pool) on the suite's database. */
  open(options?: { now?: () => number }): Promise<JobStore>;
  /** The same database as plain options, for child processes. */
  location(): OpenJobStoreOptions;
}

export function jobSpec(overrides: Partial<JobSpec['options']> = {}): JobSpec {
  return {
    source: 'csv:/data/legacy',
    mapSet: { id: 'synthea-csv', versionHash: 'sha256:abc' },
    scope: { kind: 'patients', patientIds: ['p1', 'p2'] },
    target: 'http://127.0.0.1:8103/fhir',
    options: { dryRun: false, phases: ['critical', 'history'], thresholds: { maxRejectionRate: 0.2, minRecords: 50 }, ...overrides },
  };
}

/** A fake clock the test advances by hand (lease expiry without sleeping). */
export function manualClock(start = 1_700_000_000_000): { now: () => number; advance: (ms: number) => void } {
  let current = start;
  return { now: () => current, advance: (ms) => void (current += ms) };
}

let sourceCounter = 0;
/** A source name no other test uses (the delta lookup spans jobs). */
export function uniqueSource(): string {
  sourceCounter += 1;
  return `legacy-${process.pid}-${Date.now().toString(36)}-${sourceCounter}`;
}

export function ledgerEntry(source: string, kind: string, key: string, overrides: Partial<LedgerEntryInput> = {}): LedgerEntryInput {
  return { ref: { source, kind, locator: `${kind}.csv:${key}` }, recordKey: key, outcome: 'loaded', ...overrides };
}

/** Drains all claimable tasks with one worker; returns the ids it claimed. */
export async function drain(store: JobStore, jobId: string, workerId: string, batch: number, leaseMs: number): Promise<number[]> {
  const claimed: number[] = [];
  for (;;) {
    const tasks = await store.claimTasks(jobId, workerId, batch, leaseMs);
    if (tasks.length === 0) return claimed;
    for (const task of tasks) {
      claimed.push(task.id);
      await store.completeTask(task.id, workerId);
    }
  }
}
