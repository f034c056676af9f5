import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { codeSetsFromMaps } from '../../assessment/index.ts';
import type { CodeSet, ColumnType, DecisionRegister, MappingProbe, UnmappedCodeEvent } from '../../assessment/index.ts';
import { MigrateError } from '../../core/index.ts';
import type { SourceRecord } from '../../core/index.ts';
import type { MapSet } from '../../jobs/index.ts';
import { CsvSource, checkDescriptor, createSource } from '../../sources/index.ts';
import type { LegacySource, SourceDescriptor } from '../../sources/index.ts';
import { readJsonFile } from '../files.ts';
import { TABLE_DECISIONS, loadConceptMaps, loadMapSet } from '../../runtime/index.ts';

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
  /** The map set's `decisions.json`; absent, every field seen is undecided. */
  readonly decisions?: DecisionRegister;
  readonly codeSets: Record<string, Record<string, CodeSet>>;
  readonly probeMapping: (record: SourceRecord) => MappingProbe | undefined;
  /** Said in the report when the map set has no decision register. */
  readonly decisionsNote?: string;
}

/**
 * The map set in `dir`, loaded by the migration's own loader (records routed by `messages.json`,
 * `document.map`, `decisions.json` or file names), with its optional `decisions.json` register.
 */
export function loadProfileMapSet(dir: string, conceptMapDirs: readonly string[], cwd: string): MapSetInputs {
  const conceptMaps = new Map(loadConceptMaps(conceptMapDirs, cwd).filter((c) => c.url).map((c) => [c.url as string, c]));
  let events: UnmappedCodeEvent[] = [];
  const mapSet = loadMapSet(dir, [], cwd, {
    conceptMaps,
    onUnmappedCode: (info) => events.push({ conceptMap: info.conceptMap, rule: info.rule, ...(info.code !== undefined ? { code: info.code } : {}) }),
  });
  const probeMapping = (record: SourceRecord): MappingProbe | undefined => {
    const rule = mapSet.tables.get(record.ref.kind);
    if (rule?.kind !== 'map') return undefined;
    events = [];
    try {
      mapSet.engine.transform(rule.map, { ...(record.data as Record<string, unknown>), _key: record.key });
      return { unmapped: events };
    } catch (error) {
      return { unmapped: events, error: error instanceof Error ? error.message : String(error) };
    }
  };
  const decisions = readDecisions(resolve(cwd, dir), cwd);
  if (!decisions) return { codeSets: {}, probeMapping, decisionsNote: `The map set ${dir} has no decision register (${TABLE_DECISIONS}): every field seen is listed undecided.` };
  return { decisions, codeSets: codeSetsFromMaps(decisions, mapsByFile(decisions, mapSet), (url) => conceptMaps.get(url)), probeMapping };
}

function readDecisions(dir: string, cwd: string): DecisionRegister | undefined {
  const path = join(dir, TABLE_DECISIONS);
  if (!existsSync(path)) return undefined;
  const decisions = readJsonFile(path, cwd) as DecisionRegister;
  if (typeof decisions?.tables !== 'object' || decisions.tables === null) {
    throw new MigrateError('FHIRMIG_ERR_INPUT_JSON', `${path} has no "tables" object.`, { location: { file: path } });
  }
  return decisions;
}

/** The map files the register names, as the map set compiled them. */
function mapsByFile(decisions: DecisionRegister, mapSet: MapSet): Map<string, fhir4.StructureMap> {
  const maps = new Map<string, fhir4.StructureMap>();
  for (const [kind, table] of Object.entries(decisions.tables)) {
    const rule = mapSet.tables.get(kind);
    if (table.map && rule?.kind === 'map') maps.set(table.map, rule.map);
  }
  return maps;
}

/** `conceptmaps/` and its sub-folders under the package root, where the map sets' ConceptMaps live. */
export function defaultConceptMapDirs(packageRoot: string): string[] {
  const root = join(packageRoot, 'conceptmaps');
  if (!existsSync(root)) return [];
  return [root, ...readdirSync(root).map((d) => join(root, d)).filter((d) => statSync(d).isDirectory())];
}
