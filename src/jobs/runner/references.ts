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

/** Returns a copy of the resource with its logical references resolved where the index knows them. */
export function resolveLogicalReferences<T>(value: T, index: ReadonlyMap<string, string>): T {
  if (Array.isArray(value)) return value.map((item: unknown) => resolveLogicalReferences(item, index)) as T;
  if (value === null || typeof value !== 'object') return value;
  const object = value as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const [key, member] of Object.entries(object)) out[key] = resolveLogicalReferences(member, index);
  const identifier = object['identifier'];
  if (object['reference'] === undefined && object['resourceType'] === undefined && identifier && typeof identifier === 'object' && !Array.isArray(identifier)) {
    const key = identifierKey(identifier as fhir4.Identifier);
    const target = key === undefined ? undefined : index.get(key);
    if (target) out['reference'] = target;
  }
  return out as T;
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
  for (const member of Object.values(object)) referencedKeys(member, index, out);
  return out;
}
