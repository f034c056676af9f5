import { matchesSearchRequest, parseSearchRequest } from '@medplum/core';
import type { SearchRequest } from '@medplum/core';
import { searchParameterExpression } from './fhir-definitions.ts';
import type { TypeFilter } from './export-request.ts';

/**
 * `_typeFilter` (Bulk Data IG v2.0.0, "Experimental Query Parameters"): FHIR search criteria
 * evaluated on each resource read back from the target. Supported: the type's search parameters
 * (R4 + US Core) with no modifier or `:not`, `:missing`, `:exact`, `:contains`, and the prefixes
 * eq/ne/gt/lt/ge/le/sa/eb; several criteria on one type are OR-ed (the IG's rule). Not supported:
 * chaining, `_has`, result parameters (`_count`, `_sort`, `_include`, …) and other modifiers.
 */
const SUPPORTED_OPERATORS = new Set(['eq', 'ne', 'not', 'gt', 'lt', 'ge', 'le', 'sa', 'eb', 'missing', 'exact', 'contains', 'starts_with']);
const RESULT_PARAMETERS = new Set(['_count', '_sort', '_include', '_revinclude', '_elements', '_summary', '_total', '_contained', '_containedType', '_format', '_pretty']);
const SEARCH_ALL = new Set(['_id', '_lastUpdated', '_tag', '_profile', '_security', '_source']);

/** Why this criterion cannot be evaluated, or undefined when it can. */
export function unsupportedCriterion(filter: TypeFilter): string | undefined {
  const names = [...new URLSearchParams(filter.query).keys()];
  if (names.length === 0) return 'it has no search parameter';
  for (const name of names) {
    const [code = '', modifier] = name.split(':');
    if (RESULT_PARAMETERS.has(code)) return `the result parameter ${code} does not apply to an export`;
    if (code === '_has') return '_has (reverse chaining) is not supported';
    if (code.includes('.')) return `chained parameter ${code} is not supported`;
    if (!SEARCH_ALL.has(code) && searchParameterExpression(filter.type, code) === undefined) return `${filter.type} has no search parameter ${code}`;
    if (modifier !== undefined && !SUPPORTED_OPERATORS.has(modifier)) return `modifier :${modifier} is not supported`;
  }
  const parsed = parseSearchRequest(`${filter.type}?${filter.query}`);
  const operator = parsed.filters?.find((f) => !SUPPORTED_OPERATORS.has(f.operator))?.operator;
  return operator === undefined ? undefined : `operator ${operator} is not supported`;
}

export type ResourcePredicate = (resource: fhir4.Resource) => boolean;

/** Per type, a predicate that is true when any criterion of the type matches; types without criteria are absent. */
export function compileTypeFilters(filters: readonly TypeFilter[]): Map<string, ResourcePredicate> {
  const byType = new Map<string, SearchRequest[]>();
  for (const filter of filters) {
    const list = byType.get(filter.type) ?? [];
    list.push(parseSearchRequest(`${filter.type}?${filter.query}`));
    byType.set(filter.type, list);
  }
  const predicates = new Map<string, ResourcePredicate>();
  for (const [type, requests] of byType) predicates.set(type, (resource) => requests.some((request) => matchesSearchRequest(resource as never, request)));
  return predicates;
}
