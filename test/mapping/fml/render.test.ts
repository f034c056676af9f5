import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseFml, renderFml } from '../../../src/mapping/fml/index.ts';

const CASES_DIR = join(__dirname, 'cases');

/** What the map form of the header cannot carry (HAPI render writes `map "url" = "name"` only). */
function withoutMetadata(map: fhir4.StructureMap, title: string | undefined): fhir4.StructureMap {
  const { title: _title, status: _status, ...rest } = map;
  if (title !== undefined && map.description === title) delete rest.description;
  return rest as fhir4.StructureMap;
}

/** HAPI stores `'it\'s'` as `'it's'` (escapeJson leaves ' alone), which no parser reads back. */
const NOT_REPARSABLE = new Set(['fhirpath-string-escapes']);

describe('renderFml', () => {
  it.each(readdirSync(CASES_DIR).filter((n) => !NOT_REPARSABLE.has(n)).sort())('round-trips %s through text', (name) => {
    const expected = JSON.parse(readFileSync(join(CASES_DIR, name, 'expected.json'), 'utf8')) as fhir4.StructureMap;
    const text = renderFml(expected);
    expect(withoutMetadata(parseFml(text), expected.title)).toStrictEqual(withoutMetadata(expected, expected.title));
  });

  it('renders like HAPI: CRLF, simple form, quoted names, documentation comments', () => {
    const map = parseFml('map "http://e.org/m" = "m"\n\ngroup g(source src : A, target tgt : B) <<types>> {\n  src.a -> tgt.a; // copy\n  src.b as b -> tgt.c = b "rb";\n}\n');
    expect(renderFml(map)).toBe([
      'map "http://e.org/m" = "m"', '',
      'group g(source src : A, target tgt : B) <<types>> {',
      '  src.a -> tgt.a; // copy',
      '  src.b as b -> tgt.c = b "rb";',
      '}', '', '',
    ].join('\r\n'));
  });
});
