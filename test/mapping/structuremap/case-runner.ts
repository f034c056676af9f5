import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadR4StructureDefinitions } from '../../../src/runtime/index.ts';
import { parseFml } from '../../../src/mapping/fml/index.ts';
import { StructureMapEngine, createR4TypeModel } from '../../../src/mapping/structuremap/index.ts';
import type { TransformOptions, UnmappedCodeInfo } from '../../../src/mapping/structuremap/index.ts';

/** One data-driven case: a folder with map.map|map.json, source.json, expected.json|error.json. */
export interface CaseSpec {
  readonly title?: string;
  readonly spec?: string;
  readonly limits?: TransformOptions['limits'];
  readonly unmapped?: UnmappedCodeInfo[];
  readonly logs?: string[];
  readonly target?: unknown;
}

export interface CaseResult {
  readonly output?: unknown;
  readonly error?: { code?: string; message: string; expression?: string };
  readonly unmapped: UnmappedCodeInfo[];
  readonly logs: string[];
}

export const CASES_DIR = join(__dirname, 'cases');

function readJson(path: string): unknown {
  return JSON.parse(readFileSync(path, 'utf8'));
}

function jsonFiles(dir: string): unknown[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((n) => n.endsWith('.json'))
    .sort()
    .flatMap((n) => {
      const value = readJson(join(dir, n)) as { resourceType?: string; entry?: { resource: unknown }[] };
      return value.resourceType === 'Bundle' ? (value.entry ?? []).map((e) => e.resource) : [value];
    });
}

function ofType<T>(resources: unknown[], resourceType: string): T[] {
  return resources.filter((r) => (r as { resourceType?: string }).resourceType === resourceType) as T[];
}

function loadMap(path: string): fhir4.StructureMap {
  return path.endsWith('.map') ? parseFml(readFileSync(path, 'utf8'), { file: path }) : (readJson(path) as fhir4.StructureMap);
}

export function loadMainMap(dir: string): fhir4.StructureMap {
  return loadMap(existsSync(join(dir, 'map.map')) ? join(dir, 'map.map') : join(dir, 'map.json'));
}

function importedMaps(dir: string): fhir4.StructureMap[] {
  const mapsDir = join(dir, 'maps');
  if (!existsSync(mapsDir)) return [];
  return readdirSync(mapsDir).sort().map((n) => loadMap(join(mapsDir, n)));
}

export function caseNames(): string[] {
  return readdirSync(CASES_DIR).filter((n) => existsSync(join(CASES_DIR, n, 'case.json'))).sort();
}

export function readCase(name: string): { dir: string; spec: CaseSpec; expected?: unknown; expectedError?: { code: string; message: string } } {
  const dir = join(CASES_DIR, name);
  const spec = readJson(join(dir, 'case.json')) as CaseSpec;
  const expected = existsSync(join(dir, 'expected.json')) ? readJson(join(dir, 'expected.json')) : undefined;
  const expectedError = existsSync(join(dir, 'error.json')) ? (readJson(join(dir, 'error.json')) as { code: string; message: string }) : undefined;
  return { dir, spec, expected, expectedError };
}

export function runCase(name: string): CaseResult {
  const { dir, spec } = readCase(name);
  const unmapped: UnmappedCodeInfo[] = [];
  const logs: string[] = [];
  let counter = 0;
  try {
    const map = loadMainMap(dir);
    const resources = [...jsonFiles(join(dir, 'models')), ...jsonFiles(join(dir, 'conceptmaps')), ...jsonFiles(join(dir, 'terminology'))];
    const models = ofType<fhir4.StructureDefinition>(resources, 'StructureDefinition');
    const conceptMaps = ofType<fhir4.ConceptMap>(resources, 'ConceptMap');
    const valueSets = ofType<fhir4.ValueSet>(resources, 'ValueSet');
    const codeSystems = ofType<fhir4.CodeSystem>(resources, 'CodeSystem');
    const maps = [map, ...importedMaps(dir)];
    const engine = new StructureMapEngine({
      typeModel: createR4TypeModel([...loadR4StructureDefinitions(), ...models]),
      resolveMap: (url) => maps.find((m) => m.url === url),
      listMaps: () => maps,
      resolveConceptMap: (url) => conceptMaps.find((c) => c.url === url),
      resolveValueSet: (url) => valueSets.find((v) => v.url === url),
      resolveCodeSystem: (url) => codeSystems.find((c) => c.url === url),
      onUnmappedCode: (info) => unmapped.push(info),
      onLog: (message) => logs.push(message),
      uuid: () => `00000000-0000-4000-8000-${String(++counter).padStart(12, '0')}`,
      now: () => new Date('2024-01-02T03:04:05Z'),
      ...(spec.limits ? { limits: spec.limits } : {}),
    });
    const source = readJson(join(dir, 'source.json'));
    return { output: engine.transform(map, source, spec.target), unmapped, logs };
  } catch (error) {
    const e = error as { code?: string; message: string; location?: { expression?: string } };
    return { error: { code: e.code, message: e.message, expression: e.location?.expression }, unmapped, logs };
  }
}
