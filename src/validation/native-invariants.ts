/**
 * The commonest R4 / US Core 6.1.0 invariants answered directly on the JSON value, with FHIRPath's
 * semantics, instead of through fhirpath.js (each evaluation there costs 10–30 µs; these ran on
 * nearly every Observation, Period and Quantity of a migration). Keyed by the constraint's exact
 * expression text, so a profile that reuses a key with another expression is still evaluated by
 * FHIRPath. A native answer is `true` / `false`, or `undefined` when the value has a shape it does
 * not decide (primitive extensions `_x`, mixed date precisions or zones …): then FHIRPath decides.
 */

import { pathNative } from './native-paths.ts';

type Json = Record<string, unknown>;
/** `rootResource`: the %rootResource of the evaluation (the container of a contained resource). */
type Native = (value: Json, path: string, rootResource: unknown) => boolean | undefined;

const present = (v: unknown): boolean => v !== undefined && v !== null && !(Array.isArray(v) && v.length === 0);

/** A choice element `name[x]` in JSON: `nameQuantity`, `nameString` … true / false; undefined when a `_name…` is there. */
function choicePresent(value: Json, name: string): boolean | undefined {
  let found = false;
  for (const key in value) {
    if (key.startsWith(name) && isTypeSuffix(key, name.length)) found ||= present(value[key]);
    else if (key.startsWith(`_${name}`) && isTypeSuffix(key, name.length + 1)) return undefined;
  }
  return found;
}

function isTypeSuffix(key: string, at: number): boolean {
  const c = key.charCodeAt(at);
  return c >= 65 && c <= 90;
}

/** A primitive child that carries no extension (`_name`): its value; the marker object when it does. */
const EXTENDED = Symbol('extended');
function primitive(value: Json, name: string): unknown {
  return value[`_${name}`] !== undefined ? EXTENDED : value[name];
}

const asList = (v: unknown): Json[] => (Array.isArray(v) ? v : v === undefined || v === null ? [] : [v]).filter((x): x is Json => typeof x === 'object' && x !== null);

/** `coding.where(system = S and <code test>).exists()` over one or more CodeableConcepts; undefined on `_system` / `_code`. */
function hasCoding(concepts: unknown, system: string, code: (c: unknown) => boolean): boolean | undefined {
  let found = false;
  for (const concept of asList(concepts)) {
    for (const coding of asList(concept['coding'])) {
      if (coding['_system'] !== undefined || coding['_code'] !== undefined) return undefined;
      if (coding['system'] === system && code(coding['code'])) found = true;
    }
  }
  return found;
}

/** `!a || b` where either side may be undecided. */
function implies(a: boolean | undefined, b: boolean | undefined): boolean | undefined {
  if (a === false || b === true) return true;
  if (a === undefined || b === undefined) return undefined;
  return false;
}

function or(...terms: (boolean | undefined)[]): boolean | undefined {
  if (terms.includes(true)) return true;
  return terms.includes(undefined) ? undefined : false;
}

const onPath = (expected: string, native: Native): Native => (value, path, rootResource) => (path === expected ? native(value, path, rootResource) : undefined);

/** A full dateTime to the second (optional fraction) with its zone: same-shaped ones compare as text. */
const FULL_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

function periodInOrder(value: Json): boolean | undefined {
  const start = primitive(value, 'start');
  const end = primitive(value, 'end');
  if (start === undefined || end === undefined) return true;
  if (typeof start !== 'string' || typeof end !== 'string' || start.length !== end.length) return undefined;
  const a = FULL_DATE_TIME.exec(start);
  const b = FULL_DATE_TIME.exec(end);
  if (!a || !b || a[1] !== undefined || b[1] !== undefined || a[2] !== b[2]) return undefined;
  return start <= end;
}

/** A Period / Timing is no dateTime: `is DateTime` is false and `as dateTime` empty, so both effective[x] checks hold. */
const notADateTime: Native = () => true;

const observationHasValue = (o: Json): boolean | undefined => or(present(o['dataAbsentReason']), choicePresent(o, 'value'));

const UCUM = 'http://unitsofmeasure.org';

