import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { loadConceptMaps, loadMapFile, loadR4StructureDefinitions } from '../../../src/runtime/index.ts';
import { StructureMapEngine, createR4TypeModel } from '../../../src/mapping/index.ts';
import type { TransformOptions } from '../../../src/mapping/index.ts';
import { CsvSource, isSourceRejection } from '../../../src/sources/index.ts';

/**
 * Runs the Synthea CSV map set (maps/synthea-csv, driven by its decisions.json) over every row of
 * the shared Synthea CSV export, with one engine built once. Every row ends as exactly one
 * outcome: mapped, rejected (located reason), skipped by a row rule, or archived by decision.
 */

export const REPO = join(__dirname, '..', '..', '..');
export const SHARED = join(REPO, '..', 'shared');
export const CSV_DIR = join(SHARED, 'testdata', 'synthea', 'csv');
export const FHIR_DIR = join(SHARED, 'testdata', 'synthea', 'fhir');
export const MAP_DIR = join(REPO, 'maps', 'synthea-csv');
export const LINEAGE = 'https://fhir-migrate.dev/source/synthea-csv/';

export type Decision = 'migrate' | 'transform' | 'archive' | 'drop-with-reason';

export interface ColumnDecision {
  readonly decision: Decision;
  readonly target?: string;
  readonly how?: string;
  readonly reason?: string;
}

export interface TableDecisions {
  readonly map: string | null;
  readonly resourceType: string | null;
  readonly key: string | null;
  readonly rows?: Decision;
  readonly rowsReason?: string;
  readonly rowRules?: readonly { readonly when: string; readonly decision: Decision; readonly reason: string }[];
  readonly columns: Readonly<Record<string, ColumnDecision>>;
}

export interface DecisionRegister {
  readonly tables: Readonly<Record<string, TableDecisions>>;
}

export type Resource = Record<string, unknown> & { resourceType: string };

export type RowOutcome =
  | { readonly kind: 'mapped'; readonly table: string; readonly key: string; readonly patient?: string; readonly resource: Resource }
  | { readonly kind: 'rejected'; readonly table: string; readonly locator: string; readonly reason: string }
  | { readonly kind: 'skipped'; readonly table: string; readonly key: string; readonly reason: string }
  | { readonly kind: 'archived'; readonly table: string; readonly key: string; readonly reason: string };

export function readDecisions(): DecisionRegister {
  return JSON.parse(readFileSync(join(MAP_DIR, 'decisions.json'), 'utf8')) as DecisionRegister;
}

export interface MapSet {
  readonly engine: StructureMapEngine;
  readonly maps: ReadonlyMap<string, fhir4.StructureMap>;
  /** Codes translate() found in no ConceptMap: `conceptMap|code` → count. */
  readonly unmapped: Map<string, number>;
}

function byUrl<T extends { url?: string }>(items: readonly T[]): Map<string, T> {
  return new Map(items.filter((i) => i.url).map((i) => [i.url as string, i]));
}

/** One engine for every map of the set (imports resolve among the set's maps). */
export function buildMapSet(): MapSet {
  const files = readdirSync(MAP_DIR).filter((f) => f.endsWith('.map')).sort();
  const maps = new Map(files.map((f) => [f, loadMapFile(join(MAP_DIR, f), REPO)]));
  const mapIndex = byUrl([...maps.values()]);
  const conceptMaps = byUrl(loadConceptMaps(['conceptmaps', join('conceptmaps', 'synthea')], REPO));
  const unmapped = new Map<string, number>();
  const options: TransformOptions = {
    onUnmappedCode: (info) => {
      const key = `${info.conceptMap.replace(/^.*\//, '')}|${info.code ?? ''}`;
      unmapped.set(key, (unmapped.get(key) ?? 0) + 1);
    },
    typeModel: createR4TypeModel(loadR4StructureDefinitions()),
    resolveMap: (url) => mapIndex.get(url),
    listMaps: () => [...maps.values()],
    resolveConceptMap: (url) => conceptMaps.get(url),
  };
  return { engine: new StructureMapEngine(options), maps, unmapped };
}

/** Maps one row (the record's `data` plus `_key`); a row rule that produces nothing gives `skipped`. */
export function mapRow(set: MapSet, table: string, decisions: TableDecisions, key: string, patient: string | undefined, data: Record<string, string>, locator: string): RowOutcome {
  if (decisions.rows === 'archive' || !decisions.map) return { kind: 'archived', table, key, reason: decisions.rowsReason ?? 'table archived' };
  const map = set.maps.get(decisions.map);
  if (!map) return { kind: 'rejected', table, locator, reason: `map ${decisions.map} not found` };
  try {
    const resource = set.engine.transform(map, { ...data, _key: key }) as Resource;
    if (Object.keys(resource).length <= 1) {
      const rule = decisions.rowRules?.[0];
      return rule ? { kind: 'skipped', table, key, reason: `${rule.decision}: ${rule.when}` } : { kind: 'rejected', table, locator, reason: 'the map produced an empty resource' };
    }
    return patient === undefined ? { kind: 'mapped', table, key, resource } : { kind: 'mapped', table, key, patient, resource };
  } catch (error) {
    return { kind: 'rejected', table, locator, reason: `${(error as Error).message}` };
  }
}

/** Reads every table through the csv connector and maps every row. */
export async function mapAllRows(set: MapSet, register: DecisionRegister): Promise<RowOutcome[]> {
  const source = new CsvSource(CSV_DIR, { name: 'synthea-csv' });
  const outcomes: RowOutcome[] = [];
  try {
    for await (const item of source.read()) {
      const table = item.ref.kind;
      if (isSourceRejection(item)) {
        outcomes.push({ kind: 'rejected', table, locator: item.ref.locator, reason: item.message });
        continue;
      }
      const decisions = register.tables[table];
      if (!decisions) {
        outcomes.push({ kind: 'rejected', table, locator: item.ref.locator, reason: `no decisions for table ${table}` });
        continue;
      }
      outcomes.push(mapRow(set, table, decisions, item.key, item.patientKey, item.data as Record<string, string>, item.ref.locator));
    }
  } finally {
    await source.close();
  }
  return outcomes;
}

/** The Synthea FHIR export: patient id → that patient's bundle resources. */
export function readSyntheaBundles(): Map<string, Resource[]> {
  const result = new Map<string, Resource[]>();
  for (const file of readdirSync(FHIR_DIR).filter((f) => f.endsWith('.json') && !/^(hospital|practitioner)Information/.test(f)).sort()) {
    const bundle = JSON.parse(readFileSync(join(FHIR_DIR, file), 'utf8')) as fhir4.Bundle;
    const resources = (bundle.entry ?? []).map((e) => e.resource as unknown as Resource).filter((r) => r !== undefined);
    const patient = resources.find((r) => r.resourceType === 'Patient');
    if (patient) result.set(String(patient['id']), resources);
  }
  return result;
}
