import type { TransformOptions } from './options.ts';

/**
 * FHIRPath `memberOf()` without a terminology server: ValueSets are expanded locally when they are
 * enumerated (expansion.contains, compose.include concepts, or whole code systems that are
 * available). Anything else (filters, unknown systems) is "unknown", which FHIRPath answers with
 * an empty collection.
 */

export interface CodeToCheck {
  readonly system?: string;
  readonly code: string;
}

type Membership = boolean | undefined;

const MAX_VALUESET_NESTING = 20;

function inConcepts(concepts: readonly fhir4.CodeSystemConcept[] | undefined, code: string): boolean {
  return (concepts ?? []).some((c) => c.code === code || inConcepts(c.concept, code));
}

function inContains(contains: readonly fhir4.ValueSetExpansionContains[] | undefined, coding: CodeToCheck): boolean {
  return (contains ?? []).some((c) => (c.code === coding.code && (coding.system === undefined || c.system === coding.system)) || inContains(c.contains, coding));
}

function inInclude(options: TransformOptions, include: fhir4.ValueSetComposeInclude, coding: CodeToCheck, depth: number): Membership {
  const systemMatches = include.system === undefined || coding.system === undefined || include.system === coding.system;
  let answer: Membership;
  if (include.system !== undefined) {
    if (!systemMatches) return false;
    if (include.filter?.length) return undefined;
    if (include.concept) answer = include.concept.some((c) => c.code === coding.code);
    else {
      const codeSystem = options.resolveCodeSystem?.(include.system);
      if (!codeSystem || codeSystem.content !== 'complete') return undefined;
      answer = inConcepts(codeSystem.concept, coding.code);
    }
  }
  for (const url of include.valueSet ?? []) {
    const nested = valueSetMembership(options, url, coding, depth + 1);
    if (nested !== true) return answer === false ? false : nested;
  }
  return answer ?? (include.valueSet?.length ? true : undefined);
}

function inValueSet(options: TransformOptions, valueSet: fhir4.ValueSet, coding: CodeToCheck, depth: number): Membership {
  if (valueSet.expansion?.contains) return inContains(valueSet.expansion.contains, coding);
  const compose = valueSet.compose;
  if (!compose) return undefined;
  let included: Membership = false;
  for (const include of compose.include) {
    const answer = inInclude(options, include, coding, depth);
    if (answer === true) {
      included = true;
      break;
    }
    if (answer === undefined) included = undefined;
  }
  if (included !== true) return included;
  for (const exclude of compose.exclude ?? []) {
    const answer = inInclude(options, exclude, coding, depth);
    if (answer !== false) return answer === true ? false : undefined;
  }
  return true;
}

/** Whether the code is in the ValueSet: true, false, or undefined when it cannot be decided locally. */
export function valueSetMembership(options: TransformOptions, url: string, coding: CodeToCheck, depth = 0): Membership {
  if (depth > MAX_VALUESET_NESTING) return undefined;
  const hooked = options.memberOf?.(coding, url);
  if (hooked !== undefined) return hooked;
  const valueSet = options.resolveValueSet?.(url) ?? options.resolveValueSet?.(url.split('|')[0] ?? url);
  return valueSet ? inValueSet(options, valueSet, coding, depth) : undefined;
}

function codingsOf(value: unknown): CodeToCheck[] {
  if (typeof value === 'string') return [{ code: value }];
  if (typeof value !== 'object' || value === null) return [];
  const record = value as { system?: unknown; code?: unknown; coding?: unknown };
  if (Array.isArray(record.coding)) return record.coding.flatMap(codingsOf);
  if (typeof record.code === 'string') return [{ code: record.code, ...(typeof record.system === 'string' ? { system: record.system } : {}) }];
  return [];
}

/** FHIRPath memberOf on one item: a code, Coding or CodeableConcept (any of its codings). */
export function memberOf(options: TransformOptions, item: unknown, url: string): Membership {
  const codings = codingsOf(item);
  if (codings.length === 0) return undefined;
  let unknown = false;
  for (const coding of codings) {
    const answer = valueSetMembership(options, url, coding);
    if (answer === true) return true;
    if (answer === undefined) unknown = true;
  }
  return unknown ? undefined : false;
}
