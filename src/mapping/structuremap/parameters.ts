import { failAt } from './location.ts';
import type { RuleSite } from './location.ts';
import { primitiveString } from './values.ts';
import type { Value } from './values.ts';
import type { Variables } from './variables.ts';

type Parameter = fhir4.StructureMapGroupRuleTargetParameter;

export function literalValue(v: unknown, t: string): Value {
  return { v, t };
}

/** R4 dependents list variable names; R5-style ones carry parameters. */
export function dependentArguments(dependent: fhir4.StructureMapGroupRuleDependent): Parameter[] {
  const withParameters = dependent as fhir4.StructureMapGroupRuleDependent & { parameter?: Parameter[] };
  if (withParameters.parameter) return withParameters.parameter;
  return (dependent.variable ?? []).map((name) => ({ valueId: name }));
}

/** A literal parameter as a value, or undefined for a variable reference (`valueId`). */
export function parameterLiteral(p: Parameter): Value | undefined {
  if (p.valueString !== undefined) return literalValue(p.valueString, 'string');
  if (p.valueInteger !== undefined) return literalValue(p.valueInteger, 'integer');
  if (p.valueDecimal !== undefined) return literalValue(p.valueDecimal, 'decimal');
  if (p.valueBoolean !== undefined) return literalValue(p.valueBoolean, 'boolean');
  return undefined;
}

/** HAPI getParam: a variable (inputs first, then outputs) or the literal itself. */
export function getParam(site: RuleSite, vars: Variables, p: Parameter): Value {
  if (p.valueId === undefined) {
    const literal = parameterLiteral(p);
    if (!literal) failAt(site, 'FHIRMIG_ERR_MAP_INVALID', 'A transform parameter has no value.');
    return literal;
  }
  const value = vars.get(p.valueId);
  if (!value) failAt(site, 'FHIRMIG_ERR_MAP_INVALID', `Variable "${p.valueId}" is not defined (${vars.summary()}).`);
  return value;
}

/** The string form of a parameter; undefined when it is not a primitive. */
export function getParamString(site: RuleSite, vars: Variables, p: Parameter | undefined): string | undefined {
  return p === undefined ? undefined : primitiveString(getParam(site, vars, p));
}

/** A parameter that must exist and be a primitive (HAPI getParamStringNoNull). */
export function requireParamString(site: RuleSite, vars: Variables, params: readonly Parameter[], index: number, transform: string): string {
  const p = params[index];
  if (p === undefined) failAt(site, 'FHIRMIG_ERR_MAP_TRANSFORM_FAILED', `${transform}() needs a parameter ${index + 1}.`);
  const value = getParam(site, vars, p);
  const s = primitiveString(value);
  if (s === undefined) {
    failAt(site, 'FHIRMIG_ERR_MAP_TRANSFORM_FAILED', `${transform}() parameter ${index + 1} has type ${value.t ?? 'object'} and cannot be used as a string.`);
  }
  return s;
}
