import { failAt } from '../location.ts';
import { getParamString, requireParamString } from '../parameters.ts';
import { ownedValue } from '../values.ts';
import type { Value } from '../values.ts';
import type { TransformCall } from './types.ts';

const UCUM = 'http://unitsofmeasure.org';
const IDENTIFIER_TYPE_SYSTEM = 'http://terminology.hl7.org/CodeSystem/v2-0203';

function paramCount(call: TransformCall, allowed: readonly number[]): number {
  const n = call.params.length;
  if (!allowed.includes(n)) failAt(call.site, 'FHIRMIG_ERR_MAP_TRANSFORM_FAILED', `${call.name}() takes ${allowed.join(' or ')} parameters, got ${n}.`);
  return n;
}

function str(call: TransformCall, index: number): string {
  return requireParamString(call.site, call.vars, call.params, index, call.name);
}

function optionalStr(call: TransformCall, index: number): string | undefined {
  return getParamString(call.site, call.vars, call.params[index]);
}

function coding(call: TransformCall): Record<string, string> {
  const result: Record<string, string> = { system: str(call, 0), code: str(call, 1) };
  const display = call.params.length > 2 ? optionalStr(call, 2) : undefined;
  if (display !== undefined) result.display = display;
  return result;
}

/** c(system, code[, display]) → Coding. */
export function c(call: TransformCall): Value {
  paramCount(call, [2, 3]);
  return ownedValue(coding(call), 'Coding');
}

/** cc(text) → CodeableConcept with text; cc(system, code[, display]) → CodeableConcept with one coding. */
export function cc(call: TransformCall): Value {
  const n = paramCount(call, [1, 2, 3]);
  if (n === 1) return ownedValue({ text: str(call, 0) }, 'CodeableConcept');
  return ownedValue({ coding: [coding(call)] }, 'CodeableConcept');
}

function parseDecimal(call: TransformCall, text: string): number {
  const trimmed = text.trim();
  if (!/^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/.test(trimmed)) failAt(call.site, 'FHIRMIG_ERR_MAP_TRANSFORM_FAILED', `qty(): "${text}" is not a number.`);
  return Number(trimmed);
}

/** qty(text) parses "90 kg" / "90 'kg'" (UCUM); qty(value, unit[, system, code]) builds the Quantity. */
export function qty(call: TransformCall): Value {
  const n = paramCount(call, [1, 2, 3, 4]);
  if (n === 1) {
    const text = str(call, 0).trim();
    const match = /^([+-]?(?:\d+(?:\.\d*)?|\.\d+))\s*(?:'([^']*)'|(\S.*))?$/.exec(text);
    if (!match?.[1]) failAt(call.site, 'FHIRMIG_ERR_MAP_TRANSFORM_FAILED', `qty(): "${text}" is not "<number> <unit>".`);
    const unit = match[2] ?? match[3];
    const result: Record<string, unknown> = { value: Number(match[1]) };
    if (unit !== undefined) Object.assign(result, { unit, system: UCUM, code: unit });
    return ownedValue(result, 'Quantity');
  }
  const result: Record<string, unknown> = { value: parseDecimal(call, str(call, 0)), unit: str(call, 1) };
  if (n >= 3) result.system = str(call, 2);
  if (n === 4) result.code = str(call, 3);
  return ownedValue(result, 'Quantity');
}

/** id(system, value[, type]) → Identifier; the type is a v2-0203 code. */
export function id(call: TransformCall): Value {
  const n = paramCount(call, [2, 3]);
  const result: Record<string, unknown> = { system: str(call, 0), value: str(call, 1) };
  if (n === 3) result.type = { coding: [{ system: IDENTIFIER_TYPE_SYSTEM, code: str(call, 2) }] };
  return ownedValue(result, 'Identifier');
}

const CONTACT_SYSTEMS = new Set(['phone', 'fax', 'email', 'pager', 'url', 'sms', 'other']);

/** cp(value) or cp(system, value) → ContactPoint; without a system, an '@' means email, else phone. */
export function cp(call: TransformCall): Value {
  const n = paramCount(call, [1, 2]);
  const value = str(call, n - 1);
  const system = n === 2 ? str(call, 0) : value.includes('@') ? 'email' : 'phone';
  if (!CONTACT_SYSTEMS.has(system)) failAt(call.site, 'FHIRMIG_ERR_MAP_TRANSFORM_FAILED', `cp(): "${system}" is not a ContactPoint system.`);
  return ownedValue({ system, value }, 'ContactPoint');
}
