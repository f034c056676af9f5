import { open } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import type { CsvDialect, CsvRange, CsvRow } from './csv-rows.ts';

/**
 * A byte scanner for the patient index pass: it reads a well-formed UTF-8 CSV file and reports,
 * per record, the byte range (blank lines before a record belong to it, the end includes the
 * newline — as csv-rows.ts reports them) and one decoded column, without decoding the other
 * fields. csv-parse costs several µs per row here, and the index pass parses every row of every
 * table once more before the first patient is read. Anything irregular — a stray quote, text after
 * a closing quote, a bare CR, mixed line endings, an unclosed quote, another encoding, a
 * multi-character delimiter — makes it give up (`false`): the caller then uses csv-parse, which
 * reports such rows with their location.
 */
export interface ScannedRow {
  readonly value: string | undefined;
  readonly start: number;
  readonly end: number;
  readonly lineAtStart: number;
}

type Sink =
  | { readonly kind: 'column'; readonly onHeader: (fields: string[]) => number; readonly onRow: (row: ScannedRow) => void }
  | { readonly kind: 'rows'; readonly rows: CsvRow[] };

const CHUNK = 1 << 20;
/** Larger ranges are streamed through csv-parse rather than read into memory at once. */
const MAX_RANGE = 8 << 20;
const LF = 0x0a;
const CR = 0x0d;

/**
 * Calls `onHeader` with the first record's fields (it returns the column to report, or -1), then
 * `onRow` for every later record. Returns false when the file is not in the form this scanner
 * reads (its callbacks' results must then be discarded).
 */
export async function scanCsvColumn(path: string, dialect: CsvDialect, onHeader: (fields: string[]) => number, onRow: (row: ScannedRow) => void): Promise<boolean> {
  if (dialect.encoding !== 'utf8' || dialect.delimiter.length !== 1 || dialect.quote.length !== 1) return false;
  const file = await open(path, 'r');
  try {
    const scanner = new Scanner(dialect.delimiter.charCodeAt(0), dialect.quote.charCodeAt(0), { kind: 'column', onHeader, onRow }, { start: 0, line: 1 });
    let carry = Buffer.alloc(0);
    let base = 0;
    for (;;) {
      const chunk = Buffer.allocUnsafe(CHUNK);
      const { bytesRead } = await file.read(chunk, 0, CHUNK, base + carry.length);
      const eof = bytesRead === 0;
      const buffer = carry.length === 0 ? chunk.subarray(0, bytesRead) : Buffer.concat([carry, chunk.subarray(0, bytesRead)]);
      const consumed = scanner.scan(buffer, base, eof);
      if (consumed < 0) return false;
      if (eof) return true;
      carry = Buffer.from(buffer.subarray(consumed));
      base += consumed;
    }
  } finally {
    await file.close();
  }
}

/**
 * Every row of a byte range (a patient's rows, as the index gives them), fields decoded, as
 * readCsvEvents reports them; undefined when the range is irregular or large (use csv-parse).
 */
export async function scanCsvRange(path: string, dialect: CsvDialect, range: CsvRange, files?: CsvReadHandles): Promise<CsvRow[] | undefined> {
  if (dialect.encoding !== 'utf8' || dialect.delimiter.length !== 1 || dialect.quote.length !== 1) return undefined;
  if (range.endInclusive === undefined || range.endInclusive + 1 - range.start > MAX_RANGE) return undefined;
  let buffer = Buffer.allocUnsafe(range.endInclusive + 1 - range.start);
  buffer = buffer.subarray(0, files ? await files.readAt(path, buffer, range.start) : await readOnce(path, buffer, range.start));
  const rows: CsvRow[] = [];
  const scanner = new Scanner(dialect.delimiter.charCodeAt(0), dialect.quote.charCodeAt(0), { kind: 'rows', rows }, range);
  return scanner.scan(buffer, range.start, true) === buffer.length ? rows : undefined;
}

/**
 * Read handles kept open per file while a source is in use: a migration reads each patient's
 * ranges of every table, and an open and a close per range cost more than the read (two more
 * trips through libuv's thread pool). Positioned reads (pread) may run side by side on one handle.
 */
export class CsvReadHandles {
  readonly #open = new Map<string, Promise<FileHandle>>();

