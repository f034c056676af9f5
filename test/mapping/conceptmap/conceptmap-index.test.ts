import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConceptMapIndex, bestMatch, isUnmapped, successfulMatches, translateCode } from '../../../src/mapping/conceptmap/index.ts';
import type { TranslateResult } from '../../../src/mapping/conceptmap/index.ts';

const fixture = (id: string): fhir4.ConceptMap => JSON.parse(readFileSync(join(__dirname, 'fixtures', `${id}.json`), 'utf8'));

describe('ConceptMapIndex', () => {
  it('is built once per map object and reused', () => {
    const map = fixture('103');
    expect(ConceptMapIndex.of(map)).toBe(ConceptMapIndex.of(map));
    expect(ConceptMapIndex.of(fixture('103'))).not.toBe(ConceptMapIndex.of(map));
  });

  it('indexes source and target codes of each group, skipping elements without code', () => {
    const index = ConceptMapIndex.of(fixture('103'));
    const group = index.groups[0];
    expect([...(group?.elementsByCode.keys() ?? [])]).toEqual(['263204007']);
    expect(group?.targetsByCode.get('S52.209A')?.map((p) => p.element.code)).toEqual(['263204007', undefined]);
    expect(index.sourceValueSet).toBe('http://snomed.info/sct?fhir_vs');
    expect(index.label).toBe('http://hl7.org/fhir/ConceptMap/103');
  });

  it('names a map without url by its id in messages', () => {
    const map = { ...fixture('unmapped-fixed'), url: undefined, id: 'local' };
    const result = translateCode(map, { system: 'http://example.org/other', code: 'x' });
    expect(result.message).toContain('in ConceptMap ConceptMap/local');
  });
});

describe('result helpers for the StructureMap translate transform', () => {
  const gender = fixture('multi-group');
  const v2 = 'http://terminology.hl7.org/CodeSystem/v2-0001';

  it('isUnmapped: false for a real translation, true for nothing or only an unmapped fallback', () => {
    expect(isUnmapped(translateCode(gender, { system: v2, code: 'F' }))).toBe(false);
    expect(isUnmapped(translateCode(gender, { system: v2, code: 'Q' }))).toBe(true);
    const fixed = translateCode(fixture('101'), { system: 'http://hl7.org/fhir/address-use', code: 'billing' });
    expect(fixed.result).toBe(true);
    expect(isUnmapped(fixed)).toBe(true);
    expect(isUnmapped(translateCode(fixture('101'), { system: 'http://hl7.org/fhir/address-use', code: 'old' }))).toBe(true);
  });

  it('bestMatch prefers the most exact equivalence, then map order', () => {
    const result: TranslateResult = {
      result: true,
      matches: [
        { equivalence: 'disjoint', concept: { code: 'no' } },
        { equivalence: 'inexact', concept: { code: 'rough' } },
        { equivalence: 'wider', concept: { code: 'wide-1' } },
        { equivalence: 'wider', concept: { code: 'wide-2' } },
        { equivalence: 'unmatched' },
      ],
    };
    expect(bestMatch(result)?.concept?.code).toBe('wide-1');
    expect(successfulMatches(result).map((m) => m.concept?.code)).toEqual(['rough', 'wide-1', 'wide-2']);
    expect(bestMatch({ result: false, matches: [{ equivalence: 'disjoint', concept: { code: 'x' } }] })).toBeUndefined();
  });
});
