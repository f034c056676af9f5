/**
 * The record worker thread (started by record-worker.ts): loads the map set and the validation
 * context from the paths in workerData, then answers map and validate requests. It keeps the
 * resources of its last batches so that validate can name them by position instead of receiving
 * them back (the mirror rule is in record-worker.ts).
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { MessagePort } from 'node:worker_threads';
import { isMigrateError } from '../core/index.ts';
import { mapRecord } from '../jobs/index.ts';
import type { UnmappedCodeInfo } from '../mapping/index.ts';
import { buildValidator, loadMapSet } from './migration-env.ts';
import { RETAINED_BATCHES, isKeptRef } from './record-worker.ts';
import type { MapResult, RecordWorkerData, WorkerError, WorkerReply, WorkerRequest } from './record-worker.ts';

function errorOf(error: unknown): WorkerError {
  return { code: isMigrateError(error) ? error.code : 'FHIRMIG_ERR_CORE_INTERNAL', message: error instanceof Error ? error.message : String(error) };
}

function kept(batches: ReadonlyMap<number, readonly fhir4.Resource[]>, [batch, position]: readonly [number, number]): fhir4.Resource {
  const resource = batches.get(batch)?.[position];
  if (!resource) throw new Error(`record worker: resource ${position} of batch ${batch} is no longer kept`);
  return resource;
}

function serve(port: MessagePort, data: RecordWorkerData): void {
  let unmapped: UnmappedCodeInfo[] = [];
  const mapSet = loadMapSet(data.mapsDir, data.conceptMapDirs, data.cwd, { onUnmappedCode: (info) => unmapped.push(info) });
  void mapSet.engine; // built now, while loading, rather than on the first request
  const validate = buildValidator(data.igs, data.cwd);
  const batches = new Map<number, fhir4.Resource[]>();
  const answer = (request: WorkerRequest): WorkerReply => {
    switch (request.op) {
      case 'map': {
        const kept: fhir4.Resource[] = [];
        batches.set(request.batch, kept);
        for (const old of batches.keys()) if (batches.size > RETAINED_BATCHES) batches.delete(old);
        unmapped = [];
        const results = request.records.map((record): MapResult => {
          const { record: _, ...result } = mapRecord(mapSet, record);
          if (result.state === 'mapped') kept.push(...result.resources);
          return result;
        });
        return { id: request.id, results, unmapped };
      }
      case 'validate': {
        const outcomes = request.items.map((item) => validate(isKeptRef(item) ? kept(batches, item) : item));
        for (const item of request.items) if (isKeptRef(item)) batches.delete(item[0]);
        return { id: request.id, outcomes };
      }
      default:
        throw new Error(`unknown request ${(request as { op: string }).op}`);
    }
  };
  port.on('message', (request: WorkerRequest) => {
    try {
      port.postMessage(answer(request));
    } catch (error) {
      port.postMessage({ id: request.id, error: errorOf(error) } satisfies WorkerReply);
    }
  });
  port.postMessage({ ready: mapSet.versionHash } satisfies WorkerReply);
}

const port = parentPort as MessagePort;
try {
  serve(port, workerData as RecordWorkerData);
} catch (error) {
  // The load failed (a missing folder, a bad IG): the thread ends, the main side rejects with this.
  port.postMessage({ failed: errorOf(error) } satisfies WorkerReply);
}
