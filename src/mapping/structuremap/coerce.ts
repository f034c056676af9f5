import { failAt } from './location.ts';
import type { RuleSite } from './location.ts';
import type { ElementInfo, TypeModel } from './type-model.ts';
import { cloneJson, inferType, isJsonObject, isPrimitiveJson } from './values.ts';
import type { Value } from './values.ts';

const INTEGER_TYPES = new Set(['integer', 'positiveInt', 'unsignedInt', 'integer64']);
const STRING_LIKE = ['string', 'code', 'id', 'markdown', 'uri', 'url', 'canonical', 'oid', 'uuid', 'dateTime', 'date', 'time', 'instant', 'base64Binary'];

/** Picks the type a choice element takes for a value: its own type if allowed, else a compatible one. */
export function chooseChoiceType(site: RuleSite, element: ElementInfo, value: Value): string {
  const allowed = element.types;
  const t = value.t ?? inferType(value.v);
  if (t !== undefined && allowed.includes(t)) return t;
  if (t === 'integer' && allowed.includes('decimal')) return 'decimal';
  if (typeof value.v === 'string') {
    const stringType = allowed.find((a) => STRING_LIKE.includes(a) && (t === undefined || STRING_LIKE.includes(t)));
    if (allowed.includes('string')) return 'string';
    if (stringType) return stringType;
  }
  failAt(site, 'FHIRMIG_ERR_MAP_TYPE_UNKNOWN', `A value of type ${t ?? 'unknown'} cannot be put into ${element.name} (allowed: ${allowed.join(', ')}).`);
}

function toInteger(site: RuleSite, v: unknown, type: string): number {
  const n = typeof v === 'string' && /^[+-]?\d+$/.test(v.trim()) ? Number(v.trim()) : v;
  if (typeof n !== 'number' || !Number.isInteger(n)) failAt(site, 'FHIRMIG_ERR_MAP_TRANSFORM_FAILED', `${JSON.stringify(v)} is not a valid ${type}.`);
  return n;
}

function toDecimal(site: RuleSite, v: unknown): number {
  const n = typeof v === 'string' && /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/.test(v.trim()) ? Number(v.trim()) : v;
  if (typeof n !== 'number' || !Number.isFinite(n)) failAt(site, 'FHIRMIG_ERR_MAP_TRANSFORM_FAILED', `${JSON.stringify(v)} is not a valid decimal.`);
  return n;
}

function toBoolean(site: RuleSite, v: unknown): boolean {
  if (typeof v === 'boolean') return v;
  if (v === 'true' || v === 'false') return v === 'true';
  failAt(site, 'FHIRMIG_ERR_MAP_TRANSFORM_FAILED', `${JSON.stringify(v)} is not a valid boolean.`);
}

/** A primitive value in the JSON type its FHIR type needs (integer/decimal/boolean vs string). */
export function coercePrimitive(site: RuleSite, v: unknown, type: string): string | number | boolean {
  if (INTEGER_TYPES.has(type)) return toInteger(site, v, type);
  if (type === 'decimal') return toDecimal(site, v);
  if (type === 'boolean') return toBoolean(site, v);
  if (isPrimitiveJson(v)) return String(v);
  // A Coding (e.g. translate()'s default output) put into a code element contributes its code.
  if (type === 'code' && isJsonObject(v) && typeof v.code === 'string') return v.code;
  failAt(site, 'FHIRMIG_ERR_MAP_TRANSFORM_FAILED', `A complex value cannot be stored in an element of type ${type}.`);
}

/** Converts a value to what an element of `type` holds: JSON primitives, wrapped references/codes, clones of source data. */
export function coerceValue(site: RuleSite, types: TypeModel, value: Value, type: string | undefined): unknown {
  const { v } = value;
  if (type === undefined) return value.owned ? v : cloneJson(v);
  if (types.isPrimitive(type)) return coercePrimitive(site, v, type);
  if (isPrimitiveJson(v)) {
    switch (type) {
      case 'Reference':
        return { reference: String(v) };
      case 'Coding':
        return { code: String(v) };
      case 'CodeableConcept':
        return { coding: [{ code: String(v) }] };
      default:
        failAt(site, 'FHIRMIG_ERR_MAP_TRANSFORM_FAILED', `The primitive ${JSON.stringify(v)} cannot be stored in an element of type ${type}.`);
    }
  }
  if (type === 'CodeableConcept' && value.t === 'Coding' && isJsonObject(v)) return { coding: [value.owned ? v : cloneJson(v)] };
  // HAPI castToCoding: a CodeableConcept (e.g. cc()) put into a Coding element contributes its first coding.
  if (type === 'Coding' && value.t === 'CodeableConcept' && isJsonObject(v) && Array.isArray(v.coding) && v.coding.length > 0) return cloneJson(v.coding[0]);
  return value.owned ? v : cloneJson(v);
}
