import type { SourceRef } from '../../core/index.ts';
import type { SourceItem } from '../source.ts';
import { readDelimiters } from './encoding.ts';
import type { RawMessage } from './framing.ts';
import { isSegmentLine, parseSegment, firstText } from './segment.ts';
import type { Hl7Segment, Hl7SegmentData } from './segment.ts';
import { findStructure } from './structures.ts';
import { buildFlatTree, buildTree } from './tree.ts';
import type { Hl7Group } from './tree.ts';

export interface MessageContext {
  readonly source: string;
  /** The file name as it appears in locators (relative to the source folder). */
  readonly file: string;
}

/**
 * Parses one message into a SourceRecord (kind `ORU^R01`, key MSH-10, data the segment tree), or a
 * rejection located by file, message number, MSH-10 and segment index (`ADT.hl7#2/MSG001/OBX[3]`).
 */
export function parseRawMessage(raw: RawMessage, context: MessageContext): SourceItem {
  const at = `${context.file}#${raw.index}`;
  const msh = raw.lines[0] as string;
  const delimiters = readDelimiters(msh);
  if (!delimiters) return reject(context, 'unknown', `${at}/MSH[1]`, 'the MSH segment is too short to declare its delimiters (MSH-1, MSH-2)', 'MSH-2');
  const header = parseSegment(msh, delimiters);
  const controlId = firstText(header.data, 10);
  const messageCode = firstText(header.data, 9, 1);
  const triggerEvent = firstText(header.data, 9, 2);
  const kind = messageCode && triggerEvent ? `${messageCode}^${triggerEvent}` : messageCode ?? 'unknown';
  const base = controlId ? `${at}/${controlId}` : at;
  if (!messageCode) return reject(context, kind, `${base}/MSH[1]`, 'MSH-9 (message type) is empty', 'MSH-9');
  if (raw.truncatedFrame) return reject(context, kind, base, 'the MLLP frame is not closed (0x1C missing): the message is truncated');
  const segments: Hl7Segment[] = [header];
  for (let i = 1; i < raw.lines.length; i++) {
    const line = raw.lines[i] as string;
    if (!isSegmentLine(line, delimiters)) {
      return reject(context, kind, `${base}/${segmentLabel(line)}[${i + 1}]`, `segment ${i + 1} is broken: it does not start with a segment id and the field separator`);
    }
    segments.push(parseSegment(line, delimiters));
  }
  if (segments.length === 1) return reject(context, kind, base, 'the message holds only its MSH segment: it is truncated');
  const data = groupSegments(segments, messageCode, triggerEvent, firstText(header.data, 9, 3));
  if (data.truncated) {
    return reject(context, kind, base, `the message is truncated: required ${data.missing.join(', ')} missing at its end`);
  }
  const ref: SourceRef = { source: context.source, kind, locator: base };
  // MSH-10 repeats across feeds and files (MSG00001): the message's place makes the key unique in the source.
  const key = base;
  const patientKey = patientKeyOf(segments);
  return patientKey === undefined ? { ref, key, data: data.root } : { ref, key, patientKey, data: data.root };
}

/**
 * Only a missing last required top-level part signals truncation; real feeds routinely omit other
 * required segments (an ADT without EVN, an order without ORC), which maps handle.
 */
function groupSegments(segments: readonly Hl7Segment[], messageCode: string, triggerEvent: string | undefined, declared: string | undefined): { root: Hl7Group; missing: string[]; truncated: boolean } {
  const structure = findStructure(messageCode, triggerEvent ?? '', declared);
  if (!structure) return { root: buildFlatTree(segments), missing: [], truncated: false };
  const tree = buildTree(structure, segments);
  return { root: tree.root, missing: tree.missing.filter((path) => path.split('.').length === 2), truncated: tree.truncated };
}

/** The patient key: PID-3's identifier typed MR, else its first identifier (CX.1). */
export function patientKeyOf(segments: readonly Hl7Segment[]): string | undefined {
  const pid = segments.find((s) => s.id === 'PID');
  const identifiers = pid?.data['3'];
  if (!identifiers || identifiers.length === 0) return pid ? firstText(pid.data, 2) : undefined;
  const mr = identifiers.find((rep) => rep['5'] === 'MR');
  const chosen = mr ?? identifiers[0];
  const value = chosen?.['1'];
  return typeof value === 'string' ? value : value?.['1'];
}

function segmentLabel(line: string): string {
  const id = line.slice(0, 3);
  return /^[A-Z0-9]{3}$/.test(id) ? id : 'segment';
}

function reject(context: MessageContext, kind: string, locator: string, message: string, field?: string): SourceItem {
  const ref: SourceRef = { source: context.source, kind, locator };
  const base = { ref, code: 'FHIRMIG_ERR_SOURCE_PARSE' as const, message: `${locator}: ${message}` };
  return field ? { ...base, field } : base;
}

export type { Hl7SegmentData };
