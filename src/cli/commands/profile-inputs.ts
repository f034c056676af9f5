import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { codeSetsFromMaps } from '../../assessment/index.ts';
import type { CodeSet, ColumnType, DecisionRegister, MappingProbe, UnmappedCodeEvent } from '../../assessment/index.ts';
import { MigrateError } from '../../core/index.ts';
import type { SourceRecord } from '../../core/index.ts';
import { StructureMapEngine, createR4TypeModel } from '../../mapping/index.ts';
import { CsvSource, checkDescriptor, createSource } from '../../sources/index.ts';
import type { LegacySource, SourceDescriptor } from '../../sources/index.ts';
import { readJsonFile } from '../files.ts';
import { loadConceptMaps, loadMapFile, loadR4StructureDefinitions } from '../../runtime/index.ts';

/**
 * The edge of `profile`: opens the source with its declared types lifted off (the assessment
 * counts values that do not parse instead of the connector rejecting whole records), lists its
 * columns, and loads the map set (decisions, maps, ConceptMaps) into a mapping probe.
 */

export interface ProfiledSource {
  readonly source: LegacySource;
  readonly columnTypes: Record<string, Record<string, ColumnType>>;
  readonly columns: Record<string, string[]>;
}

export async function openProfiledSource(spec: string, descriptor: SourceDescriptor | undefined, name: string | undefined): Promise<ProfiledSource> {
  const named = name ? { name } : {};
  let declared = descriptor;
  if (!declared) {
    const probe = createSource(spec, named);
    if (!(probe instanceof CsvSource)) return { source: probe, columnTypes: {}, columns: await listColumns(probe) };
    declared = descriptorOfCsvLayout(probe);
    await probe.close();
  }
  const columnTypes = Object.fromEntries(Object.entries(declared.tables).map(([kind, t]) => [kind, { ...t.types }]));
  const source = createSource(spec, { ...named, descriptor: withoutTypes(declared) });
  return { source, columnTypes, columns: await listColumns(source) };
}

async function listColumns(source: LegacySource): Promise<Record<string, string[]>> {
  const columns: Record<string, string[]> = {};
  if (source.listColumns) for (const kind of await source.listKinds()) columns[kind] = (await source.listColumns(kind)) ?? [];
  return columns;
}

function descriptorOfCsvLayout(source: CsvSource): SourceDescriptor {
  const tables = Object.fromEntries(source.layout.tables.map((t) => [t.kind, {
    file: t.fileName,
    ...(t.keyColumns.length > 0 ? { key: t.keyColumns } : {}),
    ...(t.patientColumn !== undefined ? { patient: t.patientColumn } : {}),
    ...(t.types ? { types: t.types } : {}),
    delimiter: t.dialect.delimiter,
    quote: t.dialect.quote,
    encoding: t.dialect.encoding,
  }]));
  return { tables };
}

function withoutTypes(descriptor: SourceDescriptor): SourceDescriptor {
  const tables = Object.fromEntries(Object.entries(descriptor.tables).map(([kind, { types: _types, ...rest }]) => [kind, rest]));
  return { ...descriptor, tables };
}

export function readDescriptor(path: string, cwd: string): SourceDescriptor {
  return checkDescriptor(readJsonFile(path, cwd), path);
}

export interface MapSetInputs {
  readonly decisions: DecisionRegister;
  readonly codeSets: Record<string, Record<string, CodeSet>>;
  readonly probeMapping: (record: SourceRecord) => MappingProbe | undefined;
}

/** Loads `DIR/decisions.json`, the `.map` files beside it and the ConceptMaps; builds one engine. */
export function loadMapSet(dir: string, conceptMapDirs: readonly string[], cwd: string): MapSetInputs {
  const full = resolve(cwd, dir);
  const decisionsPath = join(full, 'decisions.json');
  if (!existsSync(decisionsPath)) throw new MigrateError('FHIRMIG_ERR_INPUT_READ', `The map set ${dir} has no decisions.json.`, { location: { file: decisionsPath } });
  const decisions = readJsonFile(decisionsPath, cwd) as DecisionRegister;
  if (typeof decisions?.tables !== 'object' || decisions.tables === null) {
    throw new MigrateError('FHIRMIG_ERR_INPUT_JSON', `${decisionsPath} has no "tables" object.`, { location: { file: decisionsPath } });
  }
  const maps = new Map(readdirSync(full).filter((f) => f.endsWith('.map')).sort().map((f) => [f, loadMapFile(join(full, f), cwd)]));
  const mapIndex = new Map([...maps.values()].filter((m) => m.url).map((m) => [m.url as string, m]));
  const conceptMaps = new Map(loadConceptMaps(conceptMapDirs, cwd).filter((c) => c.url).map((c) => [c.url as string, c]));
  let events: UnmappedCodeEvent[] = [];
  const engine = new StructureMapEngine({
    typeModel: createR4TypeModel(loadR4StructureDefinitions()),
    resolveMap: (url) => mapIndex.get(url) ?? mapIndex.get(url.split('|')[0] ?? url),
    listMaps: () => [...maps.values()],
    resolveConceptMap: (url) => conceptMaps.get(url) ?? conceptMaps.get(url.split('|')[0] ?? url),
    onUnmappedCode: (info) => events.push({ conceptMap: info.conceptMap, rule: info.rule, ...(info.code !== undefined ? { code: info.code } : {}) }),
  });
  const probeMapping = (record: SourceRecord): MappingProbe | undefined => {
    const table = decisions.tables[record.ref.kind];
    const map = table?.map && table.rows !== 'archive' ? maps.get(table.map) : undefined;
    if (!map) return undefined;
    events = [];
    try {
      engine.transform(map, { ...(record.data as Record<string, unknown>), _key: record.key });
      return { unmapped: events };
    } catch (error) {
      return { unmapped: events, error: error instanceof Error ? error.message : String(error) };
    }
  };
  return { decisions, codeSets: codeSetsFromMaps(decisions, maps, (url) => conceptMaps.get(url)), probeMapping };
}

/** `conceptmaps/` and its sub-folders under the package root, where the map sets' ConceptMaps live. */
export function defaultConceptMapDirs(packageRoot: string): string[] {
  const root = join(packageRoot, 'conceptmaps');
  if (!existsSync(root)) return [];
  return [root, ...readdirSync(root).map((d) => join(root, d)).filter((d) => statSync(d).isDirectory())];
}