/**
 * us-core-3 / us-core-4 also sit on Observation.value[x], where `value` is the child of the
 * value itself (Quantity.value, a decimal; a CodeableConcept has none): ofType() is empty, so they hold.
 */
const holdsOnValueChoice = (v: Json, path: string): boolean | undefined => (path === 'Observation.value[x]' && (typeof v['value'] !== 'object' || v['value'] === null) ? true : undefined);

const CONDITION_VER = 'http://terminology.hl7.org/CodeSystem/condition-ver-status';
const CONDITION_CLINICAL = 'http://terminology.hl7.org/CodeSystem/condition-clinical';
const V2_0203 = 'http://terminology.hl7.org/CodeSystem/v2-0203';
const ORDER_INTENTS = new Set(['order', 'original-order', 'reflex-order', 'filler-order', 'instance-order']);

const REPORT_DONE = new Set(['partial', 'preliminary', 'final', 'amended', 'corrected', 'appended']);
const REPORT_DONE_TEST = "(status='partial' or status='preliminary' or status='final' or status='amended' or status='corrected' or status='appended' )";

/** us-core-8 / us-core-9: a DiagnosticReport past registration has effective[x] / issued. */
const reportStatusImplies = (present: (v: Json) => boolean | undefined): Native => onPath('DiagnosticReport', (v) => {
  const status = primitive(v, 'status');
  return status === EXTENDED ? undefined : implies(typeof status === 'string' && REPORT_DONE.has(status), present(v));
});

/**
 * ref-1 when the local reference resolves: `#id` names a contained resource of %rootResource, so
 * `in` holds. An unresolved one is left to FHIRPath (its outcome there is the one reported).
 */
function localReferenceResolves(value: Json, _path: string, rootResource: unknown): boolean | undefined {
  const reference = primitive(value, 'reference');
  if (typeof reference !== 'string' || !reference.startsWith('#')) return undefined;
  const contained = typeof rootResource === 'object' && rootResource !== null ? (rootResource as Json)['contained'] : undefined;
  const id = reference.slice(1);
  return asList(contained).some((c) => c['id'] === id) ? true : undefined;
}

