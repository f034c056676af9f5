import { MigrateError } from '../core/index.ts';
import type { PlannedBundle, PlannedEntry } from './bundle-builder.ts';
import { FhirClient } from './http/fhir-client.ts';
import type { FhirClientOptions } from './http/fhir-client.ts';
import { parseTransactionResponse, serializeChunk } from './transaction.ts';
import { createWriteSession, summarizeSession } from './target.ts';
import type { DeleteOptions, DeleteOutcome, EntryResult, Target, WriteResult, WriteSession } from './target.ts';

/** Ids per `_id` search (keeps the URL well under 8 KB with UUIDs) and searches in flight. */
const READ_BATCH = 100;
const READ_CONCURRENCY = 4;

/**
 * A FHIR server as a target. Chunks go one transaction at a time in dependency order; each
 * chunk is retried on its own (FhirClient), so a retry never re-sends a chunk that landed, and a
 * session kept across a pause resumes with the chunks still missing.
 */
export class HttpTarget implements Target {
  readonly kind = 'http';
  readonly client: FhirClient;

  constructor(options: FhirClientOptions | FhirClient) {
    this.client = options instanceof FhirClient ? options : new FhirClient(options);
  }

  async write(bundle: PlannedBundle, session: WriteSession = createWriteSession()): Promise<WriteResult> {
    for (let index = 0; index < bundle.chunks.length; index++) {
      const done = session.chunkResults.get(index);
      if (done?.state === 'written') continue;
      const accepted = await this.#writeChunk(bundle, index, session);
      if (!accepted) break;
    }
    return summarizeSession(bundle, session);
  }

