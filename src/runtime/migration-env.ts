import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { MigrateError } from '../core/index.ts';
import { openJobStore, jobStoreOptionsFromLocation, parsePhaseTable } from '../jobs/index.ts';
import type { JobStore, MapSet, PhaseTable } from '../jobs/index.ts';
import { StructureMapEngine, createR4TypeModel } from '../mapping/index.ts';
import type { TypeModel, UnmappedCodeInfo } from '../mapping/index.ts';
import { buildServiceDevice } from '../provenance/index.ts';
import { createTarget, resolveTargetProfile } from '../target/index.ts';
import type { FhirClientOptions, TargetProfile } from '../target/index.ts';
import { validateResource } from '../validation/index.ts';
import type { ConformanceContext } from '../validation/index.ts';
import { loadConformanceContext } from './conformance-loader.ts';
import { loadConceptMaps, loadMapFile, loadR4StructureDefinitions } from './mapping-context.ts';
import { readJsonFile } from './files.ts';
import { MESSAGE_ROUTING, TABLE_DECISIONS, mapSetRules } from './map-set-rules.ts';
import { readPackageVersion } from './package-info.ts';

/**
 * The edge of the migration engine, shared by the CLI and the service: reads the map set, concept
 * maps and conformance packages from files, opens the store and the target, and hands the runner data.
 */

export const DEFAULT_STORE = 'fhir-migrate-jobs.sqlite';

function listFiles(dir: string, suffix: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).filter((n) => n.endsWith(suffix)).sort().map((n) => join(dir, n));
}

/** A folder and its sub-folders (concept maps are grouped per map set). */
function foldersUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const subs = readdirSync(dir).map((n) => join(dir, n)).filter((p) => statSync(p).isDirectory()).sort();
  return [dir, ...subs.flatMap(foldersUnder)];
}

/** Options of loadMapSet. */
export interface LoadMapSetOptions {
  /** Told of every code no ConceptMap translated (the service counts them per job). */
  readonly onUnmappedCode?: (info: UnmappedCodeInfo) => void;
  /** An already loaded type model (the service's); else R4 core's. */
  readonly typeModel?: TypeModel;
  /** Already loaded ConceptMaps by url (the service's); else read from the conceptMapDirs. */
  readonly conceptMaps?: ReadonlyMap<string, fhir4.ConceptMap>;
  /** Names the map set in errors (e.g. `intake.mapSets.hl7v2`); default the folder. */
  readonly label?: string;
}

/**
 * A map set folder, for the CLI's and the service's migrations and intake's `$convert` alike:
 * every `*.map` (or StructureMap JSON) compiled, records routed by `messages.json`, `document.map`,
 * `decisions.json` or file names (see map-set-rules.ts); `phases.json` (optional) overrides the
 * default priority phases.
 */
export function loadMapSet(mapsDir: string, conceptMapDirs: readonly string[], cwd: string, options: LoadMapSetOptions = {}): MapSet {
  const dir = resolve(cwd, mapsDir);
  const label = options.label ?? mapsDir;
  if (!existsSync(dir)) throw new MigrateError('FHIRMIG_ERR_CONFIG_INVALID', `${label}: map set folder ${mapsDir} does not exist.`);
  const mapFiles = listFiles(dir, '.map');
  const maps = new Map(mapFiles.map((f) => [basename(f), loadMapFile(f, cwd)]));
  const byUrl = new Map([...maps.values()].filter((m) => m.url).map((m) => [m.url as string, m]));
  const conceptFolders = options.conceptMaps ? [] : conceptMapDirs.flatMap((d) => foldersUnder(resolve(cwd, d)));
  const conceptMaps = options.conceptMaps ?? new Map(loadConceptMaps(conceptFolders, cwd).filter((c) => c.url).map((c) => [c.url as string, c]));
  const buildEngine = (): StructureMapEngine => new StructureMapEngine({
    typeModel: options.typeModel ?? createR4TypeModel(loadR4StructureDefinitions()),
    resolveMap: (url) => byUrl.get(url) ?? byUrl.get(url.split('|')[0] ?? url),
    listMaps: () => [...maps.values()],
    resolveConceptMap: (url) => conceptMaps.get(url) ?? conceptMaps.get(url.split('|')[0] ?? url),
    ...(options.onUnmappedCode ? { onUnmappedCode: options.onUnmappedCode } : {}),
  });
  const hash = createHash('sha256');
  for (const file of [...mapFiles, join(dir, TABLE_DECISIONS), join(dir, MESSAGE_ROUTING), ...conceptFolders.flatMap((d) => listFiles(d, '.json'))]) {
    if (existsSync(file)) hash.update(basename(file)).update(readFileSync(file));
  }
  // phases.json is not hashed: phases decide when a record loads, not what it becomes.
  const phases = readPhaseTable(dir, cwd);
  // The engine (with R4's definitions, ~60 MB of heap) is built on first use: a runner whose record worker maps never needs it.
  let engine: StructureMapEngine | undefined;
  return {
    id: basename(dir), versionHash: hash.digest('hex').slice(0, 16), tables: mapSetRules(dir, maps, label), ...(phases ? { phases } : {}),
    get engine(): StructureMapEngine {
      return (engine ??= buildEngine());
    },
  };
}

