import { FhirPathError } from '../fhirpath-eval.ts';
import { createInstance } from '../instances.ts';
import { failAt } from '../location.ts';
import { getParam, getParamString, requireParamString } from '../parameters.ts';
import { ownedValue, primitiveString } from '../values.ts';
import type { Value } from '../values.ts';
import type { TransformCall } from './types.ts';

function expectParams(call: TransformCall, min: number, max: number): void {
  const n = call.params.length;
  if (n < min || n > max) {
    const range = min === max ? `${min}` : max === Infinity ? `at least ${min}` : `${min} to ${max}`;
    failAt(call.site, 'FHIRMIG_ERR_MAP_TRANSFORM_FAILED', `${call.name}() takes ${range} parameter(s), got ${n}.`);
  }
}

/** The element types of the target slot, from the type model. */
export function targetElementTypes(call: TransformCall): readonly string[] {
  const { dest, element, ctx } = call;
  if (!dest || dest.t === undefined || !element) return [];
  const resolved = ctx.types.getElement(dest.t, element);
  if (!resolved) return [];
  return resolved.fixedType ? [resolved.fixedType] : resolved.element.types;
}

export function create(call: TransformCall): Value {
  expectParams(call, 0, 1);
  const { ctx, site } = call;
  if (call.params.length === 1) {
    const stated = requireParamString(site, call.vars, call.params, 0, 'create');
    return createInstance(ctx, site, ctx.groups.resolveTypeName(site.map, stated));
  }
  const types = targetElementTypes(call);
  const single = types.length === 1 ? types[0] : undefined;
  if (single !== undefined && single !== '*' && single !== 'Resource') return createInstance(ctx, site, single);
  const source = call.srcVar === undefined ? undefined : call.vars.getInput(call.srcVar);
  if (source?.t === undefined) failAt(site, 'FHIRMIG_ERR_MAP_TYPE_UNKNOWN', `create() cannot infer a type for "${call.element ?? ''}": give the type.`);
  const inferred = ctx.groups.defaultTargetType(site.map, source.t, site) ?? source.t;
  return createInstance(ctx, site, inferred);
}

export function copy(call: TransformCall): Value {
  expectParams(call, 1, 1);
  return getParam(call.site, call.vars, call.params[0] as fhir4.StructureMapGroupRuleTargetParameter);
}

export function evaluate(call: TransformCall): Value | undefined {
  expectParams(call, 1, 2);
  const { ctx, site, vars, params } = call;
  const expression = requireParamString(site, vars, params, params.length - 1, 'evaluate');
  const focus = params.length === 2 ? getParam(site, vars, params[0] as fhir4.StructureMapGroupRuleTargetParameter) : undefined;
  let result: Value[];
  try {
    result = ctx.fhirpath.evaluateTyped(expression, focus, vars);
  } catch (error) {
    if (error instanceof FhirPathError) failAt(site, 'FHIRMIG_ERR_MAP_FHIRPATH', error.message, error);
    throw error;
  }
  if (result.length === 0) return undefined;
  if (result.length > 1) failAt(site, 'FHIRMIG_ERR_MAP_TRANSFORM_FAILED', `evaluate(${expression}) returned ${result.length} values; one was expected.`);
  return result[0];
}

export function truncate(call: TransformCall): Value | undefined {
  expectParams(call, 2, 2);
  const text = getParamString(call.site, call.vars, call.params[0]);
  const length = requireParamString(call.site, call.vars, call.params, 1, 'truncate');
  if (text === undefined) failAt(call.site, 'FHIRMIG_ERR_MAP_TRANSFORM_FAILED', 'truncate() needs a primitive value to truncate.');
  if (!/^\d+$/.test(length)) failAt(call.site, 'FHIRMIG_ERR_MAP_TRANSFORM_FAILED', `truncate() length "${length}" is not a non-negative integer.`);
  return ownedValue(text.slice(0, Number(length)), 'string');
}

export function append(call: TransformCall): Value {
  expectParams(call, 1, Infinity);
  let text = '';
  for (const p of call.params) {
    const value = getParam(call.site, call.vars, p);
    const s = primitiveString(value);
    if (s === undefined) failAt(call.site, 'FHIRMIG_ERR_MAP_TRANSFORM_FAILED', `append() parameter of type ${value.t ?? 'object'} is not a primitive.`);
    text += s;
  }
  return ownedValue(text, 'string');
}

const CAST_TYPES = new Set(['boolean', 'integer', 'integer64', 'string', 'decimal', 'uri', 'base64Binary', 'instant', 'date', 'dateTime', 'time', 'code', 'oid', 'id', 'markdown', 'unsignedInt', 'positiveInt', 'uuid', 'url', 'canonical']);

function inferCastType(call: TransformCall, text: string): string {
  const primitive = targetElementTypes(call).find((t) => CAST_TYPES.has(t));
  if (primitive) return primitive;
  if (/^[+-]?\d+$/.test(text)) return 'integer';
  if (/^[+-]?\d*\.\d+$/.test(text)) return 'decimal';
  if (text === 'true' || text === 'false') return 'boolean';
  return 'string';
}

/** cast(value, type): converts between primitive types; the JSON form follows the type. */
export function cast(call: TransformCall): Value {
  expectParams(call, 1, 2);
  const { site } = call;
  const text = getParamString(site, call.vars, call.params[0]);
  if (text === undefined) failAt(site, 'FHIRMIG_ERR_MAP_TRANSFORM_FAILED', 'cast() needs a primitive value.');
  const type = call.params.length === 2 ? requireParamString(site, call.vars, call.params, 1, 'cast') : inferCastType(call, text);
  if (!CAST_TYPES.has(type)) failAt(site, 'FHIRMIG_ERR_MAP_TRANSFORM_FAILED', `cast() to ${type} is not supported.`);
  return ownedValue(castPrimitive(call, text, type), type);
}

function castPrimitive(call: TransformCall, text: string, type: string): string | number | boolean {
  const trimmed = text.trim();
  switch (type) {
    case 'boolean':
      if (trimmed !== 'true' && trimmed !== 'false') failAt(call.site, 'FHIRMIG_ERR_MAP_TRANSFORM_FAILED', `cast(): "${text}" is not a boolean.`);
      return trimmed === 'true';
    case 'integer':
    case 'integer64':
    case 'unsignedInt':
    case 'positiveInt':
      if (!/^[+-]?\d+$/.test(trimmed)) failAt(call.site, 'FHIRMIG_ERR_MAP_TRANSFORM_FAILED', `cast(): "${text}" is not an integer.`);
      return Number(trimmed);
    case 'decimal':
      if (!/^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/.test(trimmed)) failAt(call.site, 'FHIRMIG_ERR_MAP_TRANSFORM_FAILED', `cast(): "${text}" is not a decimal.`);
      return Number(trimmed);
    default:
      return text;
  }
}
