import type { ConformanceContext } from './context.ts';
import { isObject } from './context.ts';
import type { IssueCollector } from './issues.ts';
import { codeSystemIndex, expandValueSet, membership } from './terminology.ts';
import type { Membership } from './terminology.ts';

const MAX_VALUE_SET = 'http://hl7.org/fhir/StructureDefinition/elementdefinition-maxValueSet';
const CODED_TYPES = new Set(['code', 'Coding', 'CodeableConcept', 'Quantity', 'string', 'uri']);

interface CodedValue {
  readonly system: string | undefined;
  readonly code: string;
}

/** Checks a coded value against the element's binding (FHIR R4 §4.1 binding strengths). */
export function checkBinding(
  context: ConformanceContext,
  binding: fhir4.ElementDefinitionBinding | undefined,
  typeCode: string,
  value: unknown,
  expression: string,
  issues: IssueCollector,
): void {
  if (!binding || !CODED_TYPES.has(typeCode)) return;
  const codings = codedValues(typeCode, value);
  if (codings === undefined) return;
  const maxValueSet = binding.extension?.find((e) => e.url === MAX_VALUE_SET)?.valueCanonical;
  if (binding.valueSet && binding.strength !== 'example') {
    checkAgainst(context, binding.valueSet, binding.strength, typeCode, codings, expression, issues);
  }
  if (maxValueSet) checkAgainst(context, maxValueSet, 'required', typeCode, codings, expression, issues);
}

function checkAgainst(
  context: ConformanceContext,
  valueSet: string,
  strength: fhir4.ElementDefinitionBinding['strength'],
  typeCode: string,
  codings: CodedValue[],
  expression: string,
  issues: IssueCollector,
): void {
  const expansion = expandValueSet(context, valueSet);
  if (expansion.unknown) {
    if (strength === 'required') issues.information('informational', expression, `The code was not checked against the required ValueSet ${valueSet}: ${expansion.unknown}`);
    return;
  }
  const results: Membership[] = codings.map((c) => membership(expansion, typeCode === 'code' || typeCode === 'string' || typeCode === 'uri' ? undefined : c.system, c.code));
  if (results.includes('yes') || results.includes('unknown')) return;
  const shown = codings.map((c) => (c.system ? `${c.system}#${c.code}` : `'${c.code}'`)).join(', ') || 'no code';
  // Without its version: a profile often repeats its base's binding with or without `|4.0.1`.
  const named = valueSet.split('|')[0] ?? valueSet;
  const message = codings.length === 0
    ? `No code provided, and a code is required from the ValueSet ${named}`
    : `The value ${shown} is not in the ValueSet ${named} (${strength} binding)`;
  switch (strength) {
    case 'required':
      issues.error('code-invalid', expression, message);
      return;
    case 'extensible':
      if (codings.length > 0) issues.warning('code-invalid', expression, message);
      return;
    case 'preferred':
      if (codings.length > 0) issues.information('code-invalid', expression, message);
      return;
    case 'example':
      return;
    default:
      throw new Error(`Unknown binding strength ${String(strength)}`);
  }
}

/** The codes a value carries; undefined when there is nothing to check (e.g. a Quantity without code). */
function codedValues(typeCode: string, value: unknown): CodedValue[] | undefined {
  switch (typeCode) {
    case 'code':
    case 'string':
    case 'uri':
      return typeof value === 'string' ? [{ system: undefined, code: value }] : undefined;
    case 'Coding':
    case 'Quantity':
      if (!isObject(value) || typeof value['code'] !== 'string') return undefined;
      return [{ system: typeof value['system'] === 'string' ? value['system'] : undefined, code: value['code'] }];
    case 'CodeableConcept': {
      if (!isObject(value)) return undefined;
      const list = Array.isArray(value['coding']) ? (value['coding'] as unknown[]) : [];
      const codings = list.filter(isObject).filter((c) => typeof c['code'] === 'string');
      if (list.length === 0) return typeof value['text'] === 'string' ? [] : undefined;
      return codings.map((c) => ({ system: typeof c['system'] === 'string' ? c['system'] : undefined, code: c['code'] as string }));
    }
    default:
      return undefined;
  }
}

/** A Coding's code must exist in its CodeSystem when that system is loaded complete; its display should match. */
export function checkCoding(context: ConformanceContext, coding: Record<string, unknown>, expression: string, issues: IssueCollector): void {
  const system = coding['system'];
  const code = coding['code'];
  if (typeof system !== 'string' || typeof code !== 'string') return;
  const index = codeSystemIndex(context, system);
  if (!index?.complete) return;
  const concept = index.concepts.get(code) ?? (index.caseSensitive ? undefined : findInsensitive(index.concepts, code));
  if (!concept) {
    // Only the code systems R4 itself defines are fixed with R4; terminology.hl7.org and external
    // systems (DICOM, ...) grow after the copy loaded here: a miss there is only a warning.
    const severity = system.startsWith('http://hl7.org/fhir/') ? 'error' : 'warning';
    issues.add(severity, 'code-invalid', expression, `Unknown code '${code}' in the CodeSystem ${system}`);
    return;
  }
  const display = coding['display'];
  if (typeof display !== 'string' || concept.display === undefined) return;
  const wanted = [concept.display, ...concept.designations].map(normalizeDisplay);
  if (!wanted.includes(normalizeDisplay(display))) {
    issues.warning('code-invalid', expression, `Wrong display '${display}' for ${system}#${code}: expected '${concept.display}'`);
  }
}

function normalizeDisplay(text: string): string {
  return text.trim().replace(/\s+/g, ' ').toLowerCase();
}

function findInsensitive<V>(map: Map<string, V>, code: string): V | undefined {
  const lower = code.toLowerCase();
  for (const [key, value] of map) if (key.toLowerCase() === lower) return value;
  return undefined;
}

/** memberOf() for invariants: true/false when the ValueSet expands offline, undefined otherwise. */
export function isMemberOf(context: ConformanceContext, value: unknown, valueSet: string): boolean | undefined {
  const expansion = expandValueSet(context, valueSet);
  if (expansion.unknown) return undefined;
  const typeCode = typeof value === 'string' ? 'code' : isObject(value) && Array.isArray(value['coding']) ? 'CodeableConcept' : 'Coding';
  const codings = codedValues(typeCode, value);
  if (!codings || codings.length === 0) return undefined;
  const results = codings.map((c) => membership(expansion, typeCode === 'code' ? undefined : c.system, c.code));
  if (results.includes('yes')) return true;
  return results.includes('unknown') ? undefined : false;
}
