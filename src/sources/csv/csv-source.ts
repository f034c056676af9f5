import { basename } from 'node:path';
import type { SourceDescriptor } from '../descriptor.ts';
import { noPatientColumn, patientFilter, unknownField, unknownKind, wantsKind } from '../source.ts';
import type { FieldFilter, LegacySource, ReadOptions, SourceItem } from '../source.ts';
import { buildCsvTableIndex, orphanRanges, rangesFor } from './csv-index.ts';
import type { CsvTableIndex } from './csv-index.ts';
import { resolveCsvLayout } from './csv-layout.ts';
import type { CsvLayout, CsvTable } from './csv-layout.ts';
import { csvErrorToItem, csvRowToItem } from './csv-record.ts';
import { readCsvEvents } from './csv-rows.ts';
import { CsvReadHandles, scanCsvRange } from './csv-scan.ts';
import type { CsvRange } from './csv-rows.ts';

export interface CsvSourceOptions {
  /** SourceRef.source of the records (default `csv:<folder name>`). */
  readonly name?: string;
  /** Overrides the folder's `source.json` and the built-in Synthea descriptor. */
  readonly descriptor?: SourceDescriptor;
}

/** `csv:DIR` — a folder of CSV extracts, one file per kind, streamed row by row. */
export class CsvSource implements LegacySource {
  readonly name: string;
  readonly type = 'csv' as const;
  readonly layout: CsvLayout;
  #indexes: Promise<Map<string, CsvTableIndex>> | undefined;
  #files = new CsvReadHandles();

  constructor(dir: string, options: CsvSourceOptions = {}) {
    this.layout = resolveCsvLayout(dir, options.descriptor);
    this.name = options.name ?? `csv:${basename(dir)}`;
  }

  async listKinds(): Promise<string[]> {
    return this.layout.tables.map((t) => t.kind);
  }

  async listPatients(): Promise<string[]> {
    const patients = new Set<string>();
    for (const index of (await this.indexes()).values()) for (const key of index.ranges.keys()) patients.add(key);
    return [...patients].sort();
  }

  async *read(options?: ReadOptions): AsyncGenerator<SourceItem> {
    const patients = patientFilter(options);
    for (const table of this.layout.tables) {
      if (!wantsKind(options, table.kind)) continue;
      if (patients) {
        if (table.patientColumn !== undefined) yield* this.readPatients(table, patients, options?.signal);
      } else if (options?.withoutPatient && table.patientColumn !== undefined) yield* this.readOrphans(table, options.signal);
      else yield* this.readTable(table, options?.signal);
    }
  }

  async listColumns(kind: string): Promise<string[] | undefined> {
    const table = this.layout.tables.find((t) => t.kind === kind);
    if (!table) return undefined;
    for await (const event of readCsvEvents(table.path, table.dialect)) if (event.kind === 'row') return event.fields;
    return [];
  }

  /** One streaming pass of the table, comparing the raw cell text. */
  async patientsWhere(filter: FieldFilter): Promise<string[]> {
    const table = this.layout.tables.find((t) => t.kind === filter.kind);
    if (!table) throw unknownKind(await this.listKinds(), filter.kind);
    const values = new Set(filter.values);
    const patients = new Set<string>();
    let columns: { field: number; patient: number } | undefined;
    for await (const event of readCsvEvents(table.path, table.dialect)) {
      if (event.kind !== 'row') continue;
      if (columns === undefined) {
        columns = { field: event.fields.indexOf(filter.field), patient: table.patientColumn === undefined ? -1 : event.fields.indexOf(table.patientColumn) };
        if (columns.field < 0) throw unknownField(event.fields, filter.kind, filter.field);
        if (columns.patient < 0) throw noPatientColumn(filter.kind);
        continue;
      }
      const patient = event.fields[columns.patient];
      if (patient && values.has(event.fields[columns.field] ?? '')) patients.add(patient);
    }
    if (columns === undefined) throw unknownField([], filter.kind, filter.field);
    return [...patients].sort();
  }

  async close(): Promise<void> {
    this.#indexes = undefined;
    const files = this.#files;
    this.#files = new CsvReadHandles();
    await files.close();
  }

  private async *readTable(table: CsvTable, signal?: AbortSignal): AsyncGenerator<SourceItem> {
    let header: string[] | undefined;
    for await (const event of readCsvEvents(table.path, table.dialect)) {
      signal?.throwIfAborted();
      if (event.kind === 'error') yield csvErrorToItem(this.name, table, event);
      else if (!header) header = event.fields;
      else yield csvRowToItem(this.name, table, header, event);
    }
  }

  private async *readPatients(table: CsvTable, patients: ReadonlySet<string>, signal?: AbortSignal): AsyncGenerator<SourceItem> {
    const index = (await this.indexes()).get(table.kind);
    if (!index) return;
    const patientIndex = index.header.indexOf(table.patientColumn as string);
    for (const range of rangesFor(index, patients)) {
      yield* this.readRange(table, index.header, range, (fields) => patients.has(fields[patientIndex] ?? ''), signal);
    }
  }

  /** The rows of a patient table with an empty patient cell: by offset when the index holds every row, else a full read. */
  private async *readOrphans(table: CsvTable, signal?: AbortSignal): AsyncGenerator<SourceItem> {
    const index = (await this.indexes()).get(table.kind);
    if (!index?.complete) {
      yield* this.readTable(table, signal);
      return;
    }
    const patientIndex = index.header.indexOf(table.patientColumn as string);
    for (const range of orphanRanges(index)) {
      yield* this.readRange(table, index.header, range, (fields) => !fields[patientIndex], signal);
    }
  }

  /**
   * Rows of a merged range that belong to other patients are passed over. Unparseable lines are
   * never indexed (no patient can be read from them): a full read reports them. A regular range
   * is read at once by the byte scanner (csv-scan.ts), an irregular one streamed through csv-parse.
   */
  private async *readRange(table: CsvTable, header: readonly string[], range: CsvRange, wanted: (fields: readonly string[]) => boolean, signal?: AbortSignal): AsyncGenerator<SourceItem> {
    const scanned = await scanCsvRange(table.path, table.dialect, range, this.#files);
    if (scanned) {
      for (const row of scanned) {
        signal?.throwIfAborted();
        if (wanted(row.fields)) yield csvRowToItem(this.name, table, header, row);
      }
      return;
    }
    for await (const event of readCsvEvents(table.path, table.dialect, range)) {
      signal?.throwIfAborted();
      if (event.kind === 'row' && wanted(event.fields)) yield csvRowToItem(this.name, table, header, event);
    }
  }

  /** One pass over every table with a patient column, on first need; cached. */
  private indexes(): Promise<Map<string, CsvTableIndex>> {
    this.#indexes ??= (async () => {
      const map = new Map<string, CsvTableIndex>();
      for (const table of this.layout.tables) if (table.patientColumn !== undefined) map.set(table.kind, await buildCsvTableIndex(table));
      return map;
    })();
    return this.#indexes;
  }
}
