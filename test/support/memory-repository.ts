/**
 * The in-memory repository behind the test FHIR server: Medplum's MemoryRepository with two
 * behaviours real servers have. (1) A PUT that changes nothing keeps the current version (as
 * HAPI and Blaze do; MemoryRepository alone versions every PUT). (2) Searches on `identifier` /
 * `_tag` tokens only (what ifNoneExist and our counts send) are answered by direct comparison:
 * MemoryRepository evaluates search-parameter FHIRPath per stored resource, which made one
 * 8-entry conditional chunk of Observations take ~0.5 s on a store of a few dozen (measured).
 * (3) `_id=a,b,…` alone (the export's batch read) is a lookup by id, as on any real server; the
 * FHIRPath path took 0.6 s per 100 ids on 3,000 Observations (measured).
 */
import { deepEquals } from '@medplum/core';
import type { Filter, SearchRequest, WithId } from '@medplum/core';
import { MemoryRepository } from '@medplum/fhir-router';
import type { Bundle, Resource } from '@medplum/fhirtypes';

type UpdateOptions = Parameters<MemoryRepository['updateResource']>[1];

export class TestMemoryRepository extends MemoryRepository {
  override async updateResource<T extends Resource>(resource: T, options?: UpdateOptions): Promise<WithId<T>> {
    if (resource.id) {
      const existing = await this.readResource<T>(resource.resourceType, resource.id).catch(() => undefined);
      if (existing && deepEquals(withoutVersionMeta(existing), withoutVersionMeta(resource))) return existing as WithId<T>;
    }
    return super.updateResource(resource, options);
  }

  constructor() {
    super();
    // conditionalCreate and search both go through MemoryRepository's (TypeScript-private)
    // searchSync; wrap it so token-only searches (what ifNoneExist sends) skip FHIRPath.
    const self = this as unknown as { searchSync: (request: SearchRequest) => Bundle; resources: Map<string, Map<string, Resource>> };
    const original = self.searchSync.bind(this);
    self.searchSync = (request) => searchIds(request, self.resources) ?? searchTokens(request, self.resources) ?? original(request);
  }
}

function searchTokens(request: SearchRequest, resources: Map<string, Map<string, Resource>>): Bundle | undefined {
  const filters = request.filters ?? [];
  const plain = !request.include && !request.revInclude && !request.sortRules?.length;
  if (!plain || filters.length === 0 || !filters.every(isTokenFilter)) return undefined;
  const stored = resources.get(request.resourceType);
  const matches = [...(stored?.values() ?? [])].filter((candidate) => filters.every((f) => matchesToken(candidate, f)));
  return searchsetPage(request, matches);
}

function searchIds(request: SearchRequest, resources: Map<string, Map<string, Resource>>): Bundle | undefined {
  const [filter, ...others] = request.filters ?? [];
  const plain = !request.include && !request.revInclude && !request.sortRules?.length && others.length === 0;
  if (!plain || filter?.code !== '_id' || (filter.operator !== 'eq' && filter.operator !== undefined)) return undefined;
  const stored = resources.get(request.resourceType);
  const matches = [...new Set(filter.value.split(','))].map((id) => stored?.get(id)).filter((r): r is Resource => r !== undefined);
  return searchsetPage(request, matches);
}

/** One page of matches as a searchset (copies: callers may not mutate the store). */
function searchsetPage(request: SearchRequest, matches: readonly Resource[]): Bundle {
  const offset = request.offset ?? 0;
  const page = matches.slice(offset, request.count === undefined ? undefined : offset + request.count);
  const entry = page.map((resource) => ({ search: { mode: 'match' as const }, resource: structuredClone(resource) }));
  return { resourceType: 'Bundle', type: 'searchset', ...(entry.length > 0 ? { entry } : {}), total: matches.length };
}

function isTokenFilter(filter: Filter): boolean {
  return (filter.code === 'identifier' || filter.code === '_tag') && (filter.operator === 'eq' || filter.operator === undefined) && !filter.value.includes(',');
}

function matchesToken(resource: Resource, filter: Filter): boolean {
  const bar = filter.value.indexOf('|');
  const system = bar >= 0 ? filter.value.slice(0, bar) : undefined;
  const value = bar >= 0 ? filter.value.slice(bar + 1) : filter.value;
  const same = (s: string | undefined, v: string | undefined): boolean => v === value && (system === undefined || (s ?? '') === system);
  if (filter.code === '_tag') return (resource.meta?.tag ?? []).some((t) => same(t.system, t.code));
  return ((resource as { identifier?: { system?: string; value?: string }[] }).identifier ?? []).some((i) => same(i.system, i.value));
}

function withoutVersionMeta(resource: Resource): Resource {
  const meta: Record<string, unknown> = { ...resource.meta };
  delete meta.versionId;
  delete meta.lastUpdated;
  return { ...resource, meta: Object.keys(meta).length > 0 ? meta : undefined } as Resource;
}
