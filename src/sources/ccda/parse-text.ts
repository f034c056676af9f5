import type { SourceItem } from '../source.ts';
import { parseCcdaDocument } from './ccda-document.ts';

export interface CcdaTextOptions {
  /** SourceRef.source of the record. */
  readonly source: string;
  /** The name used in locators (e.g. `request`); default `document`. */
  readonly name?: string;
}

/**
 * Parses C-CDA XML that did not come from a file (a document posted to the API) into the same
 * record, or located rejection (name:line:column), that the `ccda:` source yields for a file.
 */
export function parseCcdaText(xml: string | Buffer, options: CcdaTextOptions): SourceItem {
  const text = typeof xml === 'string' ? xml : xml.toString('utf8');
  return parseCcdaDocument(text, { source: options.source, file: options.name ?? 'document' });
}
