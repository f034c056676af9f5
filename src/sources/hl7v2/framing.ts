import { readHl7Tokens } from './lines.ts';
import type { Hl7Token } from './lines.ts';

/** One message's segment lines as found in the file, before parsing. */
export interface RawMessage {
  readonly type: 'message';
  /** 1-based position of the message in its file. */
  readonly index: number;
  /** Byte offset where the message starts (its MSH line, or the MLLP start block). */
  readonly offset: number;
  readonly lines: string[];
  /** An MLLP frame was opened and never closed: the message is cut off. */
  readonly truncatedFrame: boolean;
}

/** Something wrong outside any message: stray text, a batch whose trailer count disagrees. */
export interface FramingProblem {
  readonly type: 'problem';
  readonly offset: number;
  readonly message: string;
}

export interface FramingOptions {
  readonly start?: number;
  readonly firstIndex?: number;
  /** Stop after this many messages (re-reading one indexed message). */
  readonly limit?: number;
  readonly encoding?: 'utf-8' | 'latin1';
}

const BATCH_SEGMENTS = new Set(['FHS', 'BHS', 'BTS', 'FTS']);

/**
 * Splits a message file into messages: plain files (any segment ending), MLLP-framed files
 * (0x0B … 0x1C 0x0D) and FHS/BHS batches, whose envelopes are checked (BTS-1 message count) and
 * dropped.
 */
export function readRawMessages(path: string, options: FramingOptions = {}): AsyncGenerator<RawMessage | FramingProblem> {
  return frameMessages(readHl7Tokens(path, { start: options.start, encoding: options.encoding }), options);
}

export async function* frameMessages(tokens: AsyncIterable<Hl7Token>, options: FramingOptions = {}): AsyncGenerator<RawMessage | FramingProblem> {
  let index = (options.firstIndex ?? 1) - 1;
  let current: { offset: number; lines: string[] } | undefined;
  let inFrame = false;
  let batchCount = 0;
  const limit = options.limit ?? Infinity;
  const reachedLimit = (message: RawMessage): boolean => message.index - (options.firstIndex ?? 1) + 1 >= limit;
  let stray = false; // a run of stray lines is reported once, at its first line
  const flush = (truncatedFrame: boolean): RawMessage | undefined => {
    if (!current) return undefined;
    const message: RawMessage = { type: 'message', index: ++index, offset: current.offset, lines: current.lines, truncatedFrame };
    current = undefined;
    batchCount++;
    return message;
  };
  for await (const token of tokens) {
    let done: RawMessage | FramingProblem | undefined;
    if (token.type === 'frameStart') {
      done = flush(inFrame);
      inFrame = true;
    } else if (token.type === 'frameEnd') {
      done = flush(false);
      inFrame = false;
    } else if (token.text.trim() === '') continue;
    else {
      const id = token.text.slice(0, 3);
      if (id === 'MSH') {
        stray = false;
        done = flush(false);
        current = { offset: token.offset, lines: [token.text] };
      } else if (BATCH_SEGMENTS.has(id)) {
        const flushed = flush(false);
        if (flushed) yield flushed;
        if (flushed && reachedLimit(flushed)) return;
        const problem = checkBatchSegment(id, token.text, batchCount, token.offset);
        if (id === 'BHS' || id === 'FHS') batchCount = 0;
        if (problem) yield problem;
      } else if (current) current.lines.push(token.text);
      else if (!stray) {
        stray = true;
        yield { type: 'problem', offset: token.offset, message: 'text outside any message (lines before the first MSH)' };
      }
    }
    if (done?.type === 'message' && reachedLimit(done)) {
      yield done;
      return;
    }
    if (done) yield done;
  }
  const last = flush(inFrame);
  if (last) yield last;
}

/** BTS-1 states how many messages the batch held; a different count means messages were lost. */
function checkBatchSegment(id: string, line: string, counted: number, offset: number): FramingProblem | undefined {
  if (id !== 'BTS') return undefined;
  const declared = line.split(line[3] ?? '|')[1];
  if (!declared || !/^\d+$/.test(declared) || Number(declared) === counted) return undefined;
  return { type: 'problem', offset, message: `batch trailer BTS-1 declares ${declared} messages, the batch holds ${counted}` };
}
