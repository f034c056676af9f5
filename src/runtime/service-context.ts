import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { isMigrateError } from '../core/index.ts';
import type { MigrateError } from '../core/index.ts';
import { createR4TypeModel, parseFml } from '../mapping/index.ts';
import type { TypeModel } from '../mapping/index.ts';
import { ConformanceContext } from '../validation/index.ts';
import { R4_CORE_FILES } from './conformance-loader.ts';
import { listFiles, ofType, readJson, readText, resolveDirs, resourcesIn } from './files.ts';
import { readR4Definitions } from './r4-definitions.ts';

/** The first two core files (types and resources) also feed the type model. */
const TYPE_MODEL_FILES = new Set(R4_CORE_FILES.slice(0, 2));

/** Where the service reads its conformance resources, maps and concept maps (a slice of the config). */
export interface ServiceContextOptions {
  readonly mapsDir: string;
  readonly conceptMapDirs: readonly string[];
  readonly profileDirs: readonly string[];
  readonly igDirs: readonly string[];
  readonly modelDirs: readonly string[];
  /** Relative folders resolve against this. */
  readonly cwd: string;
}

export interface MapLoadError {
  readonly file: string;
  readonly error: MigrateError;
}

/** Everything the FHIR operations need, loaded once at start-up. */
export interface ServiceContext {
  readonly conformance: ConformanceContext;
  readonly typeModel: TypeModel;
  readonly structureMaps: ReadonlyMap<string, fhir4.StructureMap>;
  readonly conceptMaps: ReadonlyMap<string, fhir4.ConceptMap>;
  readonly counts: { readonly conformanceResources: number; readonly structureMaps: number; readonly conceptMaps: number; readonly logicalModels: number };
  /** Configured folders that do not exist (reported at start-up, not fatal: the defaults are relative). */
  readonly missingDirs: readonly string[];
  /** Map files that failed to load (FML syntax, bad JSON): the service runs without them and is not ready. */
  readonly mapErrors: readonly MapLoadError[];
  readonly loadMillis: number;
}

/** Reads R4 core, profiles, IG packages, logical models, maps (FML compiled) and ConceptMaps. A broken map is reported, not fatal. */
export function loadServiceContext(options: ServiceContextOptions): ServiceContext {
  const started = performance.now();
  const { conformance, coreTypes, conformanceResources, missing: conformanceMissing } = loadConformance(options);
  const models = resolveDirs(options.modelDirs, options.cwd);
  const logicalModels = models.present.flatMap((dir) => jsonResources(dir, 'StructureDefinition')) as fhir4.StructureDefinition[];
  const { structureMaps, conceptMaps, mapErrors } = loadMaps(options);
  const mapsMissing = resolveDirs([options.mapsDir, ...options.conceptMapDirs], options.cwd).missing;
  return {
    conformance,
    typeModel: createR4TypeModel([...coreTypes, ...logicalModels]),
    structureMaps: indexByUrl(structureMaps),
    conceptMaps: indexByUrl(conceptMaps),
    counts: { conformanceResources, structureMaps: structureMaps.length, conceptMaps: conceptMaps.length, logicalModels: logicalModels.length },
    missingDirs: [...conformanceMissing, ...models.missing, ...mapsMissing],
    mapErrors,
    loadMillis: Math.round(performance.now() - started),
  };
}

/** R4 core (read once: its types and resources also feed the type model), then profiles, then IG packages. */
function loadConformance(options: ServiceContextOptions) {
  const conformance = new ConformanceContext();
  const coreTypes: fhir4.StructureDefinition[] = [];
  let conformanceResources = 0;
  for (const file of R4_CORE_FILES) {
    const bundle = readR4Definitions(file);
    conformanceResources += conformance.add(bundle);
    if (TYPE_MODEL_FILES.has(file)) coreTypes.push(...ofType<fhir4.StructureDefinition>(resourcesIn(bundle), 'StructureDefinition'));
  }
  const profiles = resolveDirs(options.profileDirs, options.cwd);
  for (const dir of profiles.present) {
    for (const file of listFiles(dir, isResourceJson)) conformanceResources += conformance.add(readJson(file.path));
  }
  const igs = resolveDirs(options.igDirs, options.cwd);
  for (const dir of igs.present) conformanceResources += loadPackage(conformance, dir);
  return { conformance, coreTypes, conformanceResources, missing: [...profiles.missing, ...igs.missing] };
}

function isResourceJson(name: string): boolean {
  return name.endsWith('.json') && name !== 'package.json';
}

function jsonResources(dir: string, resourceType: string): unknown[] {
  return listFiles(dir, isResourceJson).flatMap((file) => ofType(resourcesIn(readJson(file.path)), resourceType));
}

/** An unpacked FHIR NPM package: `<dir>/package/*.json` or `<dir>/*.json` (package.json excluded). */
function loadPackage(context: ConformanceContext, dir: string): number {
  const packageDir = existsSync(join(dir, 'package', 'package.json')) ? join(dir, 'package') : dir;
  let count = 0;
  // Only the package's top folder holds its conformance resources (examples and others sit below).
  for (const file of listFiles(packageDir, isResourceJson)) if (dirname(file.path) === packageDir) count += context.add(readJson(file.path));
  return count;
}

/** Maps from the maps folder (`*.map` compiled, StructureMap JSON) and ConceptMaps from it and the ConceptMap folders. */
function loadMaps(options: ServiceContextOptions): { structureMaps: fhir4.StructureMap[]; conceptMaps: fhir4.ConceptMap[]; mapErrors: MapLoadError[] } {
  const structureMaps: fhir4.StructureMap[] = [];
  const conceptMaps: fhir4.ConceptMap[] = [];
  const mapErrors: MapLoadError[] = [];
  const collect = (file: string, load: () => void) => {
    try {
      load();
    } catch (error) {
      if (!isMigrateError(error)) throw error;
      mapErrors.push({ file, error });
    }
  };
  for (const dir of resolveDirs([options.mapsDir], options.cwd).present) {
    for (const file of listFiles(dir, (name) => name.endsWith('.map'))) collect(file.path, () => structureMaps.push(parseFml(readText(file.path), { file: file.path })));
    for (const file of listFiles(dir, isResourceJson)) {
      collect(file.path, () => {
        const resources = resourcesIn(readJson(file.path));
        structureMaps.push(...ofType<fhir4.StructureMap>(resources, 'StructureMap'));
        conceptMaps.push(...ofType<fhir4.ConceptMap>(resources, 'ConceptMap'));
      });
    }
  }
  for (const dir of resolveDirs(options.conceptMapDirs, options.cwd).present) {
    conceptMaps.push(...(jsonResources(dir, 'ConceptMap') as fhir4.ConceptMap[]));
  }
  return { structureMaps, conceptMaps, mapErrors };
}

/** By canonical url, by `url|version`; the first loaded wins (site folders come first in the config). */
function indexByUrl<T extends { url?: string; version?: string }>(items: readonly T[]): Map<string, T> {
  const index = new Map<string, T>();
  for (const item of items) {
    if (!item.url) continue;
    if (!index.has(item.url)) index.set(item.url, item);
    if (item.version && !index.has(`${item.url}|${item.version}`)) index.set(`${item.url}|${item.version}`, item);
  }
  return index;
}
