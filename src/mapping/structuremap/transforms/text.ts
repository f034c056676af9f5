import { failAt } from '../location.ts';
import { getParamString, requireParamString } from '../parameters.ts';
import { ownedValue } from '../values.ts';
import type { Value } from '../values.ts';
import type { TransformCall } from './types.ts';

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
const HTML_UNESCAPES: Record<string, string> = { '&amp;': '&', '&lt;': '<', '&gt;': '>', '&quot;': '"', '&#39;': "'", '&apos;': "'" };

function escapeAs(call: TransformCall, text: string, format: string): string {
  switch (format.toLowerCase()) {
    case 'html':
    case 'xml':
      return text.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c] ?? c);
    case 'json':
      return JSON.stringify(text).slice(1, -1);
    case 'csv':
      return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
    case 'url':
    case 'uri':
      return encodeURIComponent(text);
    case 'none':
    case 'text':
    case 'string':
      return text;
    default:
      failAt(call.site, 'FHIRMIG_ERR_MAP_TRANSFORM_FAILED', `escape(): unknown format "${format}" (html, xml, json, csv, url, text).`);
  }
}

function unescapeFrom(call: TransformCall, text: string, format: string): string {
  switch (format.toLowerCase()) {
    case 'html':
    case 'xml':
      return text.replace(/&(amp|lt|gt|quot|#39|apos);/g, (m) => HTML_UNESCAPES[m] ?? m);
    case 'json':
      try {
        return JSON.parse(`"${text}"`) as string;
      } catch {
        failAt(call.site, 'FHIRMIG_ERR_MAP_TRANSFORM_FAILED', 'escape(): the value is not a JSON-escaped string.');
      }
    case 'csv':
      return /^".*"$/s.test(text) ? text.slice(1, -1).replace(/""/g, '"') : text;
    case 'url':
    case 'uri':
      return decodeURIComponent(text);
    case 'none':
    case 'text':
    case 'string':
      return text;
    default:
      failAt(call.site, 'FHIRMIG_ERR_MAP_TRANSFORM_FAILED', `escape(): unknown format "${format}" (html, xml, json, csv, url, text).`);
  }
}

/**
 * escape(value, format) escapes plain text for a format; escape(value, from, to) re-escapes text
 * that is escaped for `from` so that it is escaped for `to`.
 */
export function escape(call: TransformCall): Value {
  const { site, vars, params } = call;
  if (params.length < 2 || params.length > 3) failAt(site, 'FHIRMIG_ERR_MAP_TRANSFORM_FAILED', `escape() takes 2 or 3 parameters, got ${params.length}.`);
  const text = getParamString(site, vars, params[0]);
  if (text === undefined) failAt(site, 'FHIRMIG_ERR_MAP_TRANSFORM_FAILED', 'escape() needs a primitive value.');
  const first = requireParamString(site, vars, params, 1, 'escape');
  if (params.length === 2) return ownedValue(escapeAs(call, text, first), 'string');
  const second = requireParamString(site, vars, params, 2, 'escape');
  return ownedValue(escapeAs(call, unescapeFrom(call, text, first), second), 'string');
}
