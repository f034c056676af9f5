import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import type { WriteStream } from 'node:fs';
import { join } from 'node:path';
import { MigrateError } from '../core/index.ts';

/** What a file holds: exported resources of one type, `deleted` Bundles, or `error` OperationOutcomes (the manifest's three arrays). */
export type FileKind = 'output' | 'deleted' | 'error';

export interface WrittenFile {
  readonly kind: FileKind;
  readonly type: string;
  /** File name inside the export's folder: `Patient-1.ndjson`, `deleted-1.ndjson`, `error-1.ndjson`. */
  readonly name: string;
  readonly count: number;
}

interface OpenFile {
  readonly stream: WriteStream;
  readonly file: { kind: FileKind; type: string; name: string; count: number };
}

const PREFIX: Readonly<Record<Exclude<FileKind, 'output'>, string>> = { deleted: 'deleted', error: 'error' };

/** The kind of a file from its name (resource types start upper-case, the other two do not). */
export function fileKind(name: string): FileKind {
  if (name.startsWith(`${PREFIX.deleted}-`)) return 'deleted';
  if (name.startsWith(`${PREFIX.error}-`)) return 'error';
  return 'output';
}

export const FILE_NAME = /^(?:[A-Z][A-Za-z]+|deleted|error)-\d{1,6}\.ndjson$/;

/**
 * NDJSON files of one export: one JSON value per line, one resource type per file (IG "Response -
 * Output File Request"), a new part every `maxPerFile` lines. Writes respect stream back-pressure.
 */
export class NdjsonFiles {
  readonly #dir: string;
  readonly #maxPerFile: number;
  readonly #open = new Map<string, OpenFile>();
  readonly #parts = new Map<string, number>();
  readonly #done: WrittenFile[] = [];

  constructor(dir: string, maxPerFile: number) {
    this.#dir = dir;
    this.#maxPerFile = maxPerFile;
  }

  async write(kind: FileKind, type: string, value: unknown): Promise<void> {
    const key = kind === 'output' ? type : PREFIX[kind];
    let open = this.#open.get(key);
    if (open && open.file.count >= this.#maxPerFile) {
      await this.#finish(key, open);
      open = undefined;
    }
    open ??= this.#start(key, kind, type);
    open.file.count++;
    if (!open.stream.write(`${JSON.stringify(value)}\n`)) await once(open.stream, 'drain');
  }

  /** Closes the files of a type (it is complete); other kinds stay open. */
  async finishType(type: string): Promise<void> {
    const open = this.#open.get(type);
    if (open) await this.#finish(type, open);
  }

  /** Closes every file; returns them in the order they were started. */
  async close(): Promise<WrittenFile[]> {
    for (const [key, open] of [...this.#open]) await this.#finish(key, open);
    return this.#done;
  }

  #start(key: string, kind: FileKind, type: string): OpenFile {
    const part = (this.#parts.get(key) ?? 0) + 1;
    this.#parts.set(key, part);
    const name = `${key}-${part}.ndjson`;
    const stream = createWriteStream(join(this.#dir, name), { flags: 'w' });
    const open = { stream, file: { kind, type, name, count: 0 } };
    this.#open.set(key, open);
    this.#done.push(open.file);
    return open;
  }

  async #finish(key: string, open: OpenFile): Promise<void> {
    this.#open.delete(key);
    try {
      await new Promise<void>((resolve, reject) => {
        open.stream.once('error', reject);
        open.stream.end(resolve);
      });
    } catch (error) {
      throw new MigrateError('FHIRMIG_ERR_CORE_INTERNAL', `Cannot write export file ${open.file.name}: ${(error as Error).message}`, { cause: error });
    }
  }
}
