import type { CsvTable } from './csv-layout.ts';
import { readCsvEvents } from './csv-rows.ts';
import type { CsvRange } from './csv-rows.ts';
import { scanCsvColumn } from './csv-scan.ts';

/**
 * The patient index of one CSV table, built in one pass: for each patient the byte ranges of
 * their rows (adjacent rows merged), so a patient's records are read by offset, never by a scan.
 * The pass uses the byte scanner of csv-scan.ts, and csv-parse when a file is irregular.
 */
export interface CsvTableIndex {
  readonly header: readonly string[];
  /** patient key → flat [start, endExclusive, lineAtStart, …] triples. */
  readonly ranges: ReadonlyMap<string, readonly number[]>;
  /** The rows with an empty patient cell (they belong to no patient), as the same triples. */
  readonly orphans: readonly number[];
  /**
   * Every row of the file is in `ranges` or `orphans` (the file parsed without an error): the rows
   * of no patient can then be read by offset; otherwise only a full read reports them all.
   */
  readonly complete: boolean;
}

export async function buildCsvTableIndex(table: CsvTable, signal?: AbortSignal): Promise<CsvTableIndex> {
  return (await scanTableIndex(table, signal)) ?? parseTableIndex(table, signal);
}

/** The fast pass (csv-scan.ts); undefined when the file needs csv-parse. */
async function scanTableIndex(table: CsvTable, signal?: AbortSignal): Promise<CsvTableIndex | undefined> {
  const ranges = new Map<string, number[]>();
  const orphans: number[] = [];
  let header: string[] = [];
  const onHeader = (fields: string[]): number => {
    header = fields;
    return table.patientColumn === undefined ? -1 : fields.indexOf(table.patientColumn);
  };
  let rows = 0;
  const complete = await scanCsvColumn(table.path, table.dialect, onHeader, (row) => {
    if (++rows % 4096 === 0) signal?.throwIfAborted();
    if (row.value) addRange(ranges, row.value, row.start, row.end, row.lineAtStart);
    else addTriple(orphans, row.start, row.end, row.lineAtStart);
  });
  return complete ? { header, ranges, orphans, complete: true } : undefined;
}

async function parseTableIndex(table: CsvTable, signal?: AbortSignal): Promise<CsvTableIndex> {
  const ranges = new Map<string, number[]>();
  const orphans: number[] = [];
  let complete = true;
  let header: string[] | undefined;
  let patientIndex = -1;
  for await (const event of readCsvEvents(table.path, table.dialect)) {
    signal?.throwIfAborted();
    if (event.kind !== 'row') {
      complete = false;
      continue;
    }
    if (!header) {
      header = event.fields;
      patientIndex = table.patientColumn === undefined ? -1 : header.indexOf(table.patientColumn);
      continue;
    }
    const patient = patientIndex < 0 ? undefined : event.fields[patientIndex];
    if (patient) addRange(ranges, patient, event.start, event.end, event.lineAtStart);
    else addTriple(orphans, event.start, event.end, event.lineAtStart);
  }
  return { header: header ?? [], ranges, orphans, complete };
}

function addRange(ranges: Map<string, number[]>, patient: string, start: number, end: number, line: number): void {
  let list = ranges.get(patient);
  if (!list) ranges.set(patient, (list = []));
  addTriple(list, start, end, line);
}

/** Appends a row's triple, merged into the previous one when the rows are adjacent. */
function addTriple(list: number[], start: number, end: number, line: number): void {
  const last = list.length - 3;
  if (last >= 0 && list[last + 1] === start) list[last + 1] = end;
  else list.push(start, end, line);
}

/** Ranges closer than this are read as one (the rows between are skipped by patient). */
const MERGE_GAP_BYTES = 64 * 1024;

/**
 * The byte ranges holding these patients' rows, in file order; nearby ranges are merged so a
 * patient whose rows are spread over a file costs a few reads, not one per row.
 */
export function rangesFor(index: CsvTableIndex, patients: Iterable<string>): CsvRange[] {
  const lists: (readonly number[])[] = [];
  for (const patient of patients) lists.push(index.ranges.get(patient) ?? []);
  return mergedRanges(lists);
}

/** The byte ranges of the rows of no patient (meaningful when the index is complete). */
export function orphanRanges(index: CsvTableIndex): CsvRange[] {
  return mergedRanges([index.orphans]);
}

function mergedRanges(lists: readonly (readonly number[])[]): CsvRange[] {
  const triples: [number, number, number][] = [];
  for (const list of lists) {
    for (let i = 0; i + 2 < list.length; i += 3) triples.push([list[i] as number, list[i + 1] as number, list[i + 2] as number]);
  }
  triples.sort((a, b) => a[0] - b[0]);
  const merged: [number, number, number][] = [];
  for (const triple of triples) {
    const last = merged[merged.length - 1];
    if (last && triple[0] - last[1] <= MERGE_GAP_BYTES) last[1] = Math.max(last[1], triple[1]);
    else merged.push([...triple]);
  }
  return merged.map(([start, end, line]) => ({ start, endInclusive: end - 1, line }));
}
