import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { ResourceLimits } from 'node:worker_threads';
import { MigrateError } from '../core/index.ts';
import type { ErrorCode, SourceRecord } from '../core/index.ts';
import type { KeepLease, MappedRecord, RecordProcessor } from '../jobs/index.ts';
import type { UnmappedCodeInfo } from '../mapping/index.ts';

/** What the worker thread loads: the same inputs the CLI and the service build a migration from. */
export interface RecordWorkerData {
  readonly mapsDir: string;
  readonly conceptMapDirs: readonly string[];
  readonly igs: readonly string[];
  readonly cwd: string;
}

export interface RecordWorkerOptions extends RecordWorkerData {
  /** The package folder (the worker's file is `src/runtime/record-worker-main.ts` in it). */
  readonly packageRoot: string;
  /** The versionHash of the map set the job was planned with: a worker that loads other maps fails. Absent: `ready()` tells the caller the one it loaded. */
  readonly versionHash?: string;
}

/** A mapped record as it crosses the thread boundary: without its SourceRecord (the main thread re-attaches its own). */
export type MapResult = MappedRecord extends infer M ? (M extends MappedRecord ? Omit<M, 'record'> : never) : never;

/** A resource the worker kept from a map batch: [batch, position in the batch]. */
type KeptRef = readonly [number, number];

export function isKeptRef(item: KeptRef | fhir4.Resource): item is KeptRef {
  return Array.isArray(item);
}

export type WorkerRequest =
  | { readonly op: 'map'; readonly id: number; readonly batch: number; readonly records: readonly SourceRecord[] }
  | { readonly op: 'validate'; readonly id: number; readonly items: readonly (KeptRef | fhir4.Resource)[] };

export interface WorkerError {
  readonly code: ErrorCode;
  readonly message: string;
}

export type WorkerReply =
  | { readonly ready: string }
  | { readonly failed: WorkerError }
  | { readonly id: number; readonly results: readonly MapResult[]; readonly unmapped: readonly UnmappedCodeInfo[] }
  | { readonly id: number; readonly outcomes: readonly fhir4.OperationOutcome[] }
  | { readonly id: number; readonly error: WorkerError };

/**
 * Map batches whose resources the worker keeps for validate. Both sides apply the same rule in
 * the same message order — a map request adds its batch and drops the oldest past this count, a
 * validate request drops the batches it names — so the main thread always knows whether a
 * resource can be named by position or must be sent.
 */
export const RETAINED_BATCHES = 64;

interface Pending {
  readonly resolve: (reply: WorkerReply) => void;
  readonly reject: (error: Error) => void;
}

/**
 * Mapping and validation in a worker thread (node:worker_threads), so that they run on another
 * core than the runner's store, HTTP and bundle work; the validation context lives only there.
 * One request per task's batch. A dead thread fails every open and later request with
 * FHIRMIG_ERR_JOB_WORKER_FAILED (the runner pauses the job); `close()` ends the thread. The
 * thread keeps the process alive only while a request is open.
 */
/**
 * The thread's Node flags and heap limits from the process's: flags that name the process's own
 * entry (`-e CODE`, `--input-type`) are refused by a worker, and heap sizes are per thread
 * (resourceLimits; V8's young generation is three semi-spaces).
 */
export function workerFlags(execArgv: readonly string[]): { execArgv: string[]; resourceLimits: ResourceLimits } {
  const flags: string[] = [];
  const limits: { maxOldGenerationSizeMb?: number; maxYoungGenerationSizeMb?: number } = {};
  for (let i = 0; i < execArgv.length; i++) {
    const arg = execArgv[i] as string;
    const heap = /^--max-(old|semi)-space-size=(\d+)$/.exec(arg);
    if (['-e', '--eval', '-p', '--print'].includes(arg)) i++;
    else if (heap?.[1] === 'old') limits.maxOldGenerationSizeMb = Number(heap[2]);
    else if (heap?.[1] === 'semi') limits.maxYoungGenerationSizeMb = 3 * Number(heap[2]);
    else if (!arg.startsWith('--input-type') && !/^--(eval|print)=/.test(arg)) flags.push(arg);
  }
  return { execArgv: flags, resourceLimits: limits };
}

export class RecordWorker {
  readonly #worker: Worker;
  readonly #pending = new Map<number, Pending>();
  readonly #ready: Promise<string>;
  readonly #live = new Set<number>();
  readonly #kept = new WeakMap<fhir4.Resource, KeptRef>();
  #requests = 0;
  #batches = 0;
  #failure: MigrateError | undefined;
  #closing = false;

