import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { loadConformanceContext } from '../../src/runtime/index.ts';
import type { ConformanceContext } from '../../src/validation/index.ts';

export const SHARED = join(__dirname, '..', '..', '..', 'shared');
export const US_CORE = join(SHARED, 'fhir-packages', 'hl7.fhir.us.core');
export const SYNTHEA_DIR = join(SHARED, 'testdata', 'synthea', 'fhir');

let usCoreContext: ConformanceContext | undefined;

/** R4 core + US Core 6.1.0, built once per test file (loading takes about a second). */
export function usCore(): ConformanceContext {
  usCoreContext ??= loadConformanceContext({ igs: [US_CORE], profilesDir: join(__dirname, 'no-profiles') });
  return usCoreContext;
}

export interface SyntheaResource {
  readonly file: string;
  readonly resource: Record<string, unknown>;
}

/** Every resource of the Synthea FHIR bundles, read from the shared test data. */
let synthea: SyntheaResource[] | undefined;

export function syntheaResources(): SyntheaResource[] {
  if (synthea) return synthea;
  const result: SyntheaResource[] = [];
  for (const file of readdirSync(SYNTHEA_DIR).filter((f) => f.endsWith('.json')).sort()) {
    const bundle = JSON.parse(readFileSync(join(SYNTHEA_DIR, file), 'utf8')) as fhir4.Bundle;
    for (const entry of bundle.entry ?? []) if (entry.resource) result.push({ file, resource: entry.resource as unknown as Record<string, unknown> });
  }
  synthea = result;
  return result;
}

/** The first Synthea resource of a type claiming a profile (or any, when no profile is named). */
export function syntheaSample(resourceType: string, profile?: string): Record<string, unknown> {
  const found = syntheaResources().find(({ resource }) => resource['resourceType'] === resourceType
    && (!profile || ((resource['meta'] as { profile?: string[] } | undefined)?.profile ?? []).includes(profile)));
  if (!found) throw new Error(`No Synthea ${resourceType} ${profile ?? ''}`);
  return structuredClone(found.resource);
}
