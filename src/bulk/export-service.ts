import { createReadStream } from 'node:fs';
import { rm, stat } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { join } from 'node:path';
import { MigrateError, isMigrateError } from '../core/index.ts';
import type { Logger } from '../core/index.ts';
import type { ExportRecord, JobStore } from '../jobs/index.ts';
import { buildServiceDevice } from '../provenance/index.ts';
import { createTarget } from '../target/index.ts';
import type { Target } from '../target/index.ts';
import type { KickOffInput } from './export-request.ts';
import { exportAborted, runExport } from './export-runner.ts';
import { groupPatients } from './export-sources.ts';
import { migrationGroup } from './group.ts';
import { buildManifest, fileName, progressText } from './manifest.ts';
import type { ExportManifest } from './manifest.ts';
import { FILE_NAME } from './ndjson-files.ts';
import { parseKickOff } from './parse-kick-off.ts';
import { Slots } from './slots.ts';

export interface BulkExportOptions {
  readonly store: JobStore;
  /** The service's data folder; files go under `{dataDir}/exports/{id}/`. */
  readonly dataDir: string;
  readonly maxFileResources: number;
  /** Exports running at once; more wait their turn (status: `queued`). Default 2. */
  readonly maxConcurrent?: number;
  /** `Retry-After` seconds; a poll sooner than that gets 429. 0: no throttle. */
  readonly retryAfterSeconds: number;
  /** Whether the service requires a bearer token (the manifest's `requiresAccessToken`). */
  readonly requiresAccessToken: boolean;
  /** This service as a Device (agent of the audit log's `export` steps); default: fhir-migrate of unknown version. */
  readonly device?: fhir4.Device;
  /** A job's target from its spec (default: createTarget, no auth). */
  readonly openTarget?: (spec: string) => Target;
  readonly log?: Pick<Logger, 'info' | 'error'>;
  readonly now?: () => number;
}

export type ExportStatus =
  | { readonly state: 'in-progress'; readonly progress: string; readonly retryAfterSeconds: number }
  | { readonly state: 'throttled'; readonly retryAfterSeconds: number }
  | { readonly state: 'completed'; readonly manifest: ExportManifest };

export interface ExportFileStream {
  readonly stream: Readable;
  readonly size: number;
}

interface RunningExport {
  readonly controller: AbortController;
  readonly done: Promise<void>;
}

/**
 * Bulk Data `$export` (IG v2.0.0) over what migrations wrote: kick-off, status, cancel, files.
 * Exports run in this process; their state is in the job store, so an export still running when
 * the service stops is run again from scratch at the next start (`resumeInterrupted`).
 */
export class BulkExportService {
  readonly #options: BulkExportOptions;
  readonly #exportsDir: string;
  readonly #running = new Map<string, RunningExport>();
  readonly #lastPoll = new Map<string, number>();
  readonly #queued = new Set<string>();
  readonly #slots: Slots;
  readonly #now: () => number;

  constructor(options: BulkExportOptions) {
    this.#options = options;
    this.#exportsDir = join(options.dataDir, 'exports');
    this.#now = options.now ?? Date.now;
    this.#slots = new Slots(options.maxConcurrent ?? 2);
  }

