import { parseFieldValue } from './encoding.ts';
import type { Delimiters, Hl7Repetition } from './encoding.ts';

/** A segment as data: its fields by 1-based HL7 number, each a list of repetitions (`PID['5'][0]['1']`). */
export type Hl7SegmentData = Record<string, Hl7Repetition[]>;

export interface Hl7Segment {
  readonly id: string;
  readonly data: Hl7SegmentData;
}

const SEGMENT_ID = /^[A-Z][A-Z0-9]{2}$/;

/** Whether a line starts like a segment (three-character id, then the field separator or nothing). */
export function isSegmentLine(line: string, d: Delimiters): boolean {
  return SEGMENT_ID.test(line.slice(0, 3)) && (line.length === 3 || line[3] === d.field);
}

/**
 * Parses one segment line. MSH (and the batch headers FHS/BHS) number their fields as HL7 does:
 * MSH-1 is the field separator, MSH-2 the encoding characters (kept verbatim).
 */
export function parseSegment(line: string, d: Delimiters): Hl7Segment {
  const id = line.slice(0, 3);
  const parts = line.split(d.field);
  const data: Hl7SegmentData = {};
  const isHeader = id === 'MSH' || id === 'FHS' || id === 'BHS';
  if (isHeader) {
    data['1'] = [{ '1': d.field }];
    if (parts[1]) data['2'] = [{ '1': parts[1] }];
  }
  for (let i = isHeader ? 2 : 1; i < parts.length; i++) {
    const text = parts[i] as string;
    if (text === '') continue;
    const repetitions = parseFieldValue(text, d);
    if (repetitions.length > 0) data[String(isHeader ? i + 1 : i)] = repetitions;
  }
  return { id, data };
}

/** The first component text of a field's first repetition, e.g. MSH-10 or PID-3.1. */
export function firstText(data: Hl7SegmentData | undefined, field: number, component = 1): string | undefined {
  const value = data?.[String(field)]?.[0]?.[String(component)];
  if (value === undefined) return undefined;
  return typeof value === 'string' ? value : value['1'];
}