  constructor(options: RecordWorkerOptions) {
    const data: RecordWorkerData = { mapsDir: options.mapsDir, conceptMapDirs: options.conceptMapDirs, igs: options.igs, cwd: options.cwd };
    this.#worker = new Worker(join(options.packageRoot, 'src', 'runtime', 'record-worker-main.ts'), { workerData: data, ...workerFlags(process.execArgv) });
    this.#worker.unref();
    this.#ready = new Promise<string>((resolve, reject) => this.#pending.set(-1, { resolve: (reply) => this.#onReady(reply, options.versionHash, resolve, reject), reject }));
    this.#ready.catch(() => undefined); // seen by the requests that wait for it
    this.#worker.ref(); // until ready
    this.#worker.on('message', (reply: WorkerReply) => this.#onReply(reply));
    this.#worker.on('error', (error: Error) => this.#fail(died(`failed: ${error.message}`)));
    this.#worker.on('exit', (code: number) => {
      if (!this.#closing) this.#fail(died(`exited with code ${code}`));
    });
  }

  /** The versionHash of the map set the thread loaded, once it loaded it and its validation context; rejects with the load's error. */
  ready(): Promise<string> {
    return this.#ready;
  }

  /** Whether the thread died (a new worker is needed). */
  get failed(): boolean {
    return this.#failure !== undefined;
  }

  /** A processor over this thread; `onUnmappedCode` hears of the codes its map requests left untranslated. */
  processor(onUnmappedCode?: (info: UnmappedCodeInfo) => void): RecordProcessor {
    return {
      map: (records, keepLease) => this.#map(records, keepLease, onUnmappedCode),
      validate: (resources) => this.#validate(resources),
    };
  }

  async close(): Promise<void> {
    this.#closing = true;
    this.#fail(new MigrateError('FHIRMIG_ERR_JOB_WORKER_FAILED', 'The record worker was closed.'));
    await this.#worker.terminate();
  }

  async #map(records: readonly SourceRecord[], keepLease: KeepLease | undefined, onUnmappedCode?: (info: UnmappedCodeInfo) => void): Promise<MappedRecord[]> {
    await keepLease?.();
    const batch = ++this.#batches;
    this.#live.add(batch);
    for (const old of this.#live) if (this.#live.size > RETAINED_BATCHES) this.#live.delete(old);
    const reply = await this.#request({ op: 'map', id: 0, batch, records });
    if (!('results' in reply)) throw unexpected(reply);
    for (const info of reply.unmapped) onUnmappedCode?.(info);
    let position = 0;
    return reply.results.map((result, i): MappedRecord => {
      const mapped = { ...result, record: records[i] as SourceRecord } as MappedRecord;
      if (mapped.state === 'mapped') for (const resource of mapped.resources) this.#kept.set(resource, [batch, position++]);
      return mapped;
    });
  }

  async #validate(resources: readonly fhir4.Resource[]): Promise<fhir4.OperationOutcome[]> {
    const items = resources.map((resource) => {
      const ref = this.#kept.get(resource);
      return ref && this.#live.has(ref[0]) ? ref : resource;
    });
    for (const item of items) if (isKeptRef(item)) this.#live.delete(item[0]);
    const reply = await this.#request({ op: 'validate', id: 0, items });
    if (!('outcomes' in reply)) throw unexpected(reply);
    return [...reply.outcomes];
  }

  /** Posts at once (the thread queues requests until it is ready): the batch rule needs posts in call order. */
  #request(request: WorkerRequest): Promise<WorkerReply> {
    if (this.#failure) return Promise.reject(this.#failure);
    const id = ++this.#requests;
    if (this.#pending.size === 0) this.#worker.ref();
    const reply = new Promise<WorkerReply>((resolve, reject) => this.#pending.set(id, { resolve, reject }));
    this.#worker.postMessage({ ...request, id });
    return reply;
  }

  #onReady(reply: WorkerReply, versionHash: string | undefined, resolve: (loaded: string) => void, reject: (error: Error) => void): void {
    if ('failed' in reply) {
      const error = new MigrateError(reply.failed.code, reply.failed.message);
      this.#fail(error);
      reject(error);
    } else if (!('ready' in reply)) {
      reject(unexpected(reply));
    } else if (versionHash !== undefined && reply.ready !== versionHash) {
      const error = new MigrateError('FHIRMIG_ERR_JOB_STATE', `The record worker loaded map set ${reply.ready}, the job was planned with ${versionHash}: the maps changed on disk.`);
      this.#fail(error);
      reject(error);
    } else resolve(reply.ready);
  }

  #onReply(reply: WorkerReply): void {
    const id = 'id' in reply ? reply.id : -1;
    const pending = this.#pending.get(id);
    if (!pending) return;
    this.#pending.delete(id);
    if (this.#pending.size === 0) this.#worker.unref();
    if ('error' in reply) pending.reject(new MigrateError(reply.error.code, reply.error.message));
    else pending.resolve(reply);
  }

  #fail(error: MigrateError): void {
    this.#failure ??= error;
    for (const pending of this.#pending.values()) pending.reject(this.#failure);
    this.#pending.clear();
    this.#worker.unref();
  }
}

function died(what: string): MigrateError {
  return new MigrateError('FHIRMIG_ERR_JOB_WORKER_FAILED', `The thread that maps and validates records ${what}; the job is paused: resume it.`);
}

function unexpected(reply: WorkerReply): MigrateError {
  return new MigrateError('FHIRMIG_ERR_CORE_INTERNAL', `The record worker answered ${Object.keys(reply).join(', ')} out of turn.`);
}

/**
 * Worker threads for mapping and validation when none is configured: none. Measured on the 2-core
 * machine (e2e bench, 110 patients), the thread cost ~430 µs of CPU per resource against ~170 µs
 * for the same work in the runner's thread, and raised peak RSS: it is opt-in until that is understood.
 */
export const DEFAULT_RECORD_THREADS = 0;
