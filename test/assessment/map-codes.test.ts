import { join } from 'node:path';
import { codeSetsFromMaps, translatedColumns } from '../../src/assessment/index.ts';
import type { DecisionRegister } from '../../src/assessment/index.ts';
import { loadConceptMaps, loadMapFile } from '../../src/runtime/index.ts';

const REPO = join(__dirname, '..', '..');
const map = (name: string) => loadMapFile(join(REPO, 'maps', 'synthea-csv', name), REPO);
const GENDER = 'https://fhir-migrate.dev/ConceptMap/synthea-gender';

describe('translatedColumns', () => {
  it('follows row columns into nested rules to their translate()', () => {
    const found = translatedColumns(map('patient.map'));
    expect(found).toContainEqual({ column: 'GENDER', conceptMap: GENDER });
    expect(found).toContainEqual({ column: 'RACE', conceptMap: 'https://fhir-migrate.dev/ConceptMap/synthea-race' });
    expect(found).toContainEqual({ column: 'MARITAL', conceptMap: 'https://fhir-migrate.dev/ConceptMap/synthea-marital-status' });
  });

  it('leaves out translates that only some rows reach (a condition other than not-empty)', () => {
    const columns = translatedColumns(map('observation.map')).map((f) => f.column);
    expect(columns).not.toContain('VALUE');
    expect(columns).not.toContain('CODE');
  });
});

describe('codeSetsFromMaps', () => {
  it('gives each translated column the codes its ConceptMap knows', () => {
    const register: DecisionRegister = { tables: { patients: { map: 'patient.map', columns: {} }, providers: { map: 'missing.map', columns: {} } } };
    const conceptMaps = new Map(loadConceptMaps([join('conceptmaps', 'synthea')], REPO).map((c) => [c.url as string, c]));
    const sets = codeSetsFromMaps(register, new Map([['patient.map', map('patient.map')]]), (url) => conceptMaps.get(url));
    expect(sets['patients']?.['GENDER']?.conceptMap).toBe(GENDER);
    expect([...(sets['patients']?.['GENDER']?.codes ?? [])].sort()).toEqual(['F', 'M']);
    expect(sets['patients']?.['RACE']?.conceptMap).toContain(' + ');
    expect(sets['providers']).toBeUndefined();
  });
});