const NATIVES = new Map<string, Native>([
  ["reference.startsWith('#').not() or (reference.substring(1).trace('url') in %rootResource.contained.id.trace('ids'))", localReferenceResolves],
  [`${REPORT_DONE_TEST} implies effective.exists()`, reportStatusImplies((v) => choicePresent(v, 'effective'))],
  [`${REPORT_DONE_TEST} implies issued.exists()`, reportStatusImplies((v) => {
    const issued = primitive(v, 'issued');
    return issued === EXTENDED ? undefined : present(issued);
  })],
  ['text.`div`.exists()', (v) => {
    const text = v['text'];
    if (text === undefined) return false;
    return typeof text === 'object' && text !== null && !Array.isArray(text) ? present((text as Json)['div']) : undefined;
  }],
  ['start.hasValue().not() or end.hasValue().not() or (start <= end)', periodInOrder],
  ['code.empty() or system.exists()', (v) => {
    const code = primitive(v, 'code');
    const system = primitive(v, 'system');
    return code === EXTENDED || system === EXTENDED ? undefined : !present(code) || present(system);
  }],
  ['dataAbsentReason.empty() or value.empty()', onPath('Observation', (v) => {
    const hasValue = choicePresent(v, 'value');
    return hasValue === undefined ? undefined : !present(v['dataAbsentReason']) || !hasValue;
  })],
  ['(component.empty() and hasMember.empty()) implies (dataAbsentReason.exists() or value.exists())', onPath('Observation', (v) => implies(!present(v['component']) && !present(v['hasMember']), observationHasValue(v)))],
  ["value.ofType(Quantity).system.empty() or value.ofType(Quantity).system = 'http://unitsofmeasure.org'", (v, path) => {
    if (path !== 'Observation') return holdsOnValueChoice(v, path);
    const quantity = v['valueQuantity'];
    if (typeof quantity !== 'object' || quantity === null) return quantity === undefined ? true : undefined;
    const system = primitive(quantity as Json, 'system');
    return system === EXTENDED ? undefined : system === undefined || system === UCUM;
  }],
  ["value.ofType(CodeableConcept).coding.system.empty() or value.ofType(CodeableConcept).coding.system = 'http://snomed.info/sct'", holdsOnValueChoice],
  ['$this is DateTime implies $this.toString().length() >= 10', notADateTime],
  ['($this as dateTime).toString().length() >= 8', notADateTime],
  ['value.empty() or component.code.where(coding.intersect(%resource.code.coding).exists()).empty()', onPath('Observation', (v) => {
    // Only the trivial cases (no value, no component); the intersect is left to FHIRPath.
    const hasValue = choicePresent(v, 'value');
    return hasValue === false || !present(v['component']) ? true : undefined;
  })],
  ["(status='completed' or status='in-progress') implies performed.exists()", onPath('Procedure', (v) => {
    const status = primitive(v, 'status');
    return status === EXTENDED ? undefined : implies(status === 'completed' || status === 'in-progress', choicePresent(v, 'performed'));
  })],
  ["(intent='order' or intent='original-order' or intent='reflex-order'or intent='filler-order' or intent='instance-order') implies requester.exists()", onPath('MedicationRequest', (v) => {
    const intent = primitive(v, 'intent');
    return intent === EXTENDED ? undefined : implies(typeof intent === 'string' && ORDER_INTENTS.has(intent), present(v['requester']));
  })],
  [`clinicalStatus.exists() or verificationStatus.coding.where(system='${CONDITION_VER}' and code = 'entered-in-error').exists() or category.select($this='problem-list-item').empty()`, onPath('Condition', (v) => {
    // The third term (a CodeableConcept compared with a string) is left to FHIRPath when it decides.
    const first = or(present(v['clinicalStatus']), hasCoding(v['verificationStatus'], CONDITION_VER, (c) => c === 'entered-in-error'));
    return first === true || !present(v['category']) ? true : undefined;
  })],
  [`abatement.empty() or clinicalStatus.coding.where(system='${CONDITION_CLINICAL}' and (code='resolved' or code='remission' or code='inactive')).exists()`, onPath('Condition', (v) => {
    const abated = choicePresent(v, 'abatement');
    return or(abated === undefined ? undefined : !abated, hasCoding(v['clinicalStatus'], CONDITION_CLINICAL, (c) => c === 'resolved' || c === 'remission' || c === 'inactive'));
  })],
  [`verificationStatus.coding.where(system='${CONDITION_VER}' and code='entered-in-error').empty() or clinicalStatus.empty()`, onPath('Condition', (v) => {
    const erroneous = hasCoding(v['verificationStatus'], CONDITION_VER, (c) => c === 'entered-in-error');
    return or(erroneous === undefined ? undefined : !erroneous, !present(v['clinicalStatus']));
  })],
  [`identifier.type.coding.where(system='${V2_0203}' and code='MB').exists() or subscriberId.exists()`, onPath('Coverage', (v) => {
    const subscriber = primitive(v, 'subscriberId');
    const member = hasCoding(asList(v['identifier']).map((i) => i['type']), V2_0203, (c) => c === 'MB');
    return or(member, subscriber === EXTENDED ? undefined : present(subscriber));
  })],
]);

/** A string effective[x] value is checked by its length (both dateTime and instant pass at that length). */
function stringLongEnough(expression: string, value: string): boolean | undefined {
  if (expression.startsWith('$this is DateTime')) return value.length >= 10 ? true : undefined;
  if (expression.startsWith('($this as dateTime)')) return value.length >= 8 ? true : undefined;
  return undefined;
}

/** Decides an invariant on one value natively, or gives undefined: evaluate it. */
export type NativeCheck = (value: unknown, rootResource: unknown) => boolean | undefined;

/** The native form of the invariant `expression` on the element at `path` (derived once per constraint). */
export function nativeInvariantFor(expression: string, path: string): NativeCheck {
  const native = NATIVES.get(expression);
  const onPaths = native ? undefined : pathNative(expression, path.replace(/\[x\]/g, ''));
  const onStrings = path === 'Observation.effective[x]';
  return (value, rootResource) => {
    if (typeof value === 'string') return onStrings ? stringLongEnough(expression, value) : undefined;
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
    if (native !== undefined) return native(value as Json, path, rootResource);
    return onPaths?.(value as Json);
  };
}
