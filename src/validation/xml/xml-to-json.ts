import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { MigrateError } from '../../core/index.ts';
import { matchChild } from '../children.ts';
import type { ConformanceContext } from '../context.ts';
import { childrenOf, elementTree, isArrayElement, primitiveExtensionChildren } from '../element-tree.ts';
import type { ElementNode } from '../element-tree.ts';
import { isPrimitiveType } from '../primitives.ts';

type XmlElement = Record<string, unknown>;

const FHIR_NS = 'http://hl7.org/fhir';
const ATTR = '@_';
const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: ATTR,
  parseAttributeValue: false,
  parseTagValue: false,
  isArray: (_name, _jpath, _isLeaf, isAttribute) => !isAttribute,
  stopNodes: ['*.div'],
  processEntities: true,
  htmlEntities: true, // also decodes numeric character references (&#233;, &#10;)
});

const NUMBER_TYPES = new Set(['integer', 'unsignedInt', 'positiveInt', 'decimal', 'integer64']);

/**
 * Converts FHIR XML to the FHIR JSON of the same resource (FHIR R4 §2.6.2 XML, §2.6.3 JSON):
 * types from the R4 definitions give numbers and booleans, arrays where max > 1, `_name` for a
 * primitive's id and extensions, and the XHTML `div` as a string.
 */
export function xmlToResource(context: ConformanceContext, xml: string, file = 'input'): Record<string, unknown> {
  const valid = XMLValidator.validate(xml);
  if (valid !== true) {
    throw new MigrateError('FHIRMIG_ERR_VALIDATION_XML', `Not well-formed XML: ${valid.err.msg}`, { location: { file, line: valid.err.line, column: valid.err.col } });
  }
  const document = parser.parse(xml) as XmlElement;
  const rootName = Object.keys(document).find((k) => !k.startsWith('?') && !k.startsWith('#'));
  const root = rootName ? first(document[rootName]) : undefined;
  if (!rootName || !root) throw new MigrateError('FHIRMIG_ERR_VALIDATION_XML', 'The XML document has no root element.', { location: { file } });
  if (root[`${ATTR}xmlns`] !== FHIR_NS) {
    throw new MigrateError('FHIRMIG_ERR_VALIDATION_XML', `The root element <${rootName}> is not in the FHIR namespace ${FHIR_NS}.`, { location: { file } });
  }
  return convertResource(context, rootName, root);
}

function convertResource(context: ConformanceContext, resourceType: string, element: XmlElement): Record<string, unknown> {
  const sd = context.typeDefinition(resourceType);
  const children = sd?.kind === 'resource' ? elementTree(sd).root.children : [];
  return { resourceType, ...convertChildren(context, children, element) };
}

function convertChildren(context: ConformanceContext, children: ElementNode[], element: XmlElement): Record<string, unknown> {
  const json: Record<string, unknown> = {};
  for (const [name, raw] of Object.entries(element)) {
    if (name === `${ATTR}id`) json['id'] = raw;
    else if (name === `${ATTR}url`) json['url'] = raw;
    if (name.startsWith(ATTR) || name.startsWith('#')) continue;
    const items = (raw as unknown[]).filter((x): x is XmlElement => typeof x === 'object' && x !== null);
    const match = matchChild(children, name, context);
    if (!match || 'problem' in match) {
      json[name] = items.map((i) => i[`${ATTR}value`] ?? i);
      continue;
    }
    const isArray = isArrayElement(match.node.def);
    if (isPrimitiveType(match.typeCode)) addPrimitive(context, json, name, match.typeCode, items, isArray);
    else {
      const values = items.map((item) => convertValue(context, match.node, match.typeCode, item));
      json[name] = isArray ? values : values[0];
    }
  }
  return json;
}

function addPrimitive(context: ConformanceContext, json: Record<string, unknown>, name: string, typeCode: string, items: XmlElement[], isArray: boolean): void {
  if (typeCode === 'xhtml') {
    json[name] = items.map(serializeXhtml)[0];
    return;
  }
  const values = items.map((item) => primitiveValue(typeCode, item[`${ATTR}value`]));
  const extensionChildren = primitiveExtensionChildren(context, typeCode);
  const exts = items.map((item) => {
    const ext = convertChildren(context, extensionChildren, withoutValue(item));
    return Object.keys(ext).length ? ext : null;
  });
  if (values.some((v) => v !== null)) json[name] = isArray ? values : values[0];
  if (exts.some((e) => e !== null)) json[`_${name}`] = isArray ? exts : exts[0];
}

function convertValue(context: ConformanceContext, node: ElementNode, typeCode: string, item: XmlElement): unknown {
  if (typeCode === 'Resource' || context.typeDefinition(typeCode)?.kind === 'resource') {
    const inner = Object.keys(item).find((k) => !k.startsWith(ATTR) && !k.startsWith('#'));
    const innerElement = inner ? first(item[inner]) : undefined;
    return inner && innerElement ? convertResource(context, inner, innerElement) : {};
  }
  return convertChildren(context, childrenOf(node, typeCode, context), item);
}

function primitiveValue(typeCode: string, raw: unknown): unknown {
  if (typeof raw !== 'string') return null;
  if (typeCode === 'boolean') return raw === 'true' ? true : raw === 'false' ? false : raw;
  if (NUMBER_TYPES.has(typeCode)) {
    const n = Number(raw);
    return raw.trim() !== '' && Number.isFinite(n) ? n : raw;
  }
  return raw;
}

function withoutValue(item: XmlElement): XmlElement {
  const copy: XmlElement = { ...item };
  delete copy[`${ATTR}value`];
  return copy;
}

function serializeXhtml(item: XmlElement): string {
  const attributes = Object.entries(item)
    .filter(([k]) => k.startsWith(ATTR))
    .map(([k, v]) => ` ${k.slice(ATTR.length)}="${escapeAttribute(String(v))}"`)
    .join('');
  const body = typeof item['#text'] === 'string' ? item['#text'] : '';
  return `<div${attributes}>${body}</div>`;
}

function escapeAttribute(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');
}

function first(value: unknown): XmlElement | undefined {
  const item = Array.isArray(value) ? value[0] : value;
  return typeof item === 'object' && item !== null ? (item as XmlElement) : undefined;
}
