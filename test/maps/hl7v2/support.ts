import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { loadConceptMaps, loadMapFile, loadR4StructureDefinitions } from '../../../src/runtime/index.ts';
import { loadConformanceContext } from '../../../src/runtime/index.ts';
import { StructureMapEngine, createR4TypeModel } from '../../../src/mapping/index.ts';
import { createSource, isSourceRejection } from '../../../src/sources/index.ts';
import { isValid, validateResource } from '../../../src/validation/index.ts';
import type { ConformanceContext } from '../../../src/validation/index.ts';

/**
 * Runs the HL7 v2 map set (maps/hl7v2, routed by messages.json) over every sample message, one
 * engine built once. Every message ends as exactly one outcome: mapped (its Bundle's resources all
 * valid against R4 + US Core 6.1.0), rejected (located reason), or skipped by rule.
 */

export const REPO = join(__dirname, '..', '..', '..');
export const SHARED = join(REPO, '..', 'shared');
export const HL7_DIR = join(SHARED, 'testdata', 'hl7v2');
export const MAP_DIR = join(REPO, 'maps', 'hl7v2');
export const LINEAGE = 'https://fhir-migrate.dev/source/hl7v2';

export type Resource = Record<string, unknown> & { resourceType: string };

export type MessageOutcome =
  | { readonly kind: 'mapped'; readonly type: string; readonly key: string; readonly locator: string; readonly resources: readonly Resource[] }
  | { readonly kind: 'rejected'; readonly type: string; readonly locator: string; readonly reason: string }
  | { readonly kind: 'skipped'; readonly type: string; readonly key: string; readonly reason: string };

export interface Routing {
  readonly maps: Readonly<Record<string, string>>;
  readonly skip: Readonly<Record<string, string>>;
}

export function readRouting(): Routing {
  return JSON.parse(readFileSync(join(MAP_DIR, 'messages.json'), 'utf8')) as Routing;
}

export interface MapSet {
  readonly engine: StructureMapEngine;
  readonly maps: ReadonlyMap<string, fhir4.StructureMap>;
  readonly unmapped: Map<string, number>;
}

function byUrl<T extends { url?: string }>(items: readonly T[]): Map<string, T> {
  return new Map(items.filter((i) => i.url).map((i) => [i.url as string, i]));
}

export function buildMapSet(): MapSet {
  const files = readdirSync(MAP_DIR).filter((f) => f.endsWith('.map')).sort();
  const maps = new Map(files.map((f) => [f, loadMapFile(join(MAP_DIR, f), REPO)]));
  const mapIndex = byUrl([...maps.values()]);
  const conceptMaps = byUrl(loadConceptMaps(['conceptmaps', join('conceptmaps', 'hl7v2')], REPO));
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
  return { engine, maps, unmapped };
}

let usCoreContext: ConformanceContext | undefined;
export function usCore(): ConformanceContext {
  usCoreContext ??= loadConformanceContext({ igs: [join(SHARED, 'fhir-packages', 'hl7.fhir.us.core')] });
  return usCoreContext;
}

/** The first validation error of a resource, located by its lineage identifier; undefined when valid. */
export function firstError(resource: Resource): string | undefined {
  const outcome = validateResource(usCore(), resource);
  if (isValid(outcome)) return undefined;
  const issue = outcome.issue.find((i) => i.severity === 'error' || i.severity === 'fatal');
  return `${resource.resourceType} ${issue?.expression?.[0] ?? ''}: ${issue?.diagnostics ?? ''}`;
}

function lineageOf(resource: Resource): string {
  const ids = (resource['identifier'] ?? []) as fhir4.Identifier[];
  return ids.find((i) => i.system === LINEAGE)?.value ?? '?';
}

export function mapMessage(set: MapSet, routing: Routing, type: string, key: string, locator: string, data: unknown): MessageOutcome {
  const skip = routing.skip[type];
  if (skip !== undefined) return { kind: 'skipped', type, key, reason: skip };
  const file = routing.maps[type];
  const map = file === undefined ? undefined : set.maps.get(file);
  if (!map) return { kind: 'rejected', type, locator, reason: `no map for message type ${type}` };
  try {
    const bundle = set.engine.transform(map, data) as fhir4.Bundle;
    const resources = (bundle.entry ?? []).map((e) => e.resource as unknown as Resource);
    if (resources.length === 0) return { kind: 'rejected', type, locator, reason: 'the map produced no resource' };
    for (const resource of resources) {
      const error = firstError(resource);
      if (error) return { kind: 'rejected', type, locator: `${locator} (${lineageOf(resource)})`, reason: error };
    }
    return { kind: 'mapped', type, key, locator, resources };
  } catch (error) {
    return { kind: 'rejected', type, locator, reason: (error as Error).message };
  }
}

export async function mapAllMessages(set: MapSet, routing: Routing): Promise<MessageOutcome[]> {
  const source = createSource(`hl7v2:${HL7_DIR}`);
  const outcomes: MessageOutcome[] = [];
  try {
    for await (const item of source.read()) {
      if (isSourceRejection(item)) {
        outcomes.push({ kind: 'rejected', type: item.ref.kind, locator: item.ref.locator, reason: item.message });
        continue;
      }
      outcomes.push(mapMessage(set, routing, item.ref.kind, item.key, item.ref.locator, item.data));
    }
  } finally {
    await source.close();
  }
  return outcomes;
}

/** Per message type: mapped / rejected / skipped counts. */
export function countByType(outcomes: readonly MessageOutcome[]): Record<string, { mapped: number; rejected: number; skipped: number }> {
  const counts: Record<string, { mapped: number; rejected: number; skipped: number }> = {};
  for (const o of outcomes) {
    const c = (counts[o.type] ??= { mapped: 0, rejected: 0, skipped: 0 });
    c[o.kind]++;
  }
  return counts;
}
