import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { CsvError, parse } from 'csv-parse';
import type { Info } from 'csv-parse';
import type { CsvEncoding } from '../descriptor.ts';

export interface CsvDialect {
  readonly delimiter: string;
  readonly quote: string;
  readonly encoding: CsvEncoding;
}

/** One parsed row, with where it sits in the file (bytes are absolute, end exclusive). */
export interface CsvRow {
  readonly kind: 'row';
  readonly fields: string[];
  readonly line: number;
  /** First byte after the previous row (blank lines before this row belong to it). */
  readonly start: number;
  readonly end: number;
  /** The line number at `start` (to restart a parse there). */
  readonly lineAtStart: number;
}

/** A line that does not parse (bad quoting): located; parsing resumes on the next line. */
export interface CsvParseError {
  readonly kind: 'error';
  readonly line: number;
  readonly message: string;
}

export type CsvEvent = CsvRow | CsvParseError;

/** Where a read starts: byte offset and the line number found there. */
export interface CsvRange {
  readonly start: number;
  /** Inclusive end byte, as fs.createReadStream wants it; absent: to the end of the file. */
  readonly endInclusive?: number;
  readonly line: number;
}

interface ParsedRecord {
  readonly record: string[];
  readonly info: Info;
}

interface ParseFailure {
  /** Where the record that failed starts (the byte after the last good row) and its line. */
  readonly from: number;
  readonly line: number;
  readonly error: CsvError;
}

/**
 * Streams the rows of a CSV file (or of a byte range of it) as CsvEvents, in file order. The
 * parser works on raw bytes, so the byte offsets it reports index the file (the patient index
 * re-reads rows by offset); the encoding applies when fields are decoded. A record that does not
 * parse becomes an error for its first line, and parsing resumes on the line after it, so one
 * stray quote never swallows the rest of the file.
 */
export async function* readCsvEvents(path: string, dialect: CsvDialect, range: CsvRange = { start: 0, line: 1 }): AsyncGenerator<CsvEvent> {
  let current: CsvRange = range;
  for (;;) {
    const failure = yield* parseFrom(path, dialect, current);
    if (!failure) return;
    const next = await findNextLine(path, failure.from, range.endInclusive);
    const badLine = failure.line + next.blankLines;
    yield { kind: 'error', line: badLine, message: describeCsvError(failure.error) };
    if (next.resumeAt === undefined) return;
    current = { start: next.resumeAt, endInclusive: range.endInclusive, line: badLine + 1 };
  }
}

async function* parseFrom(path: string, dialect: CsvDialect, range: CsvRange): AsyncGenerator<CsvRow, ParseFailure | undefined> {
  // csv-parse recovers badly from bad quoting (it may swallow the following rows), so the first
  // skipped record ends this parse; its position is known from the records emitted before it.
  let skipped: { recordsBefore: number; error: CsvError } | undefined;
  const parser = parse({
    delimiter: dialect.delimiter,
    quote: dialect.quote,
    // windows-1252 is parsed as Latin-1 (byte for byte) and its 0x80–0x9F characters recoded after
    encoding: dialect.encoding === 'windows-1252' ? 'latin1' : dialect.encoding,
    bom: range.start === 0,
    info: true,
    relax_column_count: true,
    skip_empty_lines: true,
    skip_records_with_error: true,
    on_skip: (error: CsvError | undefined) => {
      skipped ??= { recordsBefore: parser.info.records, error: error ?? new CsvError('CSV_UNKNOWN_ERROR' as never, 'unknown') };
    },
  });
  const input = createReadStream(path, { start: range.start, end: range.endInclusive });
  input.on('error', (error) => parser.destroy(error));
  input.pipe(parser);
  let previousEnd = range.start;
  let previousEndLine = range.line - 1;
  let consumed = 0;
  const failure = (error: CsvError): ParseFailure => ({ from: previousEnd, line: previousEndLine + 1, error });
  try {
    for await (const parsed of parser as AsyncIterable<ParsedRecord>) {
      if (skipped && consumed >= skipped.recordsBefore) break;
      consumed++;
      const endLine = range.line - 1 + parsed.info.lines;
      const end = range.start + parsed.info.bytes;
      const fields = dialect.encoding === 'windows-1252' ? parsed.record.map(recodeWindows1252) : parsed.record;
      yield { kind: 'row', fields, line: endLine - countInnerNewlines(parsed.record), start: previousEnd, end, lineAtStart: previousEndLine + 1 };
      previousEnd = end;
      previousEndLine = endLine;
    }
    return skipped ? failure(skipped.error) : undefined;
  } catch (error) {
    if (!(error instanceof CsvError)) throw error;
    return failure(error);
  } finally {
    input.unpipe(parser);
    input.destroy();
    parser.destroy();
  }
}

/** From `from`: skips blank lines, then finds where the line after the first non-blank one starts. */
async function findNextLine(path: string, from: number, endInclusive?: number): Promise<{ blankLines: number; resumeAt: number | undefined }> {
  const file = await open(path, 'r');
  try {
    const buffer = Buffer.alloc(64 * 1024);
    let position = from;
    let blankLines = 0;
    let inLine = false;
    for (;;) {
      const { bytesRead } = await file.read(buffer, 0, buffer.length, position);
      if (bytesRead === 0) return { blankLines, resumeAt: undefined };
      for (let i = 0; i < bytesRead; i++) {
        const byte = buffer[i];
        if (byte === 0x0a) {
          if (inLine) {
            const resumeAt = position + i + 1;
            return { blankLines, resumeAt: endInclusive !== undefined && resumeAt > endInclusive ? undefined : resumeAt };
          }
          blankLines++;
        } else if (byte !== 0x0d) inLine = true;
      }
      position += bytesRead;
    }
  } finally {
    await file.close();
  }
}

/** csv-parse messages quote record content ("got x"); keep only what went wrong. */
function describeCsvError(error: CsvError): string {
  switch (error.code) {
    case 'CSV_INVALID_CLOSING_QUOTE':
      return 'a quoted field is followed by text before the next delimiter';
    case 'CSV_QUOTE_NOT_CLOSED':
      return 'a quoted field is never closed';
    default:
      return `the row does not parse (${error.code})`;
  }
}

const windows1252 = new TextDecoder('windows-1252');
const C1_CONTROLS = /[\x80-\x9f]/;

/** Latin-1 and windows-1252 differ only in 0x80–0x9F (€, curly quotes, dashes …). */
function recodeWindows1252(field: string): string {
  return C1_CONTROLS.test(field) ? windows1252.decode(Buffer.from(field, 'latin1')) : field;
}

function countInnerNewlines(fields: readonly string[]): number {
  let count = 0;
  for (const field of fields) {
    if (!field.includes('\n')) continue;
    for (let i = field.indexOf('\n'); i !== -1; i = field.indexOf('\n', i + 1)) count++;
  }
  return count;
}
