/**
 * The invariants the validator answers natively (src/validation/native-invariants.ts, native-paths.ts) must give
 * what FHIRPath gives. Each case validates a resource through validateResource and compares
 * "Constraint failed: KEY" with fhirpath.js's own evaluation of the constraint's expression on the
 * same value (FHIR R4 §2.38 / ElementDefinition.constraint: an invariant that evaluates to false
 * is an error, or a warning for best-practice ones; an empty result is not a failure).
 */
import fhirpath from 'fhirpath';
import r4 from 'fhirpath/fhir-context/r4';
import { validateResource } from '../../src/validation/index.ts';
import { usCore } from './support.ts';

const US_CORE = 'http://hl7.org/fhir/us/core/StructureDefinition/';
const LAB = `${US_CORE}us-core-observation-lab`;
/** Carries us-core-3 on the Observation itself (the lab profile only on value[x]). */
const SCREENING = `${US_CORE}us-core-observation-screening-assessment`;
const LOINC = { coding: [{ system: 'http://loinc.org', code: '2339-0' }] };

interface Case {
  readonly name: string;
  readonly key: string;
  readonly expression: string;
  /** The element the constraint sits on, and how to reach its value from the resource. */
  readonly base: string;
  readonly at: (r: Record<string, unknown>) => unknown;
  readonly resource: Record<string, unknown>;
  /** The invariant always holds at this context (both outcomes cannot be shown). */
  readonly alwaysHolds?: boolean;
}

function observation(extra: Record<string, unknown>, profile?: string): Record<string, unknown> {
  return {
    resourceType: 'Observation', id: 'o1', status: 'final', code: LOINC, subject: { reference: 'Patient/p1' },
    category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: 'laboratory' }] }],
    effectiveDateTime: '2020-01-01T10:00:00Z',
    ...(profile ? { meta: { profile: [profile] } } : {}),
    ...extra,
  };
}

