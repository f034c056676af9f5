import { MigrateError } from '../core/index.ts';

/**
 * Canonical JSON for hashing: object keys sorted (by UTF-16 code unit, as RFC 8785), no
 * whitespace, `undefined` members dropped. Non-finite numbers have no JSON form and are refused.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value === 'boolean' || typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new MigrateError('FHIRMIG_ERR_CORE_INTERNAL', `Cannot hash the non-finite number ${value}: audit payloads hold JSON only.`);
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) return `[${value.map((item) => (item === undefined ? 'null' : canonicalJson(item))).join(',')}]`;
  if (typeof value === 'object') {
    const toJson = (value as { toJSON?: () => unknown }).toJSON;
    if (typeof toJson === 'function') return canonicalJson(toJson.call(value));
    return canonicalObject(value as Record<string, unknown>);
  }
  throw new MigrateError('FHIRMIG_ERR_CORE_INTERNAL', `Cannot hash a value of type ${typeof value}: audit payloads hold JSON only.`);
}

/**
 * Built as one string (no per-member arrays): every ledger row hashes its source record's members.
 * A flat object (a table row: members null, strings, booleans, finite numbers) is written by
 * JSON.stringify with the sorted keys as its replacer list — the same text, natively.
 */
function canonicalObject(value: Record<string, unknown>): string {
  const flat = sortedFlatKeys(value);
  if (flat) return JSON.stringify(value, flat);
  let json = '{';
  for (const key of Object.keys(value).sort()) {
    const member = value[key];
    if (member === undefined) continue;
    json += `${json.length === 1 ? '' : ','}${JSON.stringify(key)}:${canonicalJson(member)}`;
  }
  return `${json}}`;
}

/** The keys, sorted, of an object whose members JSON.stringify writes as canonicalJson does; undefined otherwise. */
function sortedFlatKeys(value: Record<string, unknown>): string[] | undefined {
  const keys = Object.keys(value);
  for (const key of keys) {
    const member = value[key];
    const type = typeof member;
    if (type === 'string' || type === 'boolean' || type === 'undefined' || member === null) continue;
    if (type !== 'number' || !Number.isFinite(member)) return undefined;
  }
  return keys.sort();
}
