import type { ExecutionContext } from './context.ts';
import { chooseChoiceType, coerceValue } from './coerce.ts';
import { createInstance } from './instances.ts';
import { failAt } from './location.ts';
import type { RuleSite } from './location.ts';
import { runTransform } from './transforms/index.ts';
import { choiceJsonName } from './type-model.ts';
import { isJsonObject, ownedValue } from './values.ts';
import type { JsonObject, Value } from './values.ts';
import type { Variables } from './variables.ts';

type ListModes = fhir4.StructureMapGroupRuleTarget['listMode'];

function destObject(site: RuleSite, dest: Value, element: string): JsonObject {
  if (!isJsonObject(dest.v)) failAt(site, 'FHIRMIG_ERR_MAP_TRANSFORM_FAILED', `Cannot set "${element}" on a primitive value.`);
  return dest.v;
}

function put(obj: JsonObject, key: string, stored: unknown, isArray: boolean, listModes: ListModes): void {
  const existing = obj[key];
  if (!isArray) {
    obj[key] = stored;
    return;
  }
  const list = Array.isArray(existing) ? existing : existing === undefined ? [] : [existing];
  if (listModes?.includes('first')) list.unshift(stored);
  else list.push(stored);
  obj[key] = list;
}

interface Slot {
  readonly key: string;
  readonly type: string | undefined;
  readonly isArray: boolean;
}

/** Where a value for `element` goes on `dest`, and which type it takes there. */
function slotFor(ctx: ExecutionContext, site: RuleSite, dest: Value, element: string, value: Value | undefined): Slot {
  const obj = dest.v as JsonObject;
  const resolved = dest.t === undefined ? undefined : ctx.types.getElement(dest.t, element);
  if (!resolved) {
    if (dest.t !== undefined && ctx.types.getType(dest.t)) failAt(site, 'FHIRMIG_ERR_MAP_TYPE_UNKNOWN', `Type ${dest.t} has no element "${element}".`);
    return { key: element, type: undefined, isArray: Array.isArray(obj[element]) || obj[element] !== undefined };
  }
  const info = resolved.element;
  if (resolved.fixedType) return { key: resolved.jsonName ?? element, type: resolved.fixedType, isArray: info.isArray };
  if (info.isChoice) {
    if (!value) failAt(site, 'FHIRMIG_ERR_MAP_TYPE_UNKNOWN', `"${element}" is a choice of ${info.types.join(', ')}: create the value with a type.`);
    const type = chooseChoiceType(site, info, value);
    return { key: choiceJsonName(element, type), type, isArray: info.isArray };
  }
  const type = info.types.length === 1 ? info.types[0] : value?.t !== undefined && info.types.includes(value.t) ? value.t : info.types[0];
  return { key: element, type, isArray: info.isArray };
}

/** HAPI setProperty: arrays append (or prepend for list mode `first`), single values are set. */
export function setProperty(ctx: ExecutionContext, site: RuleSite, dest: Value, element: string, value: Value, listModes?: ListModes): Value {
  const obj = destObject(site, dest, element);
  const slot = slotFor(ctx, site, dest, element, value);
  const stored = coerceValue(site, ctx.types, value, slot.type);
  ctx.countOutput(site);
  put(obj, slot.key, stored, slot.isArray, listModes);
  const storedType = slot.type === 'Resource' || slot.type === undefined ? value.t : slot.type;
  return ownedValue(stored, storedType);
}

/** HAPI makeProperty: a new empty instance of the element's type, attached to `dest`. */
export function makeProperty(ctx: ExecutionContext, site: RuleSite, dest: Value, element: string, listModes?: ListModes): Value {
  const obj = destObject(site, dest, element);
  const slot = slotFor(ctx, site, dest, element, undefined);
  const current = obj[slot.key];
  // HAPI's generated makeProperty returns the existing value of a single-valued element (getX() auto-creates only when absent).
  if (!slot.isArray && isJsonObject(current)) return ownedValue(current, slot.type);
  if (listModes?.includes('collate')) {
    const existing = obj[slot.key];
    const last = Array.isArray(existing) ? existing[existing.length - 1] : existing;
    if (isJsonObject(last)) return ownedValue(last, slot.type);
  }
  const created = slot.type === undefined ? ownedValue({}, undefined) : createInstance(ctx, site, slot.type);
  put(obj, slot.key, created.v, slot.isArray, listModes);
  return created;
}

/** HAPI processTarget: run the transform (or create the element) and bind the target variable. */
export function processTarget(
  ctx: ExecutionContext,
  site: RuleSite,
  vars: Variables,
  tgt: fhir4.StructureMapGroupRuleTarget,
  srcVar: string | undefined,
  sharedVars: Variables,
): void {
  ctx.step(site);
  let dest: Value | undefined;
  if (tgt.context) {
    dest = vars.getOutput(tgt.context) ?? vars.getInput(tgt.context);
    if (!dest) failAt(site, 'FHIRMIG_ERR_MAP_INVALID', `Unknown target variable "${tgt.context}" (${vars.summary()}).`);
  }
  let v: Value | undefined;
  if (tgt.transform) {
    v = runTransform(ctx, site, tgt, vars, dest, srcVar);
    if (v !== undefined && dest) {
      if (!tgt.element) failAt(site, 'FHIRMIG_ERR_MAP_INVALID', `Target "${tgt.context}" has a transform but no element to set.`);
      v = setProperty(ctx, site, dest, tgt.element, v, tgt.listMode);
    }
  } else if (dest) {
    if (tgt.listMode?.includes('share') && tgt.listRuleId) {
      v = sharedVars.shared.get(tgt.listRuleId);
      if (!v) {
        v = tgt.element ? makeProperty(ctx, site, dest, tgt.element, tgt.listMode) : dest;
        sharedVars.shared.set(tgt.listRuleId, v);
      }
    } else {
      v = tgt.element ? makeProperty(ctx, site, dest, tgt.element, tgt.listMode) : dest;
    }
  }
  if (tgt.variable && v) vars.setOutput(tgt.variable, v);
}
