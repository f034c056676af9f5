import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { loadConceptMaps, loadMapFile, loadR4StructureDefinitions } from '../../../src/runtime/index.ts';
import { StructureMapEngine, createR4TypeModel } from '../../../src/mapping/index.ts';
import { createSource, isSourceRejection } from '../../../src/sources/index.ts';
import type { SourceDescriptor } from '../../../src/sources/index.ts';

/**
 * Runs the legacy SQL map set (maps/sql-example, driven by its decisions.json) over every row a
 * SQL source gives, with one engine. Rows whose table has no map are archived by decision.
 */

// jest gives __dirname; a script run from the repository root does not
const HERE = typeof __dirname === 'string' ? __dirname : join(process.cwd(), 'test', 'maps', 'sql-example');
export const REPO = join(HERE, '..', '..', '..');
export const MAP_DIR = join(REPO, 'maps', 'sql-example');

export type Resource = Record<string, unknown> & { resourceType: string };

export interface MappedRow {
  readonly table: string;
  readonly key: string;
  readonly row: Readonly<Record<string, unknown>>;
  readonly resource: Resource;
}

export interface SqlMapRun {
  readonly mapped: MappedRow[];
  readonly failures: { table: string; locator: string; reason: string }[];
  readonly unmapped: Map<string, number>;
}

interface TableDecisions {
  readonly map: string | null;
}

export function readSqlDecisions(): { tables: Record<string, TableDecisions> } {
  return JSON.parse(readFileSync(join(MAP_DIR, 'decisions.json'), 'utf8')) as { tables: Record<string, TableDecisions> };
}

export async function mapSqlSource(spec: string, descriptor: SourceDescriptor): Promise<SqlMapRun> {
  const files = readdirSync(MAP_DIR).filter((f) => f.endsWith('.map')).sort();
  const maps = new Map(files.map((f) => [f, loadMapFile(join(MAP_DIR, f), REPO)]));
  const mapIndex = new Map([...maps.values()].map((m) => [m.url as string, m]));
  const conceptMaps = new Map(loadConceptMaps(['conceptmaps', join('conceptmaps', 'synthea')], REPO).map((c) => [c.url as string, c]));
  const unmapped = new Map<string, number>();
  const engine = new StructureMapEngine({
    typeModel: createR4TypeModel(loadR4StructureDefinitions()),
    resolveMap: (url) => mapIndex.get(url),
    listMaps: () => [...maps.values()],
    resolveConceptMap: (url) => conceptMaps.get(url),
    onUnmappedCode: (info) => unmapped.set(`${info.conceptMap}|${info.code ?? ''}`, (unmapped.get(`${info.conceptMap}|${info.code ?? ''}`) ?? 0) + 1),
  });
  const decisions = readSqlDecisions();
  const run: SqlMapRun = { mapped: [], failures: [], unmapped };
  const source = createSource(spec, { descriptor, name: 'sql-example' });
  try {
    for await (const item of source.read()) {
      const table = item.ref.kind;
      if (isSourceRejection(item)) {
        run.failures.push({ table, locator: item.ref.locator, reason: item.message });
        continue;
      }
      const mapFile = decisions.tables[table]?.map;
      const map = mapFile ? maps.get(mapFile) : undefined;
      if (!map) continue;
      const row = item.data as Record<string, unknown>;
      try {
        run.mapped.push({ table, key: item.key, row, resource: engine.transform(map, { ...row, _key: item.key }) as Resource });
      } catch (error) {
        run.failures.push({ table, locator: item.ref.locator, reason: (error as Error).message });
      }
    }
  } finally {
    await source.close();
  }
  return run;
}