  /** Reads into `buffer` from `position`; returns the bytes read. */
  async readAt(path: string, buffer: Buffer, position: number): Promise<number> {
    let file = this.#open.get(path);
    if (!file) {
      file = open(path, 'r');
      this.#open.set(path, file);
      file.catch(() => this.#open.delete(path));
    }
    return (await (await file).read(buffer, 0, buffer.length, position)).bytesRead;
  }

  /** Closes every handle (pending reads finish first). */
  async close(): Promise<void> {
    const files = [...this.#open.values()];
    this.#open.clear();
    await Promise.all(files.map(async (file) => (await file.catch(() => undefined))?.close()));
  }
}

/** One positioned read with a handle of its own. */
async function readOnce(path: string, buffer: Buffer, position: number): Promise<number> {
  const file = await open(path, 'r');
  try {
    return (await file.read(buffer, 0, buffer.length, position)).bytesRead;
  } finally {
    await file.close();
  }
}

class Scanner {
  private header: boolean;
  private column = -1;
  /** Line feeds consumed since the scan's first byte, which is on line `lineBase`. */
  private lines = 0;
  private previousEnd: number;
  private linesAtPreviousEnd = 0;
  private readonly lineBase: number;
  private crlf: boolean | undefined;
  private readonly delimiter: number;
  private readonly quote: number;
  private readonly sink: Sink;

  constructor(delimiter: number, quote: number, sink: Sink, from: CsvRange) {
    this.delimiter = delimiter;
    this.quote = quote;
    this.sink = sink;
    this.header = sink.kind === 'column';
    this.previousEnd = from.start;
    this.lineBase = from.line;
  }

  /** Scans whole records of `buffer` (at file offset `base`); returns the bytes consumed, or -1 to give up. */
  scan(buffer: Buffer, base: number, eof: boolean): number {
    let at = base === 0 && buffer[0] === 0xef && buffer[1] === 0xbb && buffer[2] === 0xbf ? 3 : 0;
    while (at < buffer.length) {
      const record = this.record(buffer, at, eof);
      if (record === undefined) return at; // the buffer ends inside it: read on
      if (record === null) return -1;
      const linesBefore = this.lines;
      this.lines += record.newlines;
      at = record.end;
      if (record.fields === undefined) continue; // a blank line: it belongs to the next record
      const lineAtStart = this.lineBase + this.linesAtPreviousEnd;
      if (this.sink.kind === 'rows') {
        this.sink.rows.push({ kind: 'row', fields: record.fields, line: this.lineBase + linesBefore, start: this.previousEnd, end: base + at, lineAtStart });
      } else if (this.header) {
        this.header = false;
        this.column = this.sink.onHeader(record.fields);
      } else this.sink.onRow({ value: record.fields[0], start: this.previousEnd, end: base + at, lineAtStart });
      this.previousEnd = base + at;
      this.linesAtPreviousEnd = this.lines;
    }
    return at;
  }

  /**
   * One record from `at`: blank lines are skipped (their newlines counted, no fields). Fields: all
   * of the header, else only the reported column (as fields[0]). undefined: the buffer ends inside
   * it; null: not a form this scanner reads.
   */
  private record(buffer: Buffer, at: number, eof: boolean): { fields: string[] | undefined; end: number; newlines: number } | null | undefined {
    let newlines = 0;
    let i = at;
    const blank = this.newlineAt(buffer, i, eof);
    if (blank === null) return null;
    if (blank === undefined) return undefined;
    if (blank > 0) return { fields: undefined, end: i + blank, newlines: 1 };
    const fields: string[] = [];
    for (let index = 0; ; index++) {
      const all = this.header || this.sink.kind === 'rows';
      const wanted = all || index === this.column;
      const field = buffer[i] === this.quote ? this.quoted(buffer, i, eof) : this.plain(buffer, i);
      if (field === null) return null;
      if (field === undefined) return eof ? null : undefined;
      newlines += field.newlines;
      if (wanted) fields[all ? index : 0] = field.text ?? decode(buffer, i, field.end);
      i = field.end;
      if (i >= buffer.length) return eof ? { fields: this.rowFields(fields), end: i, newlines } : undefined;
      if (buffer[i] === this.delimiter) {
        i++;
        continue;
      }
      const ending = this.newlineAt(buffer, i, eof);
      if (ending === null) return null;
      if (ending === undefined) return undefined;
      if (ending === 0) return null;
      return { fields: this.rowFields(fields), end: i + ending, newlines: newlines + 1 };
    }
  }

  private rowFields(fields: string[]): string[] {
    return this.header || this.sink.kind === 'rows' ? fields : [fields[0] as string];
  }

  /** Length of the line ending at `i` (0: none); null on a bare CR or a change of line ending; undefined: the buffer ends first. */
  private newlineAt(buffer: Buffer, i: number, eof: boolean): number | null | undefined {
    const byte = buffer[i];
    if (byte === LF) return this.ending(false) ? 1 : null;
    if (byte !== CR) return 0;
    if (i + 1 >= buffer.length) return eof ? null : undefined;
    return buffer[i + 1] === LF && this.ending(true) ? 2 : null;
  }

  private ending(crlf: boolean): boolean {
    this.crlf ??= crlf;
    return this.crlf === crlf;
  }

  /** An unquoted field: up to the delimiter, a line end or the end of the buffer; a quote inside is irregular. */
  private plain(buffer: Buffer, from: number): { end: number; newlines: number; text?: string } | null {
    let i = from;
    while (i < buffer.length) {
      const byte = buffer[i];
      if (byte === this.delimiter || byte === LF || byte === CR) break;
      if (byte === this.quote) return null;
      i++;
    }
    return { end: i, newlines: 0 };
  }

  /**
   * A quoted field (`""` is a quote); it must be followed by a delimiter or a line end. A CR inside
   * is irregular here (csv-parse's line count may differ). undefined: unclosed so far.
   */
  private quoted(buffer: Buffer, from: number, eof: boolean): { end: number; newlines: number; text: string } | null | undefined {
    let i = from + 1;
    let escaped = false;
    for (;;) {
      const close = buffer.indexOf(this.quote, i);
      if (close < 0) return undefined;
      if (buffer[close + 1] === this.quote) {
        escaped = true;
        i = close + 2;
        continue;
      }
      if (close + 1 >= buffer.length && !eof) return undefined; // what follows decides
      const next = buffer[close + 1];
      if (next !== undefined && next !== this.delimiter && next !== LF && next !== CR) return null;
      const content = buffer.subarray(from + 1, close);
      if (content.includes(CR)) return null;
      let newlines = 0;
      for (let k = content.indexOf(LF); k >= 0; k = content.indexOf(LF, k + 1)) newlines++;
      const raw = content.toString('utf8');
      const q = String.fromCharCode(this.quote);
      return { end: close + 1, newlines, text: escaped ? raw.replaceAll(q + q, q) : raw };
    }
  }
}

function decode(buffer: Buffer, from: number, to: number): string {
  return buffer.toString('utf8', from, to);
}
