import { choiceElements, mandatoryElements } from './fhir-definitions.ts';
import type { ElementSelector } from './export-request.ts';

/** The HL7 v3 ObservationValue code a server adds to a resource it subsetted (R4 search.html#elements). */
export const SUBSETTED_TAG: fhir4.Coding = { system: 'http://terminology.hl7.org/CodeSystem/v3-ObservationValue', code: 'SUBSETTED', display: 'subsetted' };

const ALWAYS = ['resourceType', 'id', 'meta'];

interface Kept {
  readonly names: ReadonlySet<string>;
  /** Kept choice elements (`value` for value[x]): every `valueXxx` key matches. */
  readonly choices: readonly string[];
}

/**
 * `_elements` (Bulk Data IG v2.0.0 kick-off parameters): keep the listed top-level elements of
 * each resource, plus its mandatory elements and id/meta, and tag it SUBSETTED. A type no
 * selector names (when every selector names a type) is exported whole.
 */
export function createElementFilter(selectors: readonly ElementSelector[]): (resource: fhir4.Resource) => fhir4.Resource {
  const cache = new Map<string, Kept | undefined>();
  const keptFor = (type: string): Kept | undefined => {
    if (cache.has(type)) return cache.get(type);
    const named = selectors.filter((s) => s.type === undefined || s.type === type).map((s) => s.element);
    const names = new Set([...ALWAYS, ...mandatoryElements(type), ...named]);
    const kept = named.length === 0 ? undefined : { names, choices: choiceElements(type).filter((c) => names.has(c)) };
    cache.set(type, kept);
    return kept;
  };
  return (resource) => {
    const kept = keptFor(resource.resourceType);
    if (!kept) return resource;
    const subset: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(resource)) {
      // `_x` carries the extensions of primitive x.
      const base = key.startsWith('_') ? key.slice(1) : key;
      if (kept.names.has(base) || kept.choices.some((c) => base.startsWith(c) && /^[A-Z]/.test(base.slice(c.length)))) subset[key] = value;
    }
    subset.meta = { ...(resource.meta ?? {}), tag: [...(resource.meta?.tag ?? []), SUBSETTED_TAG] };
    return subset as unknown as fhir4.Resource;
  };
}
