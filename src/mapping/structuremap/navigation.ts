import { failAt } from './location.ts';
import type { RuleSite } from './location.ts';
import type { TypeModel } from './type-model.ts';
import { inferType, isJsonObject, isPrimitiveJson, upperFirst } from './values.ts';
import type { Value } from './values.ts';

const ABSTRACT_TYPES = new Set(['Resource', 'DomainResource', 'Element', 'BackboneElement', '*']);

function typed(v: unknown, declared: string | undefined): Value {
  if (isJsonObject(v) && typeof v.resourceType === 'string') return { v, t: v.resourceType };
  if (declared !== undefined && !ABSTRACT_TYPES.has(declared)) return { v, t: declared };
  return { v, t: inferType(v) };
}

/** The values of one JSON property in an array of their own (sized to fit: the common case is one value). */
function valuesOf(raw: unknown, declared: string | undefined): Value[] {
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw)) return [typed(raw, declared)];
  const out = new Array<Value>(raw.length);
  let n = 0;
  for (const item of raw) if (item !== null && item !== undefined) out[n++] = typed(item, declared);
  out.length = n;
  return out;
}

function pushAll(out: Value[], raw: unknown, declared: string | undefined): void {
  if (raw === undefined || raw === null) return;
  if (Array.isArray(raw)) {
    for (const item of raw) if (item !== null && item !== undefined) out.push(typed(item, declared));
  } else {
    out.push(typed(raw, declared));
  }
}

/**
 * The values of `element` on a source value (HAPI `listChildrenByName`): plain names, choice base
 * names (`value` finds `valueQuantity`), typed choice names. Untyped data is read by key.
 */
export function childrenOf(types: TypeModel, site: RuleSite, node: Value, element: string): Value[] {
  const obj = node.v;
  if (!isJsonObject(obj)) return element === 'value' && isPrimitiveJson(obj) ? [node] : [];
  const resolved = node.t === undefined ? undefined : types.getElement(node.t, element);
  if (!resolved) {
    if (node.t !== undefined && !(element in obj) && types.getType(node.t)) {
      failAt(site, 'FHIRMIG_ERR_MAP_TYPE_UNKNOWN', `Type ${node.t} has no element "${element}".`);
    }
    return valuesOf(obj[element], undefined);
  }
  const { element: info } = resolved;
  if (info.isChoice && resolved.jsonName === undefined) {
    const out: Value[] = [];
    for (const t of info.types) pushAll(out, obj[element + upperFirst(t)], t);
    return out;
  }
  const declared = resolved.fixedType ?? (info.types.length === 1 ? info.types[0] : undefined);
  return valuesOf(obj[resolved.jsonName ?? element], declared);
}
