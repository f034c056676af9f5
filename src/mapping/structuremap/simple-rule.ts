import type { ExecutionContext } from './context.ts';
import { createInstance } from './instances.ts';
import { failAt } from './location.ts';
import type { RuleSite } from './location.ts';
import { setProperty } from './target.ts';
import { cloneJson, isJsonObject, isPrimitiveJson } from './values.ts';
import type { JsonObject, Value } from './values.ts';
import { Variables } from './variables.ts';

/** HAPI's anonymous group name for the simple form's implied dependent. */
const DEFAULT_GROUP_NAME = 'DefaultMappingGroupAnonymousAlias';

/**
 * The simple form `src.a -> tgt.a` (HAPI `checkisSimple`): one source element, one target element,
 * an implied `create` and no rules of its own. Also recognised without variables and transform.
 */
export function isSimpleRule(rule: fhir4.StructureMapGroupRule): boolean {
  const [src, ...moreSources] = rule.source;
  const [tgt, ...moreTargets] = rule.target ?? [];
  if (!src || moreSources.length > 0 || !tgt || moreTargets.length > 0) return false;
  if (!src.element || !tgt.context || !tgt.element || (tgt.parameter?.length ?? 0) > 0 || (rule.rule?.length ?? 0) > 0) return false;
  const dependents = rule.dependent ?? [];
  if (dependents.length > 1 || (dependents.length === 1 && dependents[0]?.name !== DEFAULT_GROUP_NAME)) return false;
  const implied = tgt.transform === 'create' && !!src.variable && !!tgt.variable;
  const bare = tgt.transform === undefined && !src.variable && !tgt.variable;
  return implied || bare;
}

/**
 * Runs the simple form for one source value: a primitive is copied (Matchbox behaviour);
 * a complex value gets a new target instance, filled by the type-mode group for the two types,
 * or copied field by field when the types are the same and no group is declared.
 */
export function executeSimpleRule(ctx: ExecutionContext, site: RuleSite, rule: fhir4.StructureMapGroupRule, vars: Variables, source: Value, runGroup: (map: fhir4.StructureMap, group: fhir4.StructureMapGroup, vars: Variables) => void): void {
  const tgt = rule.target?.[0] as fhir4.StructureMapGroupRuleTarget;
  const dest = vars.getOutput(tgt.context ?? '');
  if (!dest) failAt(site, 'FHIRMIG_ERR_MAP_INVALID', `Unknown target variable "${tgt.context ?? ''}" (${vars.summary()}).`);
  const element = tgt.element as string;
  const untypedTarget = dest.t === undefined || !ctx.types.getType(dest.t);
  if (untypedTarget || isPrimitiveJson(source.v) || (source.t !== undefined && ctx.types.isPrimitive(source.t))) {
    const stored = setProperty(ctx, site, dest, element, source, tgt.listMode);
    if (tgt.variable) vars.setOutput(tgt.variable, stored);
    return;
  }
  const created = createInstance(ctx, site, targetTypeFor(ctx, site, dest, element, source));
  const stored = setProperty(ctx, site, dest, element, created, tgt.listMode);
  if (tgt.variable) vars.setOutput(tgt.variable, stored);
  const group = source.t === undefined || stored.t === undefined ? undefined : ctx.groups.byTypes(site.map, source.t, stored.t, site);
  if (group) {
    const [srcInput, tgtInput] = group.group.input;
    const groupVars = new Variables();
    groupVars.setInput(srcInput?.name ?? 'src', source);
    groupVars.setOutput(tgtInput?.name ?? 'tgt', stored);
    runGroup(group.map, group.group, groupVars);
    return;
  }
  if (source.t !== undefined && stored.t !== undefined && source.t !== stored.t) {
    failAt(site, 'FHIRMIG_ERR_MAP_GROUP_NOT_FOUND', `No type-mode group maps ${source.t} to ${stored.t}.`);
  }
  copyFields(stored.v as JsonObject, source.v);
}

function targetTypeFor(ctx: ExecutionContext, site: RuleSite, dest: Value, element: string, source: Value): string {
  const resolved = dest.t === undefined ? undefined : ctx.types.getElement(dest.t, element);
  const types = resolved ? (resolved.fixedType ? [resolved.fixedType] : resolved.element.types) : [];
  const single = types.length === 1 ? types[0] : undefined;
  if (single !== undefined && single !== '*' && single !== 'Resource') return single;
  const fromGroup = source.t === undefined ? undefined : ctx.groups.defaultTargetType(site.map, source.t, site);
  if (fromGroup) return fromGroup;
  if (source.t !== undefined && (types.length === 0 || types.includes(source.t) || types.includes('Resource'))) return source.t;
  failAt(site, 'FHIRMIG_ERR_MAP_TYPE_UNKNOWN', `Cannot infer the type to create for "${element}" from a source of type ${source.t ?? 'unknown'}.`);
}

function copyFields(target: JsonObject, source: unknown): void {
  if (!isJsonObject(source)) return;
  for (const key of Object.keys(source)) {
    if (key === 'resourceType' && target.resourceType !== undefined) continue;
    target[key] = cloneJson(source[key]);
  }
}
