import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { MigrateError } from '../../core/index.ts';
import { listSourceFiles } from '../files.ts';
import type { SourceFile } from '../files.ts';
import { isSourceRejection, patientFilter, wantsKind } from '../source.ts';
import type { LegacySource, ReadOptions, SourceItem } from '../source.ts';
import { documentKindOf, parseCcdaDocument } from './ccda-document.ts';
import { scanPatientKey } from './ccda-header.ts';

export interface CcdaSourceOptions {
  readonly name?: string;
}

export const CCDA_EXTENSIONS = ['.xml', '.ccda', '.cda', '.ccd'];

interface CcdaIndex {
  readonly kinds: string[];
  /** patient key → indexes into files. */
  readonly patients: Map<string, number[]>;
}

/** `ccda:FILE|DIR` — C-CDA documents, one record per document (one document per file). */
export class CcdaSource implements LegacySource {
  readonly name: string;
  readonly type = 'ccda' as const;
  readonly files: readonly SourceFile[];
  #index: Promise<CcdaIndex> | undefined;

  constructor(path: string, options: CcdaSourceOptions = {}) {
    this.files = listSourceFiles(path, CCDA_EXTENSIONS);
    this.name = options.name ?? `ccda:${basename(path)}`;
  }

  async listKinds(): Promise<string[]> {
    return (await this.index()).kinds;
  }

  async listPatients(): Promise<string[]> {
    return [...(await this.index()).patients.keys()].sort();
  }

  async *read(options?: ReadOptions): AsyncGenerator<SourceItem> {
    const patients = patientFilter(options);
    const fileIndexes = patients ? await this.filesOf(patients) : this.files.map((_, i) => i);
    for (const i of fileIndexes) {
      options?.signal?.throwIfAborted();
      const item = parseCcdaDocument(await this.readText(this.files[i] as SourceFile), { source: this.name, file: (this.files[i] as SourceFile).name });
      if (!wantsKind(options, item.ref.kind) && !isSourceRejection(item)) continue;
      // a document indexed under the patient but not parseable is reported in their read too
      if (!patients || isSourceRejection(item) || (item.patientKey !== undefined && patients.has(item.patientKey))) yield item;
    }
  }

  async close(): Promise<void> {
    this.#index = undefined;
  }

  private async readText(file: SourceFile): Promise<string> {
    try {
      return await readFile(file.path, 'utf8');
    } catch (error) {
      throw new MigrateError('FHIRMIG_ERR_INPUT_READ', `cannot read ${file.name}`, { location: { file: file.name }, cause: error });
    }
  }

  private async filesOf(patients: ReadonlySet<string>): Promise<number[]> {
    const index = await this.index();
    const files = new Set<number>();
    for (const patient of patients) for (const f of index.patients.get(patient) ?? []) files.add(f);
    return [...files].sort((a, b) => a - b);
  }

  /**
   * One pass over the documents: which files hold which patient (read from the header only) and
   * the kinds (from the full parse, cached once).
   */
  private index(): Promise<CcdaIndex> {
    this.#index ??= (async () => {
      const kinds = new Set<string>();
      const patients = new Map<string, number[]>();
      for (let i = 0; i < this.files.length; i++) {
        const file = this.files[i] as SourceFile;
        const xml = await this.readText(file);
        kinds.add(documentKindOf(xml));
        const patientKey = scanPatientKey(xml);
        if (patientKey === undefined) continue;
        const list = patients.get(patientKey) ?? [];
        list.push(i);
        patients.set(patientKey, list);
      }
      return { kinds: [...kinds].sort(), patients };
    })();
    return this.#index;
  }
}
