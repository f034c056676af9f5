import { Worker } from 'node:worker_threads';

/**
 * The worker's code (plain JavaScript, evaluated: no file to resolve in an installed package). It
 * opens its own connection to the store's file and, every `intervalMs` in which the writer
 * committed, runs a PASSIVE checkpoint: it copies committed WAL pages into the database file
 * without taking the write lock, so the writer never waits for it. On `close` it closes its
 * connection and says so through the shared flag, which the main thread waits on.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { DatabaseSync } = require('node:sqlite');
const shared = new Int32Array(workerData.shared);
const closed = () => (Atomics.store(shared, 1, 1), Atomics.notify(shared, 1));
let db;
let checkpoint;
try {
  db = new DatabaseSync(workerData.path);
  db.exec('PRAGMA synchronous = NORMAL');
  checkpoint = db.prepare('PRAGMA wal_checkpoint(PASSIVE)');
} catch (error) {
  db?.close();
  closed(); // a close() waiting (or about to) does not wait for a connection that is not there
  throw error;
}
let seen = 0;
const timer = setInterval(() => {
  const commits = Atomics.load(shared, 0);
  if (commits === seen) return;
  seen = commits;
  try {
    checkpoint.get();
  } catch {
    // A busy or failed checkpoint is retried after the next commits; the writer's own autocheckpoint is the backstop.
  }
}, workerData.intervalMs);
parentPort.once('message', () => {
  clearInterval(timer);
  db.close();
  closed();
  parentPort.close();
});
`;

export interface WalCheckpointerOptions {
  /** How often the worker looks for new commits (ms). */
  readonly intervalMs?: number;
  /** How long close() waits for the worker to close its connection (ms). */
  readonly closeTimeoutMs?: number;
  /** Called once if the worker fails (it then stops; the writer's autocheckpoint takes over). */
  readonly onFailure?: (error: Error) => void;
}

/**
 * WAL checkpoints off the writer's thread. Checkpointing every 20,000 pages inside a COMMIT (with
 * the fsync of the database file) was ~40% of the commit time of a migration's runner, on the
 * thread that maps, validates and sends. Here the writer only counts its commits.
 */
export class WalCheckpointer {
  readonly #worker: Worker;
  /** [0]: commits so far, [1]: 1 once the worker closed its connection. */
  readonly #shared = new Int32Array(new SharedArrayBuffer(8));
  readonly #closeTimeoutMs: number;
  #running = true;

  constructor(path: string, options: WalCheckpointerOptions = {}) {
    this.#closeTimeoutMs = options.closeTimeoutMs ?? 5_000;
    this.#worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: { path, shared: this.#shared.buffer, intervalMs: options.intervalMs ?? 500 },
      resourceLimits: { maxOldGenerationSizeMb: 16, maxYoungGenerationSizeMb: 2 },
    });
    this.#worker.unref();
    this.#worker.once('error', (error) => {
      this.#running = false;
      options.onFailure?.(error);
    });
    this.#worker.once('exit', () => {
      this.#running = false;
    });
  }

  committed(): void {
    Atomics.add(this.#shared, 0, 1);
  }

  /**
   * Stops the worker and waits (blocking, bounded) until its connection is closed, so that the
   * writer's own close is the last one: SQLite then checkpoints the rest and removes the WAL file.
   */
  close(): void {
    if (!this.#running) return;
    this.#running = false;
    this.#worker.postMessage('close');
    Atomics.wait(this.#shared, 1, 0, this.#closeTimeoutMs);
  }
}
