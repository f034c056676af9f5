import { successfulMatches, translateCode } from '../mapping/index.ts';
import type { ConceptMapResolver } from '../mapping/index.ts';
import type { CodingTranslator } from './types.ts';

/**
 * Code translation on intake: every Coding inside a `coding` list (a CodeableConcept) whose system
 * is the source system of a group of one of the ConceptMaps gets the map's translations added
 * beside it. The original coding stays: R4 datatypes.html#CodeableConcept allows several codings
 * for one concept ("translations"), and the sender's code is its evidence. Matches produced only
 * by an `unmapped` fallback are not added (they are defaults, not translations).
 */
export function createCodingTranslator(conceptMaps: readonly fhir4.ConceptMap[], resolve?: ConceptMapResolver): CodingTranslator {
  const bySystem = new Map<string, fhir4.ConceptMap[]>();
  for (const map of conceptMaps) {
    for (const system of new Set((map.group ?? []).map((g) => g.source).filter((s): s is string => Boolean(s)))) {
      const list = bySystem.get(system) ?? [];
      list.push(map);
      bySystem.set(system, list);
    }
  }
  const translations = (coding: fhir4.Coding): fhir4.Coding[] => {
    if (!coding.system || !coding.code) return [];
    const maps = bySystem.get(coding.system) ?? [];
    return maps.flatMap((map) => successfulMatches(translateCode(map, { system: coding.system, code: coding.code }, resolve)).filter((m) => m.unmapped === undefined).map((m) => m.concept as fhir4.Coding));
  };
  return (resource) => (bySystem.size === 0 ? resource : (withTranslations(resource, translations) as fhir4.Resource));
}

function withTranslations(value: unknown, translations: (coding: fhir4.Coding) => fhir4.Coding[]): unknown {
  if (Array.isArray(value)) return value.map((item) => withTranslations(item, translations));
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [key, member] of Object.entries(value)) {
    out[key] = key === 'coding' && Array.isArray(member) ? addTranslations(member as fhir4.Coding[], translations) : withTranslations(member, translations);
  }
  return out;
}

function addTranslations(codings: readonly fhir4.Coding[], translations: (coding: fhir4.Coding) => fhir4.Coding[]): fhir4.Coding[] {
  const out = [...codings];
  const has = (c: fhir4.Coding) => out.some((o) => o.system === c.system && o.code === c.code);
  for (const coding of codings) {
    for (const translated of translations(coding)) {
      if (translated.code && !has(translated)) out.push(cleanCoding(translated));
    }
  }
  return out;
}

function cleanCoding(coding: fhir4.Coding): fhir4.Coding {
  const { system, version, code, display } = coding;
  return { ...(system ? { system } : {}), ...(version ? { version } : {}), code: code as string, ...(display ? { display } : {}) };
}
