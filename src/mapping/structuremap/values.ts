/**
 * A value flowing through a map: the JSON data plus the type the engine knows it to have
 * (`undefined` for untyped legacy data). `owned` marks objects the engine created itself, which
 * may be attached to the output without cloning; source objects are cloned when copied.
 */
export interface Value {
  readonly v: unknown;
  readonly t: string | undefined;
  readonly owned?: boolean;
}

export type JsonObject = Record<string, unknown>;

export function isJsonObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function isPrimitiveJson(v: unknown): v is string | number | boolean {
  const kind = typeof v;
  return kind === 'string' || kind === 'number' || kind === 'boolean';
}

/** The FHIR type a bare JSON value most plausibly has. */
export function inferType(v: unknown): string | undefined {
  switch (typeof v) {
    case 'string':
      return 'string';
    case 'boolean':
      return 'boolean';
    case 'number':
      return Number.isInteger(v) ? 'integer' : 'decimal';
    case 'object': {
      if (isJsonObject(v) && typeof v.resourceType === 'string') return v.resourceType;
      return undefined;
    }
    default:
      return undefined;
  }
}

export function valueOf(v: unknown, t?: string): Value {
  return { v, t: t ?? inferType(v) };
}

export function ownedValue(v: unknown, t: string | undefined): Value {
  return { v, t, owned: true };
}

/** The string form of a primitive value, or undefined for complex values. */
export function primitiveString(value: Value | undefined): string | undefined {
  if (!value) return undefined;
  const { v } = value;
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return undefined;
}

/** Deep copy of JSON data (source values copied into the output must not alias the source). */
export function cloneJson<T>(v: T): T {
  if (typeof v !== 'object' || v === null) return v;
  if (Array.isArray(v)) return v.map(cloneJson) as T;
  const out: JsonObject = {};
  for (const key of Object.keys(v)) out[key] = cloneJson((v as JsonObject)[key]);
  return out as T;
}

export function upperFirst(s: string): string {
  return s.length === 0 ? s : s.charAt(0).toUpperCase() + s.slice(1);
}