/** The map set's own priority phases (`phases.json` in its folder); absent: the jobs layer's default table. */
function readPhaseTable(dir: string, cwd: string): PhaseTable | undefined {
  const file = join(dir, 'phases.json');
  return existsSync(file) ? parsePhaseTable(readJsonFile(file, cwd), file) : undefined;
}

/** The default map set per source kind (--maps / `maps` not given): `csv:` Synthea, `hl7v2:`, `ccda:`. */
const DEFAULT_MAP_SETS: Readonly<Record<string, string>> = { csv: 'synthea-csv', hl7v2: 'hl7v2', ccda: 'ccda' };

/** The package's own map set for a source spec's kind (`csv:`, `hl7v2:`, `ccda:`); undefined for other kinds. */
export function defaultMapSetFor(sourceSpec: string, packageRoot: string): string | undefined {
  const set = DEFAULT_MAP_SETS[sourceSpec.slice(0, Math.max(0, sourceSpec.indexOf(':')))];
  return set === undefined ? undefined : join(packageRoot, 'maps', set);
}

/** The map set for a source when --maps is not given: the package's own set for its kind. */
export function defaultMapsDir(sourceSpec: string, packageRoot: string): string {
  const dir = defaultMapSetFor(sourceSpec, packageRoot);
  if (dir) return dir;
  throw new MigrateError('FHIRMIG_ERR_CLI_USAGE', 'migrate: a map set (--maps DIR) is required for this source (defaults exist for csv:, hl7v2: and ccda:).');
}

export function buildValidator(igs: readonly string[], cwd: string): (resource: fhir4.Resource) => fhir4.OperationOutcome {
  const context: ConformanceContext = loadConformanceContext({ igs, cwd });
  return (resource) => validateResource(context, resource);
}

/** `medplum` limits (50 PUTs, 8 conditional entries) fit every server we know; `file:` has none. */
export function targetProfileFor(targetSpec: string, name: string | undefined): TargetProfile {
  if (name) return resolveTargetProfile(name as Parameters<typeof resolveTargetProfile>[0]);
  return resolveTargetProfile(targetSpec.startsWith('file:') ? 'put' : 'medplum');
}

export function openTarget(spec: string, cwd: string, options: Omit<FhirClientOptions, 'baseUrl'> = {}): ReturnType<typeof createTarget> {
  return createTarget(spec.startsWith('file:') ? `file:${resolve(cwd, spec.slice(5))}` : spec, options);
}

export function openStore(location: string | undefined, cwd: string): Promise<JobStore> {
  const where = location ?? DEFAULT_STORE;
  return openJobStore(jobStoreOptionsFromLocation(/^postgres/i.test(where) ? where : resolve(cwd, where)));
}

/** The Device that authors Provenance and AuditEvents: this package at its version. */
export function serviceDevice(where: { readonly packageRoot: string }): fhir4.Device {
  return buildServiceDevice({ version: readPackageVersion(where.packageRoot) });
}
