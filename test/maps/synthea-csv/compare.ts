import type { Resource } from './support.ts';

/**
 * Comparison keys between the resources mapped from the Synthea CSV and Synthea's own FHIR export.
 * Synthea writes local times with an offset in FHIR (`-04:00`) and UTC in the CSV (`Z`): dateTimes
 * are compared as instants, date-only CSV values against the FHIR value's local date.
 */

type Json = Record<string, unknown>;
type Coded = { coding?: { code?: string; display?: string }[]; text?: string } | undefined;

export function instant(value: unknown): string {
  if (typeof value !== 'string') return String(value);
  return value.length > 10 ? new Date(value).toISOString() : value;
}

function day(value: unknown): string {
  return typeof value === 'string' ? value.slice(0, 10) : String(value);
}

function code(concept: unknown): string | undefined {
  return (concept as Coded)?.coding?.[0]?.code;
}

function first(list: unknown): Json {
  return ((list as Json[] | undefined) ?? [])[0] ?? {};
}

function period(value: unknown): Json {
  return (value as Json | undefined) ?? {};
}

/** The medication code, also when Synthea points to a Medication resource of the bundle. */
function medicationCode(request: Resource, bundle: readonly Resource[]): string | undefined {
  if (request['medicationCodeableConcept']) return code(request['medicationCodeableConcept']);
  const ref = String((request['medicationReference'] as Json | undefined)?.['reference'] ?? '');
  const medication = bundle.find((r) => r.resourceType === 'Medication' && ref.endsWith(String(r['id'])));
  return code(medication?.['code']);
}

/** Per compared resource type: a key that identifies the same clinical fact on both sides. */
export const COMPARED_TYPES: Readonly<Record<string, (r: Resource, bundle: readonly Resource[]) => string>> = {
  Encounter: (r) => `${code(first(r['type']))}|${instant(period(r['period'])['start'])}`,
  Condition: (r) => `${code(r['code'])}|${day(r['onsetDateTime'])}`,
  MedicationRequest: (r, bundle) => `${medicationCode(r, bundle)}|${instant(r['authoredOn'])}`,
  Procedure: (r) => `${code(r['code'])}|${instant(period(r['performedPeriod'])['start'] ?? r['performedDateTime'])}`,
  Immunization: (r) => `${code(r['vaccineCode'])}|${instant(r['occurrenceDateTime'])}`,
  AllergyIntolerance: (r) => `${code(r['code'])}|${day(r['recordedDate'])}`,
  ImagingStudy: (r) => String(first(r['series'])['uid']),
  CarePlan: (r) => `${code((r['category'] as unknown[] | undefined)?.[1])}|${day(period(r['period'])['start'])}`,
  Device: (r) => `${code(r['type'])}|${String(first(r['udiCarrier'])['carrierHRF'])}`,
  Claim: (r) => instant(period(r['billablePeriod'])['start']),
};

export interface TypeComparison {
  fhir: number;
  mapped: number;
  matched: number;
  mismatches: string[];
}

/** Multiset match of the keys of one type for one patient. */
export function compareType(type: string, mapped: readonly Resource[], bundle: readonly Resource[]): TypeComparison {
  const key = COMPARED_TYPES[type] as (r: Resource, b: readonly Resource[]) => string;
  const expected = bundle.filter((r) => r.resourceType === type).map((r) => key(r, bundle));
  const remaining = mapped.filter((r) => r.resourceType === type).map((r) => key(r, mapped));
  const result: TypeComparison = { fhir: expected.length, mapped: remaining.length, matched: 0, mismatches: [] };
  for (const k of expected) {
    const at = remaining.indexOf(k);
    if (at >= 0) {
      remaining.splice(at, 1);
      result.matched++;
    } else result.mismatches.push(`${type} ${k} missing`);
  }
  result.mismatches.push(...remaining.map((k) => `${type} ${k} extra`));
  return result;
}

/** The Synthea CSV writer replaces commas in text by spaces: compare text without commas and runs of blanks. */
function normaliseText(text: unknown): string {
  return String(text).replace(/,/g, ' ').replace(/\s+/g, ' ').trim();
}

interface Measured {
  readonly codes: readonly string[];
  readonly value: Json;
}

function measurements(observation: Resource): Measured[] {
  const codes = (c: unknown): string[] => ((c as Coded)?.coding ?? []).map((x) => String(x.code));
  return [
    { codes: codes(observation['code']), value: observation },
    ...((observation['component'] as Json[] | undefined) ?? []).map((c) => ({ codes: codes(c['code']), value: c })),
  ];
}

/** Synthea's FHIR export rounds some values (e.g. income to 100, lab values the CSV rounds to 1 decimal). */
function sameNumber(fhir: number, csv: number): boolean {
  const decimals = (String(csv).split('.')[1] ?? '').length;
  return Math.abs(fhir - csv) <= 0.5 * 10 ** -decimals + 1e-9 || Math.abs(fhir - csv) <= Math.abs(csv) * 1e-4;
}

