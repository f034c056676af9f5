import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { loadConceptMaps, loadMapFile, loadR4StructureDefinitions } from '../../../src/runtime/index.ts';
import { loadConformanceContext } from '../../../src/runtime/index.ts';
import { StructureMapEngine, createR4TypeModel } from '../../../src/mapping/index.ts';
import { createSource, isSourceRejection } from '../../../src/sources/index.ts';
import { isValid, validateResource } from '../../../src/validation/index.ts';
import type { ConformanceContext } from '../../../src/validation/index.ts';

/**
 * Runs the C-CDA map set (maps/ccda, entry map document.map) over every sample document, one
 * engine built once. Each document ends mapped (every resource of its Bundle valid against R4 +
 * US Core 6.1.0), rejected (located reason: file#document id, and the failing resource's lineage),
 * or skipped by rule.
 */

export const REPO = join(__dirname, '..', '..', '..');
export const SHARED = join(REPO, '..', 'shared');
export const CCDA_DIR = join(SHARED, 'testdata', 'ccda');
export const MAP_DIR = join(REPO, 'maps', 'ccda');
export const LINEAGE = 'https://fhir-migrate.dev/source/ccda';

export type Resource = Record<string, unknown> & { resourceType: string };

export type DocumentOutcome =
  | { readonly kind: 'mapped'; readonly type: string; readonly key: string; readonly locator: string; readonly resources: readonly Resource[] }
  | { readonly kind: 'rejected'; readonly type: string; readonly locator: string; readonly reason: string }
  | { readonly kind: 'skipped'; readonly type: string; readonly key: string; readonly reason: string };

export interface MapSet {
  readonly engine: StructureMapEngine;
  readonly entry: fhir4.StructureMap;
  readonly unmapped: Map<string, number>;
}

function byUrl<T extends { url?: string }>(items: readonly T[]): Map<string, T> {
  return new Map(items.filter((i) => i.url).map((i) => [i.url as string, i]));
}

export function buildMapSet(): MapSet {
  const files = readdirSync(MAP_DIR).filter((f) => f.endsWith('.map')).sort();
  const maps = new Map(files.map((f) => [f, loadMapFile(join(MAP_DIR, f), REPO)]));
  const mapIndex = byUrl([...maps.values()]);
  const conceptMaps = byUrl(loadConceptMaps([join('conceptmaps', 'ccda')], REPO));
  const unmapped = new Map<string, number>();
  const engine = new StructureMapEngine({
    typeModel: createR4TypeModel(loadR4StructureDefinitions()),
    resolveMap: (url) => mapIndex.get(url),
    listMaps: () => [...maps.values()],
    resolveConceptMap: (url) => conceptMaps.get(url),
    onUnmappedCode: (info) => {
      const key = `${info.conceptMap.replace(/^.*\//, '')}|${info.code ?? ''}`;
      unmapped.set(key, (unmapped.get(key) ?? 0) + 1);
    },
  });
  return { engine, entry: maps.get('document.map') as fhir4.StructureMap, unmapped };
}

let usCoreContext: ConformanceContext | undefined;
export function usCore(): ConformanceContext {
  usCoreContext ??= loadConformanceContext({ igs: [join(SHARED, 'fhir-packages', 'hl7.fhir.us.core')] });
  return usCoreContext;
}

export function lineageOf(resource: Resource): string | undefined {
  return ((resource['identifier'] ?? []) as fhir4.Identifier[]).find((i) => i.system === LINEAGE)?.value;
}

/** The first validation error of a resource; undefined when valid. */
export function firstError(resource: Resource): string | undefined {
  const outcome = validateResource(usCore(), resource);
  if (isValid(outcome)) return undefined;
  const issue = outcome.issue.find((i) => i.severity === 'error' || i.severity === 'fatal');
  return `${resource.resourceType} ${issue?.expression?.[0] ?? ''}: ${issue?.diagnostics ?? ''}`;
}

export function mapDocument(set: MapSet, type: string, key: string, locator: string, data: unknown): DocumentOutcome {
  try {
    const bundle = set.engine.transform(set.entry, data) as fhir4.Bundle;
    const resources = (bundle.entry ?? []).map((e) => e.resource as unknown as Resource);
    if (resources.length === 0) return { kind: 'rejected', type, locator, reason: 'the map produced no resource' };
    for (const resource of resources) {
      const error = firstError(resource);
      if (error) return { kind: 'rejected', type, locator: `${locator} (${lineageOf(resource) ?? '?'})`, reason: error };
    }
    return { kind: 'mapped', type, key, locator, resources };
  } catch (error) {
    return { kind: 'rejected', type, locator, reason: (error as Error).message };
  }
}

export async function mapAllDocuments(set: MapSet): Promise<DocumentOutcome[]> {
  const source = createSource(`ccda:${CCDA_DIR}`);
  const outcomes: DocumentOutcome[] = [];
  try {
    for await (const item of source.read()) {
      if (isSourceRejection(item)) outcomes.push({ kind: 'rejected', type: item.ref.kind, locator: item.ref.locator, reason: item.message });
      else outcomes.push(mapDocument(set, item.ref.kind, item.key, item.ref.locator, item.data));
    }
  } finally {
    await source.close();
  }
  return outcomes;
}

export function countByType(outcomes: readonly DocumentOutcome[]): Record<string, { mapped: number; rejected: number; skipped: number }> {
  const counts: Record<string, { mapped: number; rejected: number; skipped: number }> = {};
  for (const o of outcomes) (counts[o.type] ??= { mapped: 0, rejected: 0, skipped: 0 })[o.kind]++;
  return counts;
}
