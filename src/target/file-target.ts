import { appendFile, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { MigrateError } from '../core/index.ts';
import type { PlannedBundle } from './bundle-builder.ts';
import { createWriteSession, summarizeSession } from './target.ts';
import type { DeleteOptions, DeleteOutcome, Target, WriteResult, WriteSession } from './target.ts';

const RESOURCE_TYPE = /^[A-Z][A-Za-z]+$/;

/**
 * `file:DIR`: one NDJSON file per resource type (`Patient.ndjson`, `Provenance.ndjson`, …), Bulk
 * Data style. Resources are written as a `put` target would store them (deterministic ids,
 * `Type/id` references). Each id appears once per file: a new id is appended, an identical
 * resource is left alone (200), a changed one replaces its line (the file is rewritten).
 */
export class FileTarget implements Target {
  readonly kind = 'file';
  readonly dir: string;
  readonly #files = new Map<string, Map<string, string>>();
  #queue: Promise<unknown> = Promise.resolve();

  constructor(dir: string) {
    this.dir = dir;
  }

  write(bundle: PlannedBundle, session: WriteSession = createWriteSession()): Promise<WriteResult> {
    return this.#serialized(async () => {
      await mkdir(this.dir, { recursive: true });
      const appends = new Map<string, string[]>();
      const rewrites = new Set<string>();
      for (const entry of bundle.entries) {
        const lines = await this.#load(entry.resourceType);
        const line = JSON.stringify(entry.resource);
        const previous = lines.get(entry.id);
        if (previous === undefined) appendTo(appends, entry.resourceType, line);
        else if (previous !== line) rewrites.add(entry.resourceType);
        lines.set(entry.id, line);
        const status = previous === undefined ? 201 : 200;
        session.entryResults.set(entry.key, { key: entry.key, resourceType: entry.resourceType, status, id: entry.id, location: entry.key });
        session.resolved.set(entry.key, entry.key);
      }
      for (const [type, lines] of appends) if (!rewrites.has(type)) await this.#io(() => appendFile(this.#path(type), `${lines.join('\n')}\n`), type);
      for (const type of rewrites) await this.#rewrite(type);
      bundle.chunks.forEach((_, index) => session.chunkResults.set(index, { index, state: 'written', status: 200, attempts: 1 }));
      return summarizeSession(bundle, session);
    });
  }

  async read(resourceType: string, id: string): Promise<fhir4.Resource | undefined> {
    const line = (await this.#load(resourceType)).get(id);
    return line === undefined ? undefined : (JSON.parse(line) as fhir4.Resource);
  }

  async readMany(resourceType: string, ids: readonly string[]): Promise<fhir4.Resource[]> {
    const lines = await this.#load(resourceType);
    const found: fhir4.Resource[] = [];
    for (const id of ids) {
      const line = lines.get(id);
      if (line !== undefined) found.push(JSON.parse(line) as fhir4.Resource);
    }
    return found;
  }

  /** NDJSON files keep no versions: `versionId` is compared with the stored meta.versionId, if any. */
  delete(resourceType: string, id: string, options: DeleteOptions = {}): Promise<DeleteOutcome> {
    return this.#serialized(async () => {
      const lines = await this.#load(resourceType);
      const line = lines.get(id);
      if (line === undefined) return 'not-found';
      const stored = (JSON.parse(line) as fhir4.Resource).meta?.versionId;
      if (options.versionId !== undefined && stored !== undefined && stored !== options.versionId) return 'changed';
      lines.delete(id);
      await this.#rewrite(resourceType);
      return 'deleted';
    });
  }

  async count(resourceType: string, tag?: fhir4.Coding): Promise<number> {
    const lines = await this.#load(resourceType);
    if (!tag) return lines.size;
    let count = 0;
    for (const line of lines.values()) {
      const tags = (JSON.parse(line) as fhir4.Resource).meta?.tag ?? [];
      if (tags.some((t) => t.system === tag.system && t.code === tag.code)) count++;
    }
    return count;
  }

  async close(): Promise<void> {
    await this.#queue;
  }

  #path(resourceType: string): string {
    if (!RESOURCE_TYPE.test(resourceType)) throw new MigrateError('FHIRMIG_ERR_TARGET_FILE', `Not a resource type: ${resourceType}`);
    return join(this.dir, `${resourceType}.ndjson`);
  }

  /** The file's lines by id, read once; later calls see this process's own writes. */
  async #load(resourceType: string): Promise<Map<string, string>> {
    let lines = this.#files.get(resourceType);
    if (lines) return lines;
    lines = new Map();
    const text = await readFile(this.#path(resourceType), 'utf8').catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return '';
      throw new MigrateError('FHIRMIG_ERR_TARGET_FILE', `Cannot read ${this.#path(resourceType)}: ${error.message}`, { cause: error });
    });
    for (const line of text.split('\n')) {
      if (line.trim() === '') continue;
      const id = (JSON.parse(line) as fhir4.Resource).id;
      if (id) lines.set(id, line);
    }
    this.#files.set(resourceType, lines);
    return lines;
  }

  /** Replaces a file atomically (write beside it, then rename). */
  async #rewrite(resourceType: string): Promise<void> {
    const lines = [...(await this.#load(resourceType)).values()];
    const path = this.#path(resourceType);
    await this.#io(async () => {
      await writeFile(`${path}.tmp`, lines.length > 0 ? `${lines.join('\n')}\n` : '');
      await rename(`${path}.tmp`, path);
    }, resourceType);
  }

  async #io(action: () => Promise<void>, resourceType: string): Promise<void> {
    try {
      await action();
    } catch (error) {
      throw new MigrateError('FHIRMIG_ERR_TARGET_FILE', `Cannot write ${resourceType}.ndjson in ${this.dir}: ${(error as Error).message}`, { cause: error });
    }
  }

  /** Writes and deletes run one at a time, so appends and rewrites never interleave. */
  #serialized<T>(task: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(task, task);
    this.#queue = run.catch(() => undefined);
    return run;
  }
}

function appendTo(map: Map<string, string[]>, key: string, line: string): void {
  const list = map.get(key);
  if (list) list.push(line);
  else map.set(key, [line]);
}
