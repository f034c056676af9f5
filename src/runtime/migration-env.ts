import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { MigrateError } from '../core/index.ts';
import { openJobStore, jobStoreOptionsFromLocation, parsePhaseTable } from '../jobs/index.ts';
import type { JobStore, MapSet, PhaseTable, TableRule } from '../jobs/index.ts';
import { StructureMapEngine, createR4TypeModel } from '../mapping/index.ts';
import type { UnmappedCodeInfo } from '../mapping/index.ts';
import { buildServiceDevice } from '../provenance/index.ts';
import { createTarget, resolveTargetProfile } from '../target/index.ts';
import type { FhirClientOptions, TargetProfile } from '../target/index.ts';
import { validateResource } from '../validation/index.ts';
import type { ConformanceContext } from '../validation/index.ts';
import { loadConformanceContext } from './conformance-loader.ts';
import { loadConceptMaps, loadMapFile, loadR4StructureDefinitions } from './mapping-context.ts';
import { readJsonFile } from './files.ts';
import { readPackageVersion } from './package-info.ts';

/**
 * The edge of the migration engine, shared by the CLI and the service: reads the map set, concept
 * maps and conformance packages from files, opens the store and the target, and hands the runner data.
 */

export const DEFAULT_STORE = 'fhir-migrate-jobs.sqlite';

interface DecisionTable {
  readonly map: string | null;
  readonly resourceType: string | null;
  readonly rows?: string;
  readonly rowsReason?: string;
  readonly rowRules?: readonly { readonly when: string; readonly reason: string }[];
}

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

/**
 * A map set folder: `*.map` (or StructureMap JSON) files; `decisions.json` names each table's map
 * (null or `rows: archive` = archived), else a table is mapped by the file `<table>.map`;
 * `phases.json` (optional) overrides the default priority phases.
 */
export interface LoadMapSetOptions {
  /** Told of every code no ConceptMap translated (the service counts them per job). */
  readonly onUnmappedCode?: (info: UnmappedCodeInfo) => void;
}

export function loadMapSet(mapsDir: string, conceptMapDirs: readonly string[], cwd: string, options: LoadMapSetOptions = {}): MapSet {
  const dir = resolve(cwd, mapsDir);
  if (!existsSync(dir)) throw new MigrateError('FHIRMIG_ERR_CONFIG_INVALID', `Map set folder ${mapsDir} does not exist.`);
  const mapFiles = listFiles(dir, '.map');
  const maps = new Map(mapFiles.map((f) => [basename(f), loadMapFile(f, cwd)]));
  const byUrl = new Map([...maps.values()].filter((m) => m.url).map((m) => [m.url as string, m]));
  const conceptFolders = conceptMapDirs.flatMap((d) => foldersUnder(resolve(cwd, d)));
  const conceptMaps = new Map(loadConceptMaps(conceptFolders, cwd).filter((c) => c.url).map((c) => [c.url as string, c]));
  const engine = new StructureMapEngine({
    typeModel: createR4TypeModel(loadR4StructureDefinitions()),
    resolveMap: (url) => byUrl.get(url) ?? byUrl.get(url.split('|')[0] ?? url),
    listMaps: () => [...maps.values()],
    resolveConceptMap: (url) => conceptMaps.get(url) ?? conceptMaps.get(url.split('|')[0] ?? url),
    ...(options.onUnmappedCode ? { onUnmappedCode: options.onUnmappedCode } : {}),
  });
  const hash = createHash('sha256');
  for (const file of [...mapFiles, join(dir, 'decisions.json'), ...conceptFolders.flatMap((d) => listFiles(d, '.json'))]) {
    if (existsSync(file)) hash.update(basename(file)).update(readFileSync(file));
  }
  // phases.json is not hashed: phases decide when a record loads, not what it becomes.
  const phases = readPhaseTable(dir, cwd);
  return { id: basename(dir), versionHash: hash.digest('hex').slice(0, 16), engine, tables: tableRules(dir, maps), ...(phases ? { phases } : {}) };
}

/** The map set's own priority phases (`phases.json` in its folder); absent: the jobs layer's default table. */
function readPhaseTable(dir: string, cwd: string): PhaseTable | undefined {
  const file = join(dir, 'phases.json');
  return existsSync(file) ? parsePhaseTable(readJsonFile(file, cwd), file) : undefined;
}

function tableRules(dir: string, maps: ReadonlyMap<string, fhir4.StructureMap>): Map<string, TableRule> {
  const rules = new Map<string, TableRule>();
  const decisionsFile = join(dir, 'decisions.json');
  if (!existsSync(decisionsFile)) {
    for (const [file, map] of maps) rules.set(file.replace(/\.map$/, ''), { kind: 'map', map });
    return rules;
  }
  const tables = (JSON.parse(readFileSync(decisionsFile, 'utf8')) as { tables: Record<string, DecisionTable> }).tables;
  for (const [table, decision] of Object.entries(tables)) {
    const map = decision.map ? maps.get(decision.map) : undefined;
    if (decision.rows === 'archive' || !decision.map) rules.set(table, { kind: 'archive', reason: decision.rowsReason ?? 'table archived by decision' });
    else if (!map) throw new MigrateError('FHIRMIG_ERR_MAP_NOT_FOUND', `decisions.json names ${decision.map} for ${table}, which is not in ${dir}.`);
    else {
      const skipReason = decision.rowRules?.map((r) => r.when).join('; ');
      rules.set(table, { kind: 'map', map, ...(decision.resourceType ? { resourceType: decision.resourceType } : {}), ...(skipReason ? { skipReason } : {}) });
    }
  }
  return rules;
}

/** The map set for a source when --maps is not given: the Synthea set for a CSV folder. */
export function defaultMapsDir(sourceSpec: string, packageRoot: string): string {
  if (sourceSpec.startsWith('csv:')) return join(packageRoot, 'maps', 'synthea-csv');
  throw new MigrateError('FHIRMIG_ERR_CLI_USAGE', 'migrate: a map set (--maps DIR) is required for this source.');
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
