import { createReadStream } from 'node:fs';
import { resolve } from 'node:path';
import { MigrateError } from '../core/index.ts';

/**
 * One line of an NDJSON file (Bulk Data IG "NDJSON": one resource per line, `\n` separated,
 * `\r\n` tolerated). `text` is absent when the line is longer than the limit: it is skipped, not
 * held in memory, and `bytes` says how long it was.
 */
export interface NdjsonLine {
  /** 1-based line number in the file. */
  readonly line: number;
  readonly text?: string;
  readonly bytes: number;
}

/** The longest line (one resource) read into memory: 64 MiB. The file itself has no size limit. */
export const NDJSON_MAX_LINE_BYTES = 64 * 1024 * 1024;

const NEWLINE = 0x0a;

/** Collects the bytes of the current line, dropping them once it exceeds the limit. */
class LineBuffer {
  private parts: Buffer[] = [];
  private size = 0;
  private line = 1;
  private readonly maxBytes: number;

  constructor(maxBytes: number) {
    this.maxBytes = maxBytes;
  }

  append(chunk: Buffer): void {
    this.size += chunk.length;
    if (this.size <= this.maxBytes) this.parts.push(chunk);
    else this.parts = [];
  }

  take(): NdjsonLine {
    const bytes = this.size;
    const result: NdjsonLine = bytes <= this.maxBytes
      ? { line: this.line, text: stripLine(Buffer.concat(this.parts, bytes).toString('utf8'), this.line), bytes }
      : { line: this.line, bytes };
    this.parts = [];
    this.size = 0;
    this.line++;
    return result;
  }

  get pending(): boolean {
    return this.size > 0;
  }
}

function stripLine(text: string, line: number): string {
  const noCr = text.endsWith('\r') ? text.slice(0, -1) : text;
  return line === 1 ? noCr.replace(/^\uFEFF/, '') : noCr;
}

/**
 * Streams the lines of a file (constant memory: one line at a time, at most `maxLineBytes` of it).
 * A missing or unreadable file is FHIRMIG_ERR_INPUT_READ naming the path.
 */
export async function* readNdjsonLines(path: string, cwd = process.cwd(), maxLineBytes = NDJSON_MAX_LINE_BYTES): AsyncGenerator<NdjsonLine> {
  const buffer = new LineBuffer(maxLineBytes);
  try {
    for await (const chunk of createReadStream(resolve(cwd, path)) as AsyncIterable<Buffer>) {
      let start = 0;
      for (let nl = chunk.indexOf(NEWLINE, start); nl >= 0; nl = chunk.indexOf(NEWLINE, start)) {
        buffer.append(chunk.subarray(start, nl));
        start = nl + 1;
        yield buffer.take();
      }
      if (start < chunk.length) buffer.append(chunk.subarray(start));
    }
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? String(error);
    throw new MigrateError('FHIRMIG_ERR_INPUT_READ', `Cannot read ${path} (${reason}).`, { location: { file: path }, cause: error });
  }
  if (buffer.pending) yield buffer.take();
}

/** The lines of text already in memory, in the same form as {@link readNdjsonLines}. */
export function* splitNdjsonLines(text: string): Generator<NdjsonLine> {
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i] ?? '';
    if (i === lines.length - 1 && raw === '') return;
    yield { line: i + 1, text: stripLine(raw, i + 1), bytes: Buffer.byteLength(raw) };
  }
}

/**
 * Whether JSON text that did not parse as one value is NDJSON: its first non-empty line is a JSON
 * object on its own and another non-empty line follows.
 */
export function looksLikeNdjson(text: string): boolean {
  const lines = text.split('\n').filter((l) => l.trim() !== '');
  if (lines.length < 2) return false;
  try {
    const first: unknown = JSON.parse(lines[0] ?? '');
    return typeof first === 'object' && first !== null && !Array.isArray(first);
  } catch {
    return false;
  }
}
