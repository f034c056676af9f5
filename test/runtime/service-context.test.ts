import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createFhirOperations, loadServiceContext } from '../../src/runtime/index.ts';
import type { ServiceContext } from '../../src/runtime/index.ts';

/** The service's start-up loading: maps compiled from a folder tree, ConceptMaps found beside them, broken files reported. */
describe('loadServiceContext', () => {
  let dir: string;
  let context: ServiceContext;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'fhirmig-runtime-'));
    mkdirSync(join(dir, 'maps', 'site'), { recursive: true });
    writeFileSync(join(dir, 'maps', 'site', 'ok.map'), 'map "http://example.org/ok" = "ok"\nuses "http://hl7.org/fhir/StructureDefinition/Patient" as target\ngroup main(source src, target tgt : Patient) {\n  src.g as g -> tgt.gender = g "g";\n}\n');
    writeFileSync(join(dir, 'maps', 'broken.map'), 'map "http://example.org/broken" = "broken"\ngroup main(source src) {\n  src -> ;\n}\n');
    writeFileSync(join(dir, 'maps', 'codes.json'), JSON.stringify({ resourceType: 'ConceptMap', url: 'http://example.org/cm', status: 'active', group: [{ source: 'http://s', target: 'http://t', element: [{ code: 'a', target: [{ code: 'b', equivalence: 'equivalent' }] }] }] }));
    context = loadServiceContext({ mapsDir: join(dir, 'maps'), conceptMapDirs: ['missing-conceptmaps'], profileDirs: [], igDirs: [], modelDirs: [], cwd: dir });
  }, 120_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('compiles the .map files of the folder tree and indexes maps by url', () => {
    expect([...context.structureMaps.keys()]).toEqual(['http://example.org/ok']);
    expect([...context.conceptMaps.keys()]).toEqual(['http://example.org/cm']);
    expect(context.counts.conformanceResources).toBeGreaterThan(1000);
  });

  it('reports a map that does not parse, with its file and code, instead of failing start-up', () => {
    expect(context.mapErrors.map((e) => [e.file, e.error.code, e.error.location?.line])).toEqual([[join(dir, 'maps', 'broken.map'), 'FHIRMIG_ERR_FML_SYNTAX', 3]]);
    const maps = createFhirOperations(context).readiness().find((c) => c.name === 'maps');
    expect(maps).toEqual({ name: 'maps', ok: false, detail: `1 map file(s) failed to load: ${join(dir, 'maps', 'broken.map')} (FHIRMIG_ERR_FML_SYNTAX)` });
  });

  it('lists configured folders that do not exist', () => {
    expect(context.missingDirs).toEqual([join(dir, 'missing-conceptmaps')]);
  });

  it('runs a loaded map through the operations', () => {
    const operations = createFhirOperations(context);
    expect(operations.transform({ map: { kind: 'url', url: 'http://example.org/ok' }, content: { g: 'female' } })).toEqual({ resourceType: 'Patient', gender: 'female' });
    expect(operations.translate({ selector: { url: 'http://example.org/cm' }, request: { system: 'http://s', code: 'a' } })).toMatchObject({ result: true, matches: [{ concept: { code: 'b' } }] });
  });
});