  /** Sends one chunk; false when the target refused it (later chunks may depend on it, so they wait). */
  async #writeChunk(bundle: PlannedBundle, index: number, session: WriteSession): Promise<boolean> {
    const entries = (bundle.chunks[index] ?? []).map((p) => bundle.entries[p] as PlannedEntry);
    const transaction = serializeChunk(bundle, index, session.resolved);
    // return=minimal: servers that honour it skip echoing every resource (Location and ETag suffice).
    const response = await this.client.request({ method: 'POST', path: '', body: transaction, headers: { prefer: 'return=minimal' } });
    if (response.status >= 200 && response.status < 300) {
      for (const result of parseTransactionResponse(response.body, entries)) {
        session.entryResults.set(result.key, result);
        if (result.id) session.resolved.set(result.key, `${result.resourceType}/${result.id}`);
      }
      session.chunkResults.set(index, { index, state: 'written', status: response.status, attempts: response.attempts });
      return true;
    }
    const outcome = asOutcome(response.body);
    for (const entry of entries) session.entryResults.set(entry.key, rejectedEntry(entry, response.status, outcome));
    session.chunkResults.set(index, { index, state: 'rejected', status: response.status, attempts: response.attempts, ...(outcome ? { outcome } : {}) });
    return false;
  }

  async read(resourceType: string, id: string): Promise<fhir4.Resource | undefined> {
    const response = await this.client.request({ method: 'GET', path: `${resourceType}/${encodeURIComponent(id)}` });
    if (response.status === 404 || response.status === 410) return undefined;
    this.#expectOk(response.status, response.body, `read ${resourceType}/${id}`);
    return response.body as fhir4.Resource;
  }

  /** Batches of READ_BATCH ids, READ_CONCURRENCY requests at a time; each batch follows its `next` links. */
  async readMany(resourceType: string, ids: readonly string[]): Promise<fhir4.Resource[]> {
    const batches: string[][] = [];
    for (let i = 0; i < ids.length; i += READ_BATCH) batches.push(ids.slice(i, i + READ_BATCH));
    const found: fhir4.Resource[] = [];
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < batches.length) {
        const batch = batches[next++] as string[];
        found.push(...(await this.#searchIds(resourceType, batch)));
      }
    };
    await Promise.all(Array.from({ length: Math.min(READ_CONCURRENCY, batches.length) }, worker));
    return found;
  }

  async #searchIds(resourceType: string, ids: readonly string[]): Promise<fhir4.Resource[]> {
    const found: fhir4.Resource[] = [];
    let path: string | undefined = `${resourceType}?${new URLSearchParams({ _id: ids.join(','), _count: String(ids.length) }).toString()}`;
    for (let page = 0; path !== undefined && page < ids.length + 1; page++) {
      const response = await this.client.request({ method: 'GET', path });
      this.#expectOk(response.status, response.body, `search ${resourceType} by _id`);
      const bundle = response.body as fhir4.Bundle | undefined;
      for (const entry of bundle?.entry ?? []) if (entry.resource?.resourceType === resourceType) found.push(entry.resource);
      path = this.#relative(bundle?.link?.find((l) => l.relation === 'next')?.url);
    }
    return found;
  }

  /** A `next` link relative to the base (servers give absolute URLs); undefined when there is none. */
  #relative(url: string | undefined): string | undefined {
    if (!url) return undefined;
    const base = `${this.client.baseUrl}/`;
    if (url.startsWith(base)) return url.slice(base.length);
    throw new MigrateError('FHIRMIG_ERR_TARGET_RESPONSE', 'The target gave a next link outside its base URL');
  }

  async delete(resourceType: string, id: string, options: DeleteOptions = {}): Promise<DeleteOutcome> {
    const existing = await this.read(resourceType, id);
    if (!existing) return 'not-found';
    const { versionId } = options;
    if (versionId !== undefined && existing.meta?.versionId !== versionId) return 'changed';
    const response = await this.client.request({
      method: 'DELETE',
      path: `${resourceType}/${encodeURIComponent(id)}`,
      ...(versionId !== undefined ? { headers: { 'if-match': `W/"${versionId}"` } } : {}),
    });
    if (response.status === 404 || response.status === 410) return 'not-found';
    if (response.status === 412) return 'changed';
    this.#expectOk(response.status, response.body, `delete ${resourceType}/${id}`);
    return 'deleted';
  }

  async count(resourceType: string, tag?: fhir4.Coding): Promise<number> {
    const query = new URLSearchParams({ _summary: 'count' });
    if (tag) query.set('_tag', `${tag.system ?? ''}|${tag.code ?? ''}`);
    const response = await this.client.request({ method: 'GET', path: `${resourceType}?${query.toString()}` });
    this.#expectOk(response.status, response.body, `count ${resourceType}`);
    const total = (response.body as fhir4.Bundle | undefined)?.total;
    if (typeof total !== 'number') throw new MigrateError('FHIRMIG_ERR_TARGET_RESPONSE', `The target gave no total for ${resourceType}?_summary=count`);
    return total;
  }

  close(): Promise<void> {
    return this.client.close();
  }

  #expectOk(status: number, body: unknown, what: string): void {
    if (status >= 200 && status < 300) return;
    const outcome = asOutcome(body);
    const diagnostics = outcome?.issue?.map((i) => i.diagnostics ?? i.details?.text).filter(Boolean) as string[] | undefined;
    throw new MigrateError('FHIRMIG_ERR_TARGET_REJECTED', `Target refused ${what} (HTTP ${status})`, { details: diagnostics ?? [] });
  }
}

function rejectedEntry(entry: PlannedEntry, status: number, outcome: fhir4.OperationOutcome | undefined): EntryResult {
  return { key: entry.key, resourceType: entry.resourceType, status, ...(outcome ? { outcome } : {}) };
}

function asOutcome(body: unknown): fhir4.OperationOutcome | undefined {
  return (body as { resourceType?: unknown } | undefined)?.resourceType === 'OperationOutcome' ? (body as fhir4.OperationOutcome) : undefined;
}

/** Throws FHIRMIG_ERR_TARGET_REJECTED when a write did not land whole (for callers that want all-or-error). */
export function assertWritten(result: WriteResult): void {
  if (result.complete) return;
  const refused = result.chunks.find((c) => c.state === 'rejected');
  const details = refused?.outcome?.issue?.map((i) => i.diagnostics ?? i.details?.text ?? i.code) ?? [];
  throw new MigrateError('FHIRMIG_ERR_TARGET_REJECTED', `The target refused chunk ${refused?.index ?? '?'} (HTTP ${refused?.status ?? 0})`, { details });
}
