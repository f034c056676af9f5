import { failAt } from '../location.ts';
import { getParam } from '../parameters.ts';
import { isJsonObject, ownedValue } from '../values.ts';
import type { JsonObject, Value } from '../values.ts';
import type { TransformCall } from './types.ts';

function resourceParam(call: TransformCall): JsonObject {
  const p = call.params[0];
  if (call.params.length !== 1 || p === undefined) failAt(call.site, 'FHIRMIG_ERR_MAP_TRANSFORM_FAILED', `${call.name}() takes 1 parameter, got ${call.params.length}.`);
  const value = getParam(call.site, call.vars, p);
  if (!isJsonObject(value.v) || typeof value.v.resourceType !== 'string') {
    failAt(call.site, 'FHIRMIG_ERR_MAP_TRANSFORM_FAILED', `${call.name}() needs a resource, got ${value.t ?? 'a value without type'}.`);
  }
  return value.v;
}

/** The resource's id, assigning a new UUID when it has none (HAPI does the same). */
function ensureId(call: TransformCall, resource: JsonObject): string {
  if (typeof resource.id !== 'string' || resource.id === '') resource.id = call.ctx.uuid();
  return resource.id as string;
}

/** reference(resource) → "Type/id" (set on a Reference element it becomes `{ reference }`). */
export function reference(call: TransformCall): Value {
  const resource = resourceParam(call);
  return ownedValue(`${String(resource.resourceType)}/${ensureId(call, resource)}`, 'string');
}

/** pointer(resource) → "urn:uuid:id", the fullUrl form used inside transaction bundles. */
export function pointer(call: TransformCall): Value {
  const resource = resourceParam(call);
  return ownedValue(`urn:uuid:${ensureId(call, resource)}`, 'uri');
}

export function uuid(call: TransformCall): Value {
  if (call.params.length !== 0) failAt(call.site, 'FHIRMIG_ERR_MAP_TRANSFORM_FAILED', `uuid() takes no parameters, got ${call.params.length}.`);
  return ownedValue(call.ctx.uuid(), 'id');
}
