/**
 * Reference handling inside bundle entries: every `reference` string of a resource, found by
 * walking its JSON (Reference is the only FHIR datatype with a `reference` string element).
 */

const URN_UUID = 'urn:uuid:';
const RELATIVE_REFERENCE = /^([A-Z][A-Za-z]+)\/([A-Za-z0-9\-.]{1,64})(?:\/_history\/[^/]+)?$/;

/** `Type/id` for a relative reference (version suffix dropped), `urn:uuid:…` as is, else undefined. */
export function referenceKey(reference: string): string | undefined {
  if (reference.startsWith(URN_UUID)) return reference;
  const match = RELATIVE_REFERENCE.exec(reference);
  return match ? `${match[1]}/${match[2]}` : undefined;
}

/** Every `reference` string in a resource, in document order. */
export function collectReferences(value: unknown, into: string[] = []): string[] {
  if (Array.isArray(value)) {
    for (const item of value) collectReferences(item, into);
  } else if (value !== null && typeof value === 'object') {
    for (const [key, child] of Object.entries(value)) {
      if (key === 'reference' && typeof child === 'string') into.push(child);
      else if (typeof child === 'object') collectReferences(child, into);
    }
  }
  return into;
}

/**
 * `value` with each `reference` string passed through `rewrite` (which returns the new string, or
 * undefined to keep it). Copy-on-write: objects and arrays on the path to a changed reference are
 * new, everything else (and the whole value when nothing changes) is shared with the input, so
 * callers must not mutate the result in place.
 */
export function rewriteReferences<T>(value: T, rewrite: (reference: string) => string | undefined): T {
  return rewriteValue(value, rewrite) as T;
}

function rewriteValue(value: unknown, rewrite: (reference: string) => string | undefined): unknown {
  if (Array.isArray(value)) {
    let out: unknown[] | undefined;
    for (let i = 0; i < value.length; i++) {
      const item: unknown = value[i];
      const next = typeof item === 'object' && item !== null ? rewriteValue(item, rewrite) : item;
      if (next !== item) (out ??= value.slice())[i] = next;
    }
    return out ?? value;
  }
  if (value === null || typeof value !== 'object') return value;
  let out: Record<string, unknown> | undefined;
  const record = value as Record<string, unknown>;
  for (const key in record) {
    const child = record[key];
    let next = child;
    if (key === 'reference' && typeof child === 'string') next = rewrite(child) ?? child;
    else if (typeof child === 'object' && child !== null) next = rewriteValue(child, rewrite);
    if (next !== child) (out ??= { ...record })[key] = next;
  }
  return out ?? value;
}

export function urnUuid(id: string): string {
  return `${URN_UUID}${id}`;
}
