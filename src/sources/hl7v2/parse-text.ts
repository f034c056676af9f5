import type { SourceItem } from '../source.ts';
import { frameMessages } from './framing.ts';
import type { FramingProblem } from './framing.ts';
import { tokenizeHl7 } from './lines.ts';
import { parseRawMessage } from './message.ts';

export interface Hl7TextOptions {
  /** SourceRef.source of the records. */
  readonly source: string;
  /** The name used in locators (e.g. `request-42`); default `message`. */
  readonly name?: string;
}

/**
 * Parses HL7 v2 text that did not come from a file (a message or a batch posted to the API) into
 * the same records and rejections the `hl7v2:` source yields. MLLP framing and batches work as in
 * files.
 */
export async function parseHl7v2Text(text: string | Buffer, options: Hl7TextOptions): Promise<SourceItem[]> {
  const file = options.name ?? 'message';
  const items: SourceItem[] = [];
  const bytes = typeof text === 'string' ? Buffer.from(text, 'utf8') : text;
  for await (const raw of frameMessages(tokenizeHl7([bytes]))) {
    items.push(raw.type === 'message' ? parseRawMessage(raw, { source: options.source, file }) : framingProblem(options.source, file, raw));
  }
  return items;
}

export function framingProblem(source: string, file: string, problem: FramingProblem): SourceItem {
  const locator = `${file}@${problem.offset}`;
  return { ref: { source, kind: 'framing', locator }, code: 'FHIRMIG_ERR_SOURCE_PARSE', message: `${locator}: ${problem.message}` };
}