function agrees(mapped: Resource, candidate: Json): string | undefined {
  const quantity = mapped['valueQuantity'] as Json | undefined;
  if (quantity) {
    const other = candidate['valueQuantity'] as Json | undefined;
    if (!other) return 'FHIR value is not a Quantity';
    if (!sameNumber(Number(other['value']), Number(quantity['value']))) return `value ${String(other['value'])} vs ${String(quantity['value'])}`;
    if ((other['code'] ?? other['unit']) !== quantity['code']) return `unit ${String(other['code'])} vs ${String(quantity['code'])}`;
    return undefined;
  }
  const text = (mapped['valueCodeableConcept'] as Coded)?.text;
  const concept = candidate['valueCodeableConcept'] as Coded;
  const texts = [concept?.text, ...(concept?.coding ?? []).map((c) => c.display), candidate['valueString']].filter((t) => t !== undefined).map(normaliseText);
  return texts.includes(normaliseText(text)) ? undefined : `text ${JSON.stringify(texts)} vs ${String(text)}`;
}

/** A mapped observation agrees when Synthea has the same LOINC code at the same instant (as an
 *  Observation or a panel component) with the same value and unit. */
export function compareObservation(mapped: Resource, bundle: readonly Resource[]): string | undefined {
  const observationCode = code(mapped['code']) as string;
  const when = instant(mapped['effectiveDateTime']);
  const candidates = bundle
    .filter((r) => r.resourceType === 'Observation' && instant(r['effectiveDateTime']) === when)
    .flatMap(measurements)
    .filter((m) => m.codes.includes(observationCode));
  if (candidates.length === 0) return `${observationCode} at ${when}: not in the FHIR export`;
  const problems = candidates.map((c) => agrees(mapped, c.value));
  return problems.includes(undefined) ? undefined : `${observationCode} at ${when}: ${problems.join('; ')}`;
}

function extensionCoding(patient: Resource, url: string): string {
  const extension = ((patient['extension'] as Json[] | undefined) ?? []).find((e) => e['url'] === url);
  const parts = (extension?.['extension'] as Json[] | undefined) ?? [];
  const omb = parts.find((p) => p['url'] === 'ombCategory')?.['valueCoding'] as Json | undefined;
  const text = parts.find((p) => p['url'] === 'text')?.['valueString'];
  return `${String(omb?.['system'])}|${String(omb?.['code'])}|${String(text)}`;
}

/** The demographics both exports carry (the CSV has no middle name, phone or language; its MARITAL
 *  is empty for two patients Synthea's FHIR export calls "S", so marital status is not compared). */
export function demographics(patient: Resource): Json {
  const official = ((patient['name'] as Json[] | undefined) ?? []).find((n) => n['use'] === 'official') ?? {};
  const address = first(patient['address']);
  return {
    family: official['family'],
    given: (official['given'] as string[] | undefined)?.[0],
    prefix: official['prefix'],
    gender: patient['gender'],
    birthDate: patient['birthDate'],
    deceased: patient['deceasedDateTime'] === undefined ? undefined : instant(patient['deceasedDateTime']),
    line: address['line'],
    city: address['city'],
    state: address['state'],
    postalCode: address['postalCode'],
    country: address['country'],
    race: extensionCoding(patient, 'http://hl7.org/fhir/us/core/StructureDefinition/us-core-race'),
    ethnicity: extensionCoding(patient, 'http://hl7.org/fhir/us/core/StructureDefinition/us-core-ethnicity'),
  };
}

/** Status-like elements per compared type (the clinical state Synthea writes). */
export const STATUS: Readonly<Record<string, (r: Resource) => string>> = {
  Encounter: (r) => `${String(r['status'])}/${String((r['class'] as Json | undefined)?.['code'])}`,
  Condition: (r) => `${String(code(r['clinicalStatus']))}/${String(code(r['verificationStatus']))}/${day(r['abatementDateTime'])}`,
  MedicationRequest: (r) => `${String(r['status'])}/${String(r['intent'])}`,
  Procedure: (r) => String(r['status']),
  Immunization: (r) => String(r['status']),
  AllergyIntolerance: (r) => `${String(code(r['clinicalStatus']))}/${String(r['type'])}/${String(r['category'])}`,
  ImagingStudy: (r) => `${String(r['status'])}/${String((first(r['series'])['modality'] as Json | undefined)?.['code'])}`,
  CarePlan: (r) => `${String(r['status'])}/${String(r['intent'])}`,
  Device: (r) => String(r['status']),
  Claim: (r) => `${String(r['status'])}/${String(r['use'])}`,
};

/** For each mapped resource whose key Synthea also has: `type ours vs theirs` when the status differs. */
export function compareStatus(type: string, mapped: readonly Resource[], bundle: readonly Resource[]): { compared: number; differences: string[] } {
  const key = COMPARED_TYPES[type] as (r: Resource, b: readonly Resource[]) => string;
  const status = STATUS[type] as (r: Resource) => string;
  const theirs = bundle.filter((r) => r.resourceType === type);
  const result = { compared: 0, differences: [] as string[] };
  for (const mine of mapped.filter((r) => r.resourceType === type)) {
    const k = key(mine, mapped);
    const other = theirs.find((r) => key(r, bundle) === k);
    if (!other) continue;
    result.compared++;
    if (status(mine) !== status(other)) result.differences.push(`${type} ${k}: ${status(mine)} vs ${status(other)}`);
  }
  return result;
}
