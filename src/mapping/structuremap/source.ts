import type { ExecutionContext } from './context.ts';
import { FhirPathError } from './fhirpath-eval.ts';
import { failAt } from './location.ts';
import type { RuleSite } from './location.ts';
import { childrenOf } from './navigation.ts';
import { literalValue } from './parameters.ts';
import type { TypeModel } from './type-model.ts';
import type { Value } from './values.ts';
import type { Variables } from './variables.ts';

function sourceVariable(site: RuleSite, vars: Variables, src: fhir4.StructureMapGroupRuleSource): Value {
  const base = vars.getInput(src.context) ?? vars.getOutput(src.context);
  if (!base) failAt(site, 'FHIRMIG_ERR_MAP_INVALID', `Unknown source variable "${src.context}" (${vars.summary()}).`);
  return base;
}

/** The default value declared on a source (`defaultValueString`, `defaultValueCoding`, …). */
function defaultValue(types: TypeModel, src: fhir4.StructureMapGroupRuleSource): Value | undefined {
  for (const key of Object.keys(src)) {
    if (!key.startsWith('defaultValue')) continue;
    const suffix = key.slice('defaultValue'.length) || 'String';
    const primitive = suffix.charAt(0).toLowerCase() + suffix.slice(1);
    return literalValue((src as unknown as Record<string, unknown>)[key], types.isPrimitive(primitive) ? primitive : suffix);
  }
  return undefined;
}

/** The variables a condition, check or log message of the source sees for `item` (a copy only when it binds a variable). */
function withVariable(vars: Variables, src: fhir4.StructureMapGroupRuleSource, item: Value): Variables {
  return src.variable ? bind(vars, src, item) : vars;
}

function evaluateCondition(ctx: ExecutionContext, site: RuleSite, expression: string, item: Value, vars: Variables): boolean {
  try {
    return ctx.fhirpath.evaluateBoolean(expression, item, vars);
  } catch (error) {
    if (error instanceof FhirPathError) failAt(site, 'FHIRMIG_ERR_MAP_FHIRPATH', error.message, error);
    throw error;
  }
}

function applyListMode<T>(site: RuleSite, items: T[], mode: fhir4.StructureMapGroupRuleSource['listMode']): T[] {
  if (mode === undefined || items.length === 0) return items;
  switch (mode) {
    case 'first':
      return items.slice(0, 1);
    case 'not_first':
      return items.slice(1);
    case 'last':
      return items.slice(-1);
    case 'not_last':
      return items.slice(0, -1);
    case 'only_one':
      if (items.length > 1) failAt(site, 'FHIRMIG_ERR_MAP_CARDINALITY', `List mode only_one: the source has ${items.length} values.`);
      return items;
    default:
      failAt(site, 'FHIRMIG_ERR_MAP_INVALID', `Unknown source list mode "${String(mode)}".`);
  }
}

function checkCardinality(site: RuleSite, src: fhir4.StructureMapGroupRuleSource, count: number): void {
  if (src.min !== undefined && count < src.min) {
    failAt(site, 'FHIRMIG_ERR_MAP_CARDINALITY', `Source ${src.context}.${src.element ?? ''} has ${count} values; at least ${src.min} required.`);
  }
  if (src.max !== undefined && src.max !== '*' && count > Number(src.max)) {
    failAt(site, 'FHIRMIG_ERR_MAP_CARDINALITY', `Source ${src.context}.${src.element ?? ''} has ${count} values; at most ${src.max} allowed.`);
  }
}

/**
 * HAPI processSource: the source values of one rule source, each bound in its own copy of the
 * variables. A source with a variable and a condition keeps the copy its condition was evaluated
 * in (one copy per value, not two).
 */
export function processSource(ctx: ExecutionContext, site: RuleSite, vars: Variables, src: fhir4.StructureMapGroupRuleSource): Variables[] {
  if (src.context === '@search') failAt(site, 'FHIRMIG_ERR_MAP_INVALID', 'Sources with @search are not supported.');
  const base = sourceVariable(site, vars, src);
  let items: Value[] = src.element ? childrenOf(ctx.types, site, base, src.element) : [base];
  if (items.length === 0 && src.element) {
    const fallback = defaultValue(ctx.types, src);
    if (fallback) items = [fallback];
  }
  if (src.type) items = items.filter((item) => item.t === src.type || (item.t !== undefined && ctx.groups.resolveTypeName(site.map, src.type ?? '') === item.t));
  let scopes: Variables[] | undefined;
  if (src.condition) [items, scopes] = whereCondition(ctx, site, vars, src, src.condition, items);
  if (src.check) {
    items.forEach((item, i) => {
      if (!evaluateCondition(ctx, site, src.check as string, item, scopes?.[i] ?? withVariable(vars, src, item))) {
        const where = `${src.context}${src.element ? `.${src.element}` : ''}`;
        failAt(site, 'FHIRMIG_ERR_MAP_CHECK_FAILED', `Check "${src.check}" failed for source ${where}.`);
      }
    });
  }
  if (src.logMessage) logItems(ctx, site, src, items, vars);
  items = applyListMode(site, items, src.listMode);
  checkCardinality(site, src, items.length);
  if (scopes) return applyListMode(site, scopes, src.listMode);
  return items.map((item) => bind(vars, src, item));
}

/** A copy of the variables with the source's variable (if it names one) bound to `item`. */
function bind(vars: Variables, src: fhir4.StructureMapGroupRuleSource, item: Value): Variables {
  const v = vars.copy();
  if (src.variable) v.setInput(src.variable, item);
  return v;
}

/** The values the condition holds for and, when the source names a variable, the copies it was evaluated in. */
function whereCondition(ctx: ExecutionContext, site: RuleSite, vars: Variables, src: fhir4.StructureMapGroupRuleSource, expression: string, items: Value[]): [Value[], Variables[] | undefined] {
  // Sized to the candidates (usually one): a pushed-to empty array reserves 16 slots.
  const kept = new Array<Value>(items.length);
  let n = 0;
  if (!src.variable) {
    for (const item of items) if (evaluateCondition(ctx, site, expression, item, vars)) kept[n++] = item;
    kept.length = n;
    return [kept, undefined];
  }
  const scopes = new Array<Variables>(items.length);
  for (const item of items) {
    const scope = bind(vars, src, item);
    if (evaluateCondition(ctx, site, expression, item, scope)) (kept[n] = item, scopes[n++] = scope);
  }
  kept.length = n;
  scopes.length = n;
  return [kept, scopes];
}

function logItems(ctx: ExecutionContext, site: RuleSite, src: fhir4.StructureMapGroupRuleSource, items: Value[], vars: Variables): void {
  const expression = src.logMessage ?? '';
  const parts: string[] = [];
  for (const item of items) {
    try {
      const text = ctx.fhirpath.evaluateString(expression, item, withVariable(vars, src, item));
      if (text !== '') parts.push(text);
    } catch (error) {
      if (error instanceof FhirPathError) failAt(site, 'FHIRMIG_ERR_MAP_FHIRPATH', error.message, error);
      throw error;
    }
  }
  if (parts.length > 0) ctx.options.onLog?.(parts.join(','), site.rule ?? '');
}
