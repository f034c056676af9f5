import type { TypeModel } from './type-model.ts';
import { isJsonObject } from './values.ts';
import type { JsonObject } from './values.ts';

/**
 * Reorders an instance's keys into definition order (as HAPI's `Element.sort()` does):
 * resourceType first, then elements in StructureDefinition order, `_x` beside `x`, unknown keys last.
 * Returns a new object; for presentation (CLI output), not needed for correctness.
 */
export function sortByDefinition(value: unknown, typeName: string | undefined, types: TypeModel): unknown {
  if (Array.isArray(value)) return value.map((item) => sortByDefinition(item, typeName, types));
  if (!isJsonObject(value)) return value;
  const ownType = typeof value.resourceType === 'string' && types.getType(value.resourceType) ? value.resourceType : typeName;
  const ranked = Object.keys(value).map((key, index) => {
    const name = key.startsWith('_') ? key.slice(1) : key;
    const resolved = ownType === undefined ? undefined : types.getElement(ownType, name);
    const order = key === 'resourceType' ? -1 : (resolved?.element.order ?? Number.MAX_SAFE_INTEGER);
    const childType = resolved ? (resolved.fixedType ?? (resolved.element.types.length === 1 ? resolved.element.types[0] : undefined)) : undefined;
    return { key, order, index, childType: key.startsWith('_') ? 'Element' : childType };
  });
  ranked.sort((a, b) => a.order - b.order || a.index - b.index);
  const out: JsonObject = {};
  for (const { key, childType } of ranked) out[key] = sortByDefinition(value[key], childType, types);
  return out;
}

/**
 * Removes empty objects and arrays (FHIR JSON has none: ele-1), as HAPI's serialisers do with
 * elements a map created but never filled. In place; returns whether the value is now empty.
 */
export function pruneEmpty(value: unknown): boolean {
  if (Array.isArray(value)) {
    for (let i = value.length - 1; i >= 0; i--) if (pruneEmpty(value[i])) value.splice(i, 1);
    return value.length === 0;
  }
  if (!isJsonObject(value)) return value === undefined || value === null;
  let kept = 0;
  for (const key of Object.keys(value)) {
    if (pruneEmpty(value[key])) delete value[key];
    else if (key !== 'resourceType') kept++;
  }
  return kept === 0 && value.resourceType === undefined;
}
