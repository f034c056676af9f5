import { createReadStream } from 'node:fs';

/** A segment line, an MLLP frame boundary, with the byte offset where it starts. */
export type Hl7Token =
  | { readonly type: 'line'; readonly text: string; readonly offset: number }
  | { readonly type: 'frameStart'; readonly offset: number }
  | { readonly type: 'frameEnd'; readonly offset: number };

const CR = 0x0d;
const LF = 0x0a;
const VT = 0x0b; // MLLP start block
const FS = 0x1c; // MLLP end block

/**
 * Streams a message file as tokens: segment lines (ended by `\r`, `\n` or `\r\n`) and MLLP frame
 * marks. It splits raw bytes (every delimiter is ASCII) so offsets are file positions, and decodes
 * each line on its own (UTF-8, or the encoding given).
 */
export function readHl7Tokens(path: string, options: { start?: number; encoding?: 'utf-8' | 'latin1' } = {}): AsyncGenerator<Hl7Token> {
  return tokenizeHl7(createReadStream(path, { start: options.start }) as AsyncIterable<Buffer>, options);
}

/** The same over any byte chunks (a file stream, or one Buffer of a message posted to the API). */
export async function* tokenizeHl7(chunks: AsyncIterable<Buffer> | Iterable<Buffer>, options: { start?: number; encoding?: 'utf-8' | 'latin1' } = {}): AsyncGenerator<Hl7Token> {
  const decoder = new TextDecoder(options.encoding ?? 'utf-8');
  let carry: Buffer | undefined;
  let carryOffset = options.start ?? 0;
  let position = options.start ?? 0;
  for await (const chunk of chunks) {
    const buffer = carry ? Buffer.concat([carry, chunk]) : chunk;
    const base = carry ? carryOffset : position;
    position += chunk.length;
    let lineStart = 0;
    for (let i = 0; i < buffer.length; i++) {
      const byte = buffer[i];
      if (byte !== CR && byte !== LF && byte !== VT && byte !== FS) continue;
      if (i > lineStart) yield { type: 'line', text: stripBom(decoder.decode(buffer.subarray(lineStart, i))), offset: base + lineStart };
      if (byte === VT) yield { type: 'frameStart', offset: base + i };
      if (byte === FS) yield { type: 'frameEnd', offset: base + i };
      lineStart = i + 1;
    }
    carry = lineStart < buffer.length ? buffer.subarray(lineStart) : undefined;
    carryOffset = base + lineStart;
  }
  if (carry && carry.length > 0) yield { type: 'line', text: stripBom(decoder.decode(carry)), offset: carryOffset };
}

function stripBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}