  /** Kick-off: validates, persists and starts the export; answers its id (the status URL's). */
  async kickOff(input: KickOffInput): Promise<{ readonly id: string }> {
    const request = parseKickOff(input);
    if (request.level === 'group') await groupPatients(this.#options.store, request.groupId ?? '');
    const record = await this.#options.store.createExport({ request: request as unknown as Record<string, unknown>, transactionTime: new Date(this.#now()).toISOString() });
    this.#options.log?.info({ exportId: record.id, level: request.level }, 'export started');
    await this.#start(record);
    return { id: record.id };
  }

  async status(exportId: string, baseUrl: string): Promise<ExportStatus> {
    const record = await this.#options.store.getExport(exportId);
    switch (record.state) {
      case 'completed': {
        const files = await this.#options.store.listExportFiles(exportId);
        return { state: 'completed', manifest: buildManifest(record, files, baseUrl, this.#options.requiresAccessToken) };
      }
      case 'failed':
        throw new MigrateError('FHIRMIG_ERR_BULK_FAILED', `Export ${exportId} failed: ${record.error?.code ?? 'unknown'}: ${record.error?.message ?? ''}`);
      case 'in-progress':
        return this.#pollInProgress(record);
      default:
        throw new MigrateError('FHIRMIG_ERR_CORE_INTERNAL', `Unknown export state '${String(record.state satisfies never)}'.`);
    }
  }

  /** DELETE on the status URL: stops a running export, removes its files and its state (then 404). */
  async cancel(exportId: string): Promise<void> {
    await this.#options.store.getExport(exportId);
    await this.#stop(exportId);
    await rm(join(this.#exportsDir, exportId), { recursive: true, force: true });
    await this.#options.store.deleteExport(exportId);
    this.#lastPoll.delete(exportId);
  }

  /** A completed export's file, as a stream (never read into memory). */
  async openFile(exportId: string, name: string): Promise<ExportFileStream> {
    const notFound = new MigrateError('FHIRMIG_ERR_BULK_NOT_FOUND', `Export ${exportId} has no file ${name}.`);
    if (!FILE_NAME.test(name)) throw notFound;
    const record = await this.#options.store.getExport(exportId);
    if (record.state !== 'completed') throw notFound;
    const file = (await this.#options.store.listExportFiles(exportId)).find((f) => fileName(f) === name);
    if (!file) throw notFound;
    const path = join(this.#exportsDir, file.path);
    const size = (await stat(path).catch(() => undefined))?.size;
    if (size === undefined) throw notFound;
    return { stream: createReadStream(path), size };
  }

  group(groupId: string): Promise<fhir4.Group> {
    return migrationGroup(this.#options.store, groupId);
  }

  /** Start-up: exports left in progress by a stopped service run again from scratch. Returns how many. */
  async resumeInterrupted(): Promise<number> {
    const interrupted = await this.#options.store.listExports({ states: ['in-progress'] });
    for (const record of interrupted) {
      if (this.#running.has(record.id)) continue;
      await this.#options.store.deleteExportFiles(record.id);
      this.#options.log?.info({ exportId: record.id, attempts: record.attempts }, 'export interrupted by a restart; running it again');
      await this.#start(record);
    }
    return interrupted.length;
  }

  /** Shutdown: stops running exports between batches; they stay in progress for the next start. */
  async close(): Promise<void> {
    await Promise.all([...this.#running.keys()].map((id) => this.#stop(id)));
  }

  #pollInProgress(record: ExportRecord): ExportStatus {
    const retryAfterSeconds = this.#options.retryAfterSeconds;
    const now = this.#now();
    const last = this.#lastPoll.get(record.id);
    if (retryAfterSeconds > 0 && last !== undefined && now - last < retryAfterSeconds * 1000) {
      return { state: 'throttled', retryAfterSeconds: Math.max(1, Math.ceil((last + retryAfterSeconds * 1000 - now) / 1000)) };
    }
    this.#lastPoll.set(record.id, now);
    return { state: 'in-progress', progress: this.#queued.has(record.id) ? 'queued' : progressText(record), retryAfterSeconds };
  }

  async #start(record: ExportRecord): Promise<void> {
    await this.#options.store.updateExport(record.id, { addAttempts: 1 });
    const controller = new AbortController();
    const context = {
      store: this.#options.store,
      openTarget: this.#options.openTarget ?? ((spec: string) => createTarget(spec)),
      exportsDir: this.#exportsDir,
      maxFileResources: this.#options.maxFileResources,
      device: this.#options.device ?? buildServiceDevice({ version: '0.0.0' }),
      signal: controller.signal,
    };
    // Started on the next turn (the kick-off answers 202 before any reading begins), once a slot is free.
    this.#queued.add(record.id);
    const done = new Promise<void>((resolve) => setImmediate(resolve))
      .then(() => this.#slots.acquire(controller.signal))
      .then(() => {
        this.#queued.delete(record.id);
        return runExport(context, record).finally(() => this.#slots.release());
      })
      .catch((error: unknown) => this.#failed(record.id, error, controller.signal.aborted))
      .finally(() => {
        this.#queued.delete(record.id);
        this.#running.delete(record.id);
      });
    this.#running.set(record.id, { controller, done });
  }

  async #failed(exportId: string, error: unknown, aborted: boolean): Promise<void> {
    if (aborted || exportAborted(error)) return;
    const code = isMigrateError(error) ? error.code : 'FHIRMIG_ERR_CORE_INTERNAL';
    const message = isMigrateError(error) ? error.message : 'unexpected error (logged)';
    this.#options.log?.error({ exportId, code }, 'export failed');
    await this.#options.store.updateExport(exportId, { state: 'failed', error: { code, message } }).catch(() => undefined);
  }

  async #stop(exportId: string): Promise<void> {
    const running = this.#running.get(exportId);
    if (!running) return;
    running.controller.abort();
    await running.done;
  }
}