const root = (r: Record<string, unknown>): unknown => r;
const OBS_6 = 'dataAbsentReason.empty() or value.empty()';
const US_CORE_2 = '(component.empty() and hasMember.empty()) implies (dataAbsentReason.exists() or value.exists())';
const PER_1 = 'start.hasValue().not() or end.hasValue().not() or (start <= end)';
const QTY_3 = 'code.empty() or system.exists()';
const DOM_6 = 'text.`div`.exists()';
const US_CORE_7 = "(status='completed' or status='in-progress') implies performed.exists()";
const CON_5 = "verificationStatus.coding.where(system='http://terminology.hl7.org/CodeSystem/condition-ver-status' and code='entered-in-error').empty() or clinicalStatus.empty()";
const CON_4 = "abatement.empty() or clinicalStatus.coding.where(system='http://terminology.hl7.org/CodeSystem/condition-clinical' and (code='resolved' or code='remission' or code='inactive')).exists()";
const DAR = { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/data-absent-reason', code: 'unknown' }] };
const QTY = { value: 4.2, unit: 'mmol/L', system: 'http://unitsofmeasure.org', code: 'mmol/L' };

function condition(extra: Record<string, unknown>): Record<string, unknown> {
  return { resourceType: 'Condition', id: 'c1', subject: { reference: 'Patient/p1' }, code: { text: 'x' }, ...extra };
}
const status = (system: string, code: string): Record<string, unknown> => ({ coding: [{ system, code }] });
const VER = 'http://terminology.hl7.org/CodeSystem/condition-ver-status';
const CLIN = 'http://terminology.hl7.org/CodeSystem/condition-clinical';

const US_CORE_3 = "value.ofType(Quantity).system.empty() or value.ofType(Quantity).system = 'http://unitsofmeasure.org'";
const US_CORE_4 = "value.ofType(CodeableConcept).coding.system.empty() or value.ofType(CodeableConcept).coding.system = 'http://snomed.info/sct'";

const ATT_1 = 'data.empty() or contentType.exists()';
const CPT_2 = 'value.empty() or system.exists()';
const DOM_2 = 'contained.contained.empty()';
const DOM_4 = 'contained.meta.versionId.empty() and contained.meta.lastUpdated.empty()';
const REF_1 = "reference.startsWith('#').not() or (reference.substring(1).trace('url') in %rootResource.contained.id.trace('ids'))";
const REPORT_DONE = "(status='partial' or status='preliminary' or status='final' or status='amended' or status='corrected' or status='appended' )";
const US_CORE_8 = `${REPORT_DONE} implies effective.exists()`;
const US_CORE_9 = `${REPORT_DONE} implies issued.exists()`;

function documentReference(attachment: Record<string, unknown>): Record<string, unknown> {
  return { resourceType: 'DocumentReference', id: 'd1', status: 'current', content: [{ attachment }] };
}
const attachmentOf = (r: Record<string, unknown>): unknown => (r['content'] as Record<string, unknown>[])[0]?.['attachment'];
const firstTelecom = (r: Record<string, unknown>): unknown => (r['telecom'] as unknown[])[0];
const CONTAINED_PATIENT = { resourceType: 'Patient', id: 'p1' };

function report(extra: Record<string, unknown>): Record<string, unknown> {
  return {
    resourceType: 'DiagnosticReport', id: 'r1', meta: { profile: [`${US_CORE}us-core-diagnosticreport-lab`] },
    category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0074', code: 'LAB' }] }],
    code: LOINC, subject: { reference: 'Patient/p1' }, ...extra,
  };
}

const CASES: Case[] = [
  { name: 'att-1 data with a content type', key: 'att-1', expression: ATT_1, base: 'Attachment', at: attachmentOf, resource: documentReference({ contentType: 'text/plain', data: 'aGk=' }) },
  { name: 'att-1 data without a content type', key: 'att-1', expression: ATT_1, base: 'Attachment', at: attachmentOf, resource: documentReference({ data: 'aGk=' }) },
  { name: 'att-1 data only as an extension', key: 'att-1', expression: ATT_1, base: 'Attachment', at: attachmentOf, resource: documentReference({ url: 'http://example.org/d', _data: { extension: [{ url: 'http://example.org/x', valueString: 'x' }] } }) },
  { name: 'cpt-2 a value with a system', key: 'cpt-2', expression: CPT_2, base: 'ContactPoint', at: firstTelecom, resource: { resourceType: 'Patient', id: 'p', telecom: [{ system: 'phone', value: '555' }] } },
  { name: 'cpt-2 a value without a system', key: 'cpt-2', expression: CPT_2, base: 'ContactPoint', at: firstTelecom, resource: { resourceType: 'Patient', id: 'p', telecom: [{ value: '555' }] } },
  { name: 'dom-2 a contained resource without contained ones', key: 'dom-2', expression: DOM_2, base: 'Observation', at: root, resource: observation({ contained: [CONTAINED_PATIENT], subject: { reference: '#p1' } }) },
  { name: 'dom-2 a contained resource containing one', key: 'dom-2', expression: DOM_2, base: 'Observation', at: root, resource: observation({ contained: [{ ...CONTAINED_PATIENT, contained: [{ resourceType: 'Organization', id: 'o' }] }], subject: { reference: '#p1' } }) },
  { name: 'dom-4 a contained resource without meta', key: 'dom-4', expression: DOM_4, base: 'Observation', at: root, resource: observation({ contained: [CONTAINED_PATIENT], subject: { reference: '#p1' } }) },
  { name: 'dom-4 a contained resource with a versionId', key: 'dom-4', expression: DOM_4, base: 'Observation', at: root, resource: observation({ contained: [{ ...CONTAINED_PATIENT, meta: { versionId: '2' } }], subject: { reference: '#p1' } }) },
  { name: 'ref-1 a resolved local reference', key: 'ref-1', expression: REF_1, base: 'Reference', at: (r) => r['subject'], resource: observation({ contained: [CONTAINED_PATIENT], subject: { reference: '#p1' } }) },
  { name: 'ref-1 an unresolved local reference', key: 'ref-1', expression: REF_1, base: 'Reference', at: (r) => r['subject'], resource: observation({ contained: [CONTAINED_PATIENT], subject: { reference: '#p2' } }) },
  { name: 'us-core-8 final without effective', key: 'us-core-8', expression: US_CORE_8, base: 'DiagnosticReport', at: root, resource: report({ status: 'final', issued: '2020-01-01T10:00:00Z' }) },
  { name: 'us-core-8 final with effective', key: 'us-core-8', expression: US_CORE_8, base: 'DiagnosticReport', at: root, resource: report({ status: 'final', issued: '2020-01-01T10:00:00Z', effectivePeriod: { start: '2020-01-01' } }) },
  { name: 'us-core-8 registered without effective', key: 'us-core-8', expression: US_CORE_8, base: 'DiagnosticReport', at: root, resource: report({ status: 'registered' }) },
  { name: 'us-core-9 final without issued', key: 'us-core-9', expression: US_CORE_9, base: 'DiagnosticReport', at: root, resource: report({ status: 'final', effectiveDateTime: '2020-01-01' }) },
  { name: 'us-core-9 amended with issued', key: 'us-core-9', expression: US_CORE_9, base: 'DiagnosticReport', at: root, resource: report({ status: 'amended', effectiveDateTime: '2020-01-01', issued: '2020-01-01T10:00:00Z' }) },
  { name: 'us-core-3 UCUM', key: 'us-core-3', expression: US_CORE_3, base: 'Observation', at: root, resource: observation({ valueQuantity: QTY }, SCREENING) },
  { name: 'us-core-3 another system', key: 'us-core-3', expression: US_CORE_3, base: 'Observation', at: root, resource: observation({ valueQuantity: { ...QTY, system: 'http://example.org/units' } }, SCREENING) },
  { name: 'us-core-3 no system', key: 'us-core-3', expression: US_CORE_3, base: 'Observation', at: root, resource: observation({ valueQuantity: { value: 1, unit: 'x' } }, SCREENING) },
  { name: 'us-core-3 a string value', key: 'us-core-3', expression: US_CORE_3, base: 'Observation', at: root, resource: observation({ valueString: 'x' }, SCREENING) },
  { name: 'us-core-3 on value[x], another system', key: 'us-core-3', expression: US_CORE_3, base: 'Observation.value', at: (r) => r['valueQuantity'], resource: observation({ valueQuantity: { ...QTY, system: 'http://example.org/units' } }, LAB), alwaysHolds: true },
  { name: 'us-core-4 on value[x], another system', key: 'us-core-4', expression: US_CORE_4, base: 'Observation.value', at: (r) => r['valueCodeableConcept'], resource: observation({ valueCodeableConcept: { coding: [{ system: 'http://example.org', code: 'x' }] } }, LAB), alwaysHolds: true },
  { name: 'obs-6 value only', key: 'obs-6', expression: OBS_6, base: 'Observation', at: root, resource: observation({ valueQuantity: QTY }) },
  { name: 'obs-6 value and dataAbsentReason', key: 'obs-6', expression: OBS_6, base: 'Observation', at: root, resource: observation({ valueString: 'x', dataAbsentReason: DAR }) },
  { name: 'obs-6 dataAbsentReason only', key: 'obs-6', expression: OBS_6, base: 'Observation', at: root, resource: observation({ dataAbsentReason: DAR }) },
  { name: 'us-core-2 no value, no component', key: 'us-core-2', expression: US_CORE_2, base: 'Observation', at: root, resource: observation({}, LAB) },
  { name: 'us-core-2 a value', key: 'us-core-2', expression: US_CORE_2, base: 'Observation', at: root, resource: observation({ valueQuantity: QTY }, LAB) },
  { name: 'us-core-2 components only', key: 'us-core-2', expression: US_CORE_2, base: 'Observation', at: root, resource: observation({ component: [{ code: LOINC, valueQuantity: QTY }] }, LAB) },
  { name: 'us-core-2 dataAbsentReason', key: 'us-core-2', expression: US_CORE_2, base: 'Observation', at: root, resource: observation({ dataAbsentReason: DAR }, LAB) },
  { name: 'per-1 in order', key: 'per-1', expression: PER_1, base: 'Period', at: (r) => r['effectivePeriod'], resource: observation({ effectiveDateTime: undefined, effectivePeriod: { start: '2020-01-01T10:00:00Z', end: '2020-01-01T11:00:00Z' } }) },
  { name: 'per-1 reversed', key: 'per-1', expression: PER_1, base: 'Period', at: (r) => r['effectivePeriod'], resource: observation({ effectiveDateTime: undefined, effectivePeriod: { start: '2020-01-02T10:00:00Z', end: '2020-01-01T11:00:00Z' } }) },
  { name: 'per-1 reversed, zones', key: 'per-1', expression: PER_1, base: 'Period', at: (r) => r['effectivePeriod'], resource: observation({ effectiveDateTime: undefined, effectivePeriod: { start: '2020-01-01T12:00:00+02:00', end: '2020-01-01T11:00:00Z' } }) },
  { name: 'per-1 in order, offset zones', key: 'per-1', expression: PER_1, base: 'Period', at: (r) => r['effectivePeriod'], resource: observation({ effectiveDateTime: undefined, effectivePeriod: { start: '2020-01-01T12:00:00+02:00', end: '2020-01-01T11:00:00+02:00' } }) },
  { name: 'per-1 start only', key: 'per-1', expression: PER_1, base: 'Period', at: (r) => r['effectivePeriod'], resource: observation({ effectiveDateTime: undefined, effectivePeriod: { start: '2020-01-01T12:00:00Z' } }) },
  { name: 'per-1 mixed precision', key: 'per-1', expression: PER_1, base: 'Period', at: (r) => r['effectivePeriod'], resource: observation({ effectiveDateTime: undefined, effectivePeriod: { start: '2020-01-02', end: '2020-01-01T11:00:00Z' } }) },
  { name: 'qty-3 code and system', key: 'qty-3', expression: QTY_3, base: 'Quantity', at: (r) => r['valueQuantity'], resource: observation({ valueQuantity: QTY }) },
  { name: 'qty-3 code without system', key: 'qty-3', expression: QTY_3, base: 'Quantity', at: (r) => r['valueQuantity'], resource: observation({ valueQuantity: { value: 1, code: 'mg' } }) },
  { name: 'qty-3 neither', key: 'qty-3', expression: QTY_3, base: 'Quantity', at: (r) => r['valueQuantity'], resource: observation({ valueQuantity: { value: 1, unit: 'mg' } }) },
  { name: 'dom-6 no text', key: 'dom-6', expression: DOM_6, base: 'Observation', at: root, resource: observation({}) },
  { name: 'dom-6 a narrative', key: 'dom-6', expression: DOM_6, base: 'Observation', at: root, resource: observation({ text: { status: 'generated', div: '<div xmlns="http://www.w3.org/1999/xhtml">x</div>' } }) },
  { name: 'us-core-7 completed without performed', key: 'us-core-7', expression: US_CORE_7, base: 'Procedure', at: root, resource: { resourceType: 'Procedure', id: 'p', meta: { profile: [`${US_CORE}us-core-procedure`] }, status: 'completed', code: LOINC, subject: { reference: 'Patient/p1' } } },
  { name: 'us-core-7 completed, performed', key: 'us-core-7', expression: US_CORE_7, base: 'Procedure', at: root, resource: { resourceType: 'Procedure', id: 'p', meta: { profile: [`${US_CORE}us-core-procedure`] }, status: 'completed', code: LOINC, subject: { reference: 'Patient/p1' }, performedDateTime: '2020-01-01' } },
  { name: 'us-core-7 not done', key: 'us-core-7', expression: US_CORE_7, base: 'Procedure', at: root, resource: { resourceType: 'Procedure', id: 'p', meta: { profile: [`${US_CORE}us-core-procedure`] }, status: 'not-done', code: LOINC, subject: { reference: 'Patient/p1' } } },
  { name: 'con-5 entered in error with a clinical status', key: 'con-5', expression: CON_5, base: 'Condition', at: root, resource: condition({ verificationStatus: status(VER, 'entered-in-error'), clinicalStatus: status(CLIN, 'active') }) },
  { name: 'con-5 confirmed', key: 'con-5', expression: CON_5, base: 'Condition', at: root, resource: condition({ verificationStatus: status(VER, 'confirmed'), clinicalStatus: status(CLIN, 'active') }) },
  { name: 'con-4 abated and active', key: 'con-4', expression: CON_4, base: 'Condition', at: root, resource: condition({ abatementDateTime: '2020-01-01', clinicalStatus: status(CLIN, 'active') }) },
  { name: 'con-4 abated and resolved', key: 'con-4', expression: CON_4, base: 'Condition', at: root, resource: condition({ abatementDateTime: '2020-01-01', clinicalStatus: status(CLIN, 'resolved') }) },
  { name: 'con-4 not abated', key: 'con-4', expression: CON_4, base: 'Condition', at: root, resource: condition({ clinicalStatus: status(CLIN, 'active') }) },
];

function fhirpathSays(c: Case): boolean {
  const value = c.at(c.resource);
  const result = fhirpath.evaluate(value as object, { base: c.base, expression: c.expression }, { resource: c.resource, rootResource: c.resource }, r4 as never) as unknown[];
  return !(result.length === 1 && result[0] === false);
}

describe('natively checked invariants agree with FHIRPath', () => {
  it.each(CASES.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const outcome = validateResource(usCore(), JSON.parse(JSON.stringify(c.resource)));
    const failed = outcome.issue.some((i) => (i.diagnostics ?? '').startsWith(`Constraint failed: ${c.key}:`));
    expect(failed).toBe(!fhirpathSays(c));
  });

  it('covers both outcomes for each invariant (the cases can fail)', () => {
    const outcomes = new Map<string, Set<boolean>>();
    for (const c of CASES.filter((k) => !k.alwaysHolds)) outcomes.set(c.key, (outcomes.get(c.key) ?? new Set()).add(fhirpathSays(c)));
    for (const [key, seen] of outcomes) expect([key, seen.size]).toEqual([key, 2]);
  });
});
