import { convertXmlToCcda } from '@medplum/ccda';
import { XMLValidator } from 'fast-xml-parser';
import type { SourceRef } from '../../core/index.ts';
import type { SourceItem } from '../source.ts';
import { documentKind } from './document-types.ts';

/** An attribute-bearing node of the parsed C-CDA (`@_root`, `@_extension`, `@_code` …). */
type Node = Record<string, unknown>;

export interface DocumentContext {
  readonly source: string;
  readonly file: string;
}

/**
 * Reads one C-CDA document into a SourceRecord whose data is the full parsed document
 * (@medplum/ccda's convertXmlToCcda: elements by name, attributes as `@_name`, text as `#text`),
 * or a rejection located by file, line and column when the XML is not well-formed.
 */
export function parseCcdaDocument(xml: string, context: DocumentContext): SourceItem {
  const validation = XMLValidator.validate(xml);
  if (validation !== true) {
    const { line, col, msg } = validation.err;
    const locator = `${context.file}:${line}:${col}`;
    return reject(context, locator, `${locator}: malformed XML: ${withoutContent(msg)}`);
  }
  if (!/<(?:\w+:)?ClinicalDocument[\s>]/.test(xml)) {
    return reject(context, `${context.file}:1:1`, `${context.file}: the root element is not a CDA ClinicalDocument`);
  }
  const data = convertXmlToCcda(xml) as unknown as Node;
  const id = documentId(data);
  const kind = documentKind({ code: attribute(data.code, 'code'), templateIds: asList(data.templateId).map((t) => attribute(t, 'root') ?? '') });
  const ref: SourceRef = { source: context.source, kind, locator: `${context.file}#${id ?? 'document'}` };
  // Document ids repeat across archives (copies, templates): the file makes the key unique in the source.
  const key = ref.locator;
  const patientKey = patientKeyOf(data);
  return patientKey === undefined ? { ref, key, data } : { ref, key, patientKey, data };
}

/** The document kind from the header (templateId, code) without converting the body. */
export function documentKindOf(xml: string): string {
  const start = xml.search(/<(?:\w+:)?ClinicalDocument[\s>]/);
  const end = xml.search(/<(?:\w+:)?(?:recordTarget|component)[\s>]/);
  if (start === -1) return 'ClinicalDocument';
  const header = xml.slice(start, end === -1 ? undefined : end);
  const templateIds = [...header.matchAll(/<(?:\w+:)?templateId\b[^>]*\broot="([^"]+)"/g)].map((m) => m[1] as string);
  const code = /<(?:\w+:)?code\b[^>]*\bcode="([^"]+)"/.exec(header)?.[1];
  return documentKind({ code, templateIds });
}

/** `root^extension` of ClinicalDocument/id (root alone when there is no extension). */
function documentId(document: Node): string | undefined {
  return identifierText(asList(document.id)[0]);
}

/** The first patientRole/id without a nullFlavor: its extension (the root when there is none). */
function patientKeyOf(document: Node): string | undefined {
  const role = (asList(document.recordTarget)[0] as Node | undefined)?.patientRole as Node | undefined;
  const id = asList(role?.id).find((i) => attribute(i, 'nullFlavor') === undefined);
  return attribute(id, 'extension') ?? attribute(id, 'root');
}

function identifierText(id: unknown): string | undefined {
  const root = attribute(id, 'root');
  const extension = attribute(id, 'extension');
  if (root === undefined) return extension;
  return extension === undefined ? root : `${root}^${extension}`;
}

function attribute(node: unknown, name: string): string | undefined {
  if (typeof node !== 'object' || node === null) return undefined;
  const value = (node as Node)[`@_${name}`];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function asList(value: unknown): unknown[] {
  if (value === undefined || value === null) return [];
  return Array.isArray(value) ? value : [value];
}

/** fast-xml-parser quotes tag names, not content; keep the message short all the same. */
function withoutContent(message: string): string {
  return message.length > 200 ? `${message.slice(0, 200)}…` : message;
}

function reject(context: DocumentContext, locator: string, message: string): SourceItem {
  return { ref: { source: context.source, kind: 'ClinicalDocument', locator }, code: 'FHIRMIG_ERR_SOURCE_PARSE', message };
}
