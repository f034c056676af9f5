/**
 * A worker in its own process (run by Node 24 directly: `node claim-worker.ts '<json>'`), for the
 * crash test. It claims tasks, writes their ledger rows and completes them, printing one JSON
 * line per step. Once it has completed `slowAfterDone` tasks, it claims one more batch, writes
 * the first task's ledger rows, prints `partial` and waits — to be SIGKILLed holding the leases.
 */
import { openJobStore } from '../../../../src/jobs/index.ts';
import type { OpenJobStoreOptions } from '../../../../src/jobs/index.ts';
import { patientRecords } from './patient-records.ts';

interface WorkerConfig {
  readonly store: OpenJobStoreOptions;
  readonly jobId: string;
  readonly workerId: string;
  readonly source: string;
  readonly batch: number;
  readonly leaseMs: number;
  readonly slowAfterDone: number;
  /** Wait to be killed once the queue is empty instead of exiting: a kill can then never arrive too late. */
  readonly holdWhenDrained?: boolean;
}

const say = (line: object): void => void process.stdout.write(`${JSON.stringify(line)}\n`);

async function main(config: WorkerConfig): Promise<void> {
  const store = await openJobStore(config.store);
  let done = 0;
  for (;;) {
    const tasks = await store.claimTasks(config.jobId, config.workerId, config.batch, config.leaseMs);
    if (tasks.length === 0) break;
    say({ claimed: tasks.map((t) => t.id) });
    if (done >= config.slowAfterDone) {
      await store.recordTaskResults(config.jobId, patientRecords(config.source, tasks[0]!.patientKey), []);
      say({ partial: tasks[0]!.id });
      await new Promise((resolve) => setTimeout(resolve, 120_000));
    }
    for (const task of tasks) {
      await store.recordTaskResults(config.jobId, patientRecords(config.source, task.patientKey), []);
      await store.completeTask(task.id, config.workerId);
      done += 1;
      say({ done: task.id });
    }
  }
  say({ drained: true });
  if (config.holdWhenDrained) await new Promise((resolve) => setTimeout(resolve, 120_000));
  await store.close();
}

main(JSON.parse(process.argv[2] ?? '{}') as WorkerConfig).catch((error: unknown) => {
  process.stderr.write(`${String(error)}\n`);
  process.exit(1);
});
