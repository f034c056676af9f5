import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { MigrateError } from '../../../src/core/index.ts';
import { translateCode } from '../../../src/mapping/conceptmap/index.ts';
import type { ConceptMapResolver, TranslateMatch, TranslateRequest } from '../../../src/mapping/conceptmap/index.ts';

/**
 * Data-driven `$translate` cases: each file in cases/ is a list of { spec, title, map, request,
 * expect | error }. `map` names a ConceptMap in fixtures/ (by id) or is an inline map; `spec` names
 * the section of the R4 specification the case covers.
 */
interface TranslateCase {
  spec: string;
  title: string;
  map: string | fhir4.ConceptMap;
  request: TranslateRequest;
  noResolver?: boolean;
  expect?: { result: boolean; matches: TranslateMatch[]; message?: null; messageContains?: string };
  error?: { code: string; messageContains?: string; expression?: string };
}

const readJson = (path: string): unknown => JSON.parse(readFileSync(path, 'utf8'));
const fixtureDir = join(__dirname, 'fixtures');
const caseDir = join(__dirname, 'cases');

const fixtures = new Map<string, fhir4.ConceptMap>();
for (const file of readdirSync(fixtureDir)) {
  const map = readJson(join(fixtureDir, file)) as fhir4.ConceptMap;
  fixtures.set(map.id ?? file, map);
}
const byUrl = new Map([...fixtures.values()].map((m) => [m.url ?? '', m]));
const resolve: ConceptMapResolver = (url) => byUrl.get(url);

const caseFiles = readdirSync(caseDir).filter((f) => f.endsWith('.json')).sort();

function mapOf(spec: TranslateCase['map']): fhir4.ConceptMap {
  if (typeof spec !== 'string') return spec;
  const map = fixtures.get(spec);
  if (!map) throw new Error(`No fixture ConceptMap with id ${spec}`);
  return map;
}

function runCase(c: TranslateCase): void {
  const run = () => translateCode(mapOf(c.map), c.request, c.noResolver ? undefined : resolve);
  if (c.error) {
    let thrown: unknown;
    try {
      run();
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(MigrateError);
    const error = thrown as MigrateError;
    expect(error.code).toBe(c.error.code);
    if (c.error.messageContains) expect(error.message).toContain(c.error.messageContains);
    if (c.error.expression) expect(error.location?.expression).toBe(c.error.expression);
    return;
  }
  if (!c.expect) throw new Error(`Case "${c.title}" has neither expect nor error`);
  const result = run();
  expect(result.result).toBe(c.expect.result);
  expect(result.matches).toEqual(c.expect.matches);
  if (c.expect.message === null) expect(result.message).toBeUndefined();
  if (c.expect.messageContains) expect(result.message).toContain(c.expect.messageContains);
}

describe.each(caseFiles)('$translate cases %s', (file) => {
  const cases = readJson(join(caseDir, file)) as TranslateCase[];
  it.each(cases.map((c) => [`${c.title} — ${c.spec}`, c] as const))('%s', (_name, c) => runCase(c));
});

it('covers every R4 equivalence code, each unmapped mode, reverse and errors', () => {
  const all = caseFiles.flatMap((f) => readJson(join(caseDir, f)) as TranslateCase[]);
  const equivalences = new Set(all.flatMap((c) => c.expect?.matches.map((m) => m.equivalence) ?? []));
  expect([...equivalences].sort()).toEqual(
    ['relatedto', 'equivalent', 'equal', 'wider', 'subsumes', 'narrower', 'specializes', 'inexact', 'unmatched', 'disjoint'].sort(),
  );
  const modes = new Set(all.flatMap((c) => c.expect?.matches.map((m) => m.unmapped) ?? []).filter(Boolean));
  expect([...modes].sort()).toEqual(['fixed', 'provided']);
  const errors = new Set(all.map((c) => c.error?.code).filter(Boolean));
  expect([...errors].sort()).toEqual(['FHIRMIG_ERR_CONCEPTMAP_INVALID', 'FHIRMIG_ERR_CONCEPTMAP_NOT_FOUND', 'FHIRMIG_ERR_CONCEPTMAP_RECURSION']);
  expect(all.filter((c) => c.request.reverse).length).toBeGreaterThanOrEqual(10);
});
