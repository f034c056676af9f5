/**
 * Resolves logical references (Reference.identifier only, as the maps write them) to `Type/id`
 * of the resource carrying that identifier. References to resources that are not known (not
 * migrated, or rejected) stay logical.
 */
export type IdentifierIndex = Map<string, string>;

export function identifierKey(identifier: fhir4.Identifier): string | undefined {
  return identifier.system && identifier.value ? `${identifier.system}|${identifier.value}` : undefined;
}

/** Adds every identifier of the resource to the index. */
export function indexIdentifiers(index: IdentifierIndex, resource: fhir4.Resource): void {
  const identifiers = (resource as { identifier?: fhir4.Identifier[] }).identifier ?? [];
  for (const identifier of identifiers) {
    const key = identifierKey(identifier);
    if (key && !index.has(key)) index.set(key, `${resource.resourceType}/${resource.id ?? ''}`);
  }
}

/** The identifier of a logical reference (Reference.identifier, no `reference` yet; not a resource's own). */
function logicalIdentifier(object: Record<string, unknown>): fhir4.Identifier | undefined {
  const identifier = object['identifier'];
  if (object['reference'] !== undefined || object['resourceType'] !== undefined) return undefined;
  return identifier && typeof identifier === 'object' && !Array.isArray(identifier) ? (identifier as fhir4.Identifier) : undefined;
}

/**
 * The resource with its logical references resolved where the index knows them. Copy on write:
 * only the objects and arrays on the way to a resolved reference are copied, the rest is shared
 * with the input (a deep copy of every resource was a measurable share of the runner's garbage).
 */
export function resolveLogicalReferences<T>(value: T, index: ReadonlyMap<string, string>): T {
  if (Array.isArray(value)) {
    let out: unknown[] | undefined;
    for (let i = 0; i < value.length; i++) {
      const item: unknown = value[i];
      const resolved = resolveLogicalReferences(item, index);
      if (resolved !== item) (out ??= value.slice())[i] = resolved;
    }
    return (out ?? value) as T;
  }
  if (value === null || typeof value !== 'object') return value;
  const object = value as Record<string, unknown>;
  let out: Record<string, unknown> | undefined;
  // for…in: parsed JSON has only own enumerable keys, and no key array is allocated per object.
  for (const key in object) {
    const member = object[key];
    const resolved = resolveLogicalReferences(member, index);
    if (resolved !== member) (out ??= { ...object })[key] = resolved;
  }
  const identifier = logicalIdentifier(object);
  if (identifier) {
    const key = identifierKey(identifier);
    const target = key === undefined ? undefined : index.get(key);
    if (target) (out ??= { ...object })['reference'] = target;
  }
  return (out ?? object) as T;
}

/**
 * `Type/id` of every resource the value refers to: literal references as written, logical ones
 * (Reference.identifier) where the index knows the identifier.
 */
export function referencedKeys(value: unknown, index: ReadonlyMap<string, string>, out: Set<string> = new Set()): Set<string> {
  if (Array.isArray(value)) {
    for (const item of value) referencedKeys(item, index, out);
    return out;
  }
  if (value === null || typeof value !== 'object') return out;
  const object = value as Record<string, unknown>;
  const reference = object['reference'];
  const identifier = object['identifier'];
  if (typeof reference === 'string') out.add(reference);
  else if (object['resourceType'] === undefined && identifier && typeof identifier === 'object' && !Array.isArray(identifier)) {
    const key = identifierKey(identifier as fhir4.Identifier);
    const target = key === undefined ? undefined : index.get(key);
    if (target) out.add(target);
  }
  for (const key in object) referencedKeys(object[key], index, out);
  return out;
}

/**
 * The identifier keys (`system|value`) of the logical references (Reference.identifier, no
 * `reference` yet) in the value: the only identifiers resolveLogicalReferences looks up.
 */
export function logicalReferenceKeys(value: unknown, out: Set<string> = new Set()): Set<string> {
  if (Array.isArray(value)) {
    for (const item of value) logicalReferenceKeys(item, out);
    return out;
  }
  if (value === null || typeof value !== 'object') return out;
  const object = value as Record<string, unknown>;
  const identifier = logicalIdentifier(object);
  const key = identifier && identifierKey(identifier);
  if (key !== undefined) out.add(key);
  for (const member in object) logicalReferenceKeys(object[member], out);
  return out;
}
