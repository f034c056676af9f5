import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseFml } from '../../../src/mapping/fml/index.ts';

/**
 * Data-driven compile cases: cases/<name>/map.map compiles to cases/<name>/expected.json (the
 * StructureMap HAPI StructureMapUtilities.parse produces, R4 form); case.json names the spec part.
 */
const CASES_DIR = join(__dirname, 'cases');
const caseNames = readdirSync(CASES_DIR).sort();

function readCase(name: string): { map: string; expected: unknown; meta: { spec: string; note: string } } {
  const dir = join(CASES_DIR, name);
  return {
    map: readFileSync(join(dir, 'map.map'), 'utf8'),
    expected: JSON.parse(readFileSync(join(dir, 'expected.json'), 'utf8')) as unknown,
    meta: JSON.parse(readFileSync(join(dir, 'case.json'), 'utf8')) as { spec: string; note: string },
  };
}

describe('FML compile cases', () => {
  it('has the case folder populated', () => {
    expect(caseNames.length).toBeGreaterThanOrEqual(40);
  });

  it.each(caseNames)('%s', (name) => {
    const { map, expected, meta } = readCase(name);
    expect(meta.spec).toMatch(/\S/);
    expect(parseFml(map, { file: `${name}/map.map` })).toStrictEqual(expected);
  });

  it('accepts CRLF line endings and a byte order mark with the same result', () => {
    const { map, expected } = readCase('tutorial-step6-nested-rules');
    expect(parseFml('\ufeff' + map.replace(/\n/g, '\r\n'))).toStrictEqual(expected);
  });

  it('writes StructureMap keys in FHIR element order (as HAPI serialises)', () => {
    const { map } = readCase('tutorial-step10-translate-embedded-conceptmap');
    const result = parseFml(map);
    expect(Object.keys(result)).toEqual(['resourceType', 'id', 'contained', 'url', 'name', 'status', 'structure', 'group']);
    const rule = result.group[0]?.rule?.[0];
    expect(Object.keys(rule?.target?.[0] ?? {})).toEqual(['context', 'contextType', 'element', 'transform', 'parameter']);
  });
});
