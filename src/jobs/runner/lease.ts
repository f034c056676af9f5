import { MigrateError } from '../../core/index.ts';
import type { JobStore } from '../store/job-store.ts';

/**
 * The lease of one claimed task, kept by the loop that runs it. A timer renews it every third of
 * the lease, but CPU-bound mapping and validation block the event loop, so the runner also calls
 * `keep()` between records and before and after the write: it renews when a third of the lease
 * has passed since the last renewal (cheap otherwise). Once another worker holds the task (the
 * lease expired and was claimed), `keep()` throws FHIRMIG_ERR_JOB_LEASE_LOST and the task stops
 * before it records anything. Within one run, a sibling loop that claims the task after its
 * lease expired hands it back (`adopt`): the running loop goes on under the new claim, so a task
 * is never run twice in one process.
 */
export class TaskLease {
  readonly #store: JobStore;
  readonly #taskId: number;
  #workerId: string;
  readonly #leaseMs: number;
  readonly #every: number;
  #renewedAt = performance.now();
  #lost = false;
  #timer: ReturnType<typeof setInterval> | undefined;

  constructor(store: JobStore, taskId: number, workerId: string, leaseMs: number) {
    this.#store = store;
    this.#taskId = taskId;
    this.#workerId = workerId;
    this.#leaseMs = leaseMs;
    this.#every = Math.max(1, Math.floor(leaseMs / 3));
    this.#timer = setInterval(() => void this.#renew().catch(() => undefined), this.#every);
  }

  /** Renews when due; throws FHIRMIG_ERR_JOB_LEASE_LOST when the task is no longer ours. */
  async keep(): Promise<void> {
    if (!this.#lost && performance.now() - this.#renewedAt >= this.#every) await this.#renew();
    if (this.#lost) throw new MigrateError('FHIRMIG_ERR_JOB_LEASE_LOST', `Worker '${this.#workerId}' lost the lease of task ${this.#taskId} (it ran longer than ${this.#leaseMs} ms without a renewal).`);
  }

  /** A sibling loop of this run claimed the task (its lease had expired): keep running it under that claim. */
  adopt(workerId: string): void {
    this.#workerId = workerId;
    this.#lost = false;
    this.#renewedAt = performance.now();
  }

  /** The worker id the task is held under now (it changes when a sibling's claim is adopted). */
  get workerId(): string {
    return this.#workerId;
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  async #renew(): Promise<void> {
    if (this.#lost) return;
    this.#renewedAt = performance.now();
    const workerId = this.#workerId;
    const held = await this.#store.renewLease([this.#taskId], workerId, this.#leaseMs);
    // Adopted while the renewal was on its way: the new claim holds the task.
    if (!held.includes(this.#taskId) && workerId === this.#workerId) this.#lost = true;
  }
}
