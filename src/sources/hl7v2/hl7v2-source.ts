import { basename } from 'node:path';
import { listSourceFiles } from '../files.ts';
import type { SourceFile } from '../files.ts';
import { patientFilter, wantsKind } from '../source.ts';
import type { LegacySource, ReadOptions, SourceItem } from '../source.ts';
import { readRawMessages } from './framing.ts';
import { parseRawMessage } from './message.ts';
import { framingProblem } from './parse-text.ts';

export interface Hl7v2SourceOptions {
  readonly name?: string;
  /** Text encoding of the files (default UTF-8; `latin1` for ISO-8859-1 feeds). */
  readonly encoding?: 'utf-8' | 'latin1';
}

/** File extensions read from a folder ('' = files without an extension). */
export const HL7_EXTENSIONS = ['.hl7', '.hl7v2', '.txt', '.msg', '.dat', '.mllp', '.batch', ''];

interface MessagePosition {
  readonly file: number;
  readonly offset: number;
  readonly index: number;
}

interface Hl7Index {
  readonly kinds: string[];
  readonly patients: Map<string, MessagePosition[]>;
}

/** `hl7v2:FILE|DIR` — message files and archives, one record per message. */
export class Hl7v2Source implements LegacySource {
  readonly name: string;
  readonly type = 'hl7v2' as const;
  readonly files: readonly SourceFile[];
  readonly #encoding: 'utf-8' | 'latin1' | undefined;
  #index: Promise<Hl7Index> | undefined;

  constructor(path: string, options: Hl7v2SourceOptions = {}) {
    this.files = listSourceFiles(path, HL7_EXTENSIONS);
    this.name = options.name ?? `hl7v2:${basename(path)}`;
    this.#encoding = options.encoding;
  }

  async listKinds(): Promise<string[]> {
    return (await this.index()).kinds;
  }

  async listPatients(): Promise<string[]> {
    return [...(await this.index()).patients.keys()].sort();
  }

  async *read(options?: ReadOptions): AsyncGenerator<SourceItem> {
    const patients = patientFilter(options);
    if (patients) {
      yield* this.readPatients(patients, options);
      return;
    }
    for (const file of this.files) {
      for await (const item of this.readFile(file)) {
        options?.signal?.throwIfAborted();
        if (wantsKind(options, item.ref.kind)) yield item;
      }
    }
  }

  async close(): Promise<void> {
    this.#index = undefined;
  }

  private async *readFile(file: SourceFile, start?: number, firstIndex?: number, limit?: number): AsyncGenerator<SourceItem> {
    const context = { source: this.name, file: file.name };
    for await (const raw of readRawMessages(file.path, { start, firstIndex, limit, encoding: this.#encoding })) {
      yield raw.type === 'message' ? parseRawMessage(raw, context) : framingProblem(this.name, file.name, raw);
    }
  }

  /** Re-reads only the indexed messages of these patients, by byte offset. */
  private async *readPatients(patients: ReadonlySet<string>, options: ReadOptions | undefined): AsyncGenerator<SourceItem> {
    const index = await this.index();
    const positions = [...patients].flatMap((p) => index.patients.get(p) ?? []);
    positions.sort((a, b) => a.file - b.file || a.offset - b.offset);
    for (const position of positions) {
      options?.signal?.throwIfAborted();
      const file = this.files[position.file] as SourceFile;
      for await (const item of this.readFile(file, position.offset, position.index, 1)) if (wantsKind(options, item.ref.kind)) yield item;
    }
  }

  /** One pass over every file: the kinds seen, and where each patient's messages start. */
  private index(): Promise<Hl7Index> {
    this.#index ??= (async () => {
      const kinds = new Set<string>();
      const patients = new Map<string, MessagePosition[]>();
      for (let f = 0; f < this.files.length; f++) {
        const file = this.files[f] as SourceFile;
        for await (const raw of readRawMessages(file.path, { encoding: this.#encoding })) {
          if (raw.type !== 'message') continue;
          const item = parseRawMessage(raw, { source: this.name, file: file.name });
          kinds.add(item.ref.kind);
          if (!item.patientKey) continue;
          let list = patients.get(item.patientKey);
          if (!list) patients.set(item.patientKey, (list = []));
          list.push({ file: f, offset: raw.offset, index: raw.index });
        }
      }
      return { kinds: [...kinds].sort(), patients };
    })();
    return this.#index;
  }
}
