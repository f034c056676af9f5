import { MigrateError } from '../core/index.ts';
import { RESOURCE_KEY_TAG_SYSTEM } from './bundle-builder.ts';
import type { PlannedBundle, PlannedEntry } from './bundle-builder.ts';
import { referenceKey, rewriteReferences } from './references.ts';
import type { EntryResult } from './target.ts';

/**
 * The transaction Bundle for one chunk. `put`: the put-form resources as they are. Conditional
 * create: no id, members of this chunk referenced by their urn:uuid fullUrl, members of earlier
 * chunks (and anything the caller seeded) by the reference the target gave them.
 */
export function serializeChunk(bundle: PlannedBundle, chunkIndex: number, resolved: ReadonlyMap<string, string>): fhir4.Bundle {
  const positions = bundle.chunks[chunkIndex];
  if (!positions) throw new MigrateError('FHIRMIG_ERR_CORE_INTERNAL', `No chunk ${chunkIndex} in the bundle`);
  const entries = positions.map((p) => bundle.entries[p] as PlannedEntry);
  switch (bundle.profile.strategy) {
    case 'put':
      return transaction(entries.map((e) => ({ fullUrl: e.fullUrl, resource: e.resource as fhir4.FhirResource, request: { method: 'PUT', url: e.key } })));
    case 'conditional-create': {
      const inChunk = new Map(entries.map((e) => [e.key, e.fullUrl]));
      return transaction(entries.map((e) => conditionalEntry(e, inChunk, resolved)));
    }
    default:
      throw new MigrateError('FHIRMIG_ERR_CONFIG_INVALID', `Unknown write strategy ${String(bundle.profile.strategy)}`);
  }
}

function transaction(entry: fhir4.BundleEntry[]): fhir4.Bundle {
  return { resourceType: 'Bundle', type: 'transaction', entry };
}

function conditionalEntry(entry: PlannedEntry, inChunk: ReadonlyMap<string, string>, resolved: ReadonlyMap<string, string>): fhir4.BundleEntry {
  const rewritten = rewriteReferences(entry.resource, (reference) => {
    const key = referenceKey(reference);
    if (key === undefined) return undefined;
    return inChunk.get(key) ?? resolved.get(key);
  });
  // A shallow copy without the id: the rewritten resource may share objects with the plan.
  const { id: _clientId, ...resource } = rewritten as fhir4.Resource & { id?: string };
  if (entry.ifNoneExist.startsWith('_tag=')) addKeyTag(resource, entry.key);
  return { fullUrl: entry.fullUrl, resource: resource as fhir4.FhirResource, request: { method: 'POST', url: entry.resourceType, ifNoneExist: entry.ifNoneExist } };
}

function addKeyTag(resource: Omit<fhir4.Resource, 'id'>, key: string): void {
  const tag = resource.meta?.tag ?? [];
  resource.meta = { ...resource.meta, tag: [...tag, { system: RESOURCE_KEY_TAG_SYSTEM, code: key }] };
}

/** Per-entry results of a `transaction-response`, matched to the chunk's entries by position. */
export function parseTransactionResponse(body: unknown, entries: readonly PlannedEntry[]): EntryResult[] {
  const bundle = body as fhir4.Bundle | undefined;
  if (bundle?.resourceType !== 'Bundle' || bundle.type !== 'transaction-response') {
    throw new MigrateError('FHIRMIG_ERR_TARGET_RESPONSE', `Expected a transaction-response Bundle, got ${describe(bundle)}`);
  }
  const responses = bundle.entry ?? [];
  if (responses.length !== entries.length) {
    throw new MigrateError('FHIRMIG_ERR_TARGET_RESPONSE', `The transaction-response has ${responses.length} entries for ${entries.length} sent`);
  }
  return entries.map((entry, i) => parseEntryResponse(entry, responses[i] as fhir4.BundleEntry));
}

function parseEntryResponse(entry: PlannedEntry, response: fhir4.BundleEntry): EntryResult {
  const status = Number.parseInt(response.response?.status ?? '', 10);
  const location = response.response?.location;
  const fromLocation = location ? parseLocation(location) : undefined;
  const id = fromLocation?.id ?? response.resource?.id;
  const versionId = fromLocation?.versionId ?? parseEtag(response.response?.etag) ?? response.resource?.meta?.versionId;
  const outcome = response.response?.outcome as fhir4.OperationOutcome | undefined;
  return {
    key: entry.key,
    resourceType: entry.resourceType,
    status: Number.isNaN(status) ? 0 : status,
    ...(id ? { id } : {}),
    ...(versionId ? { versionId } : {}),
    ...(location ? { location } : {}),
    ...(outcome && isProblem(outcome) ? { outcome } : {}),
  };
}

/** `[base/]Type/id[/_history/vid]` → id and version. */
export function parseLocation(location: string): { resourceType: string; id: string; versionId?: string } | undefined {
  const match = /(?:^|\/)([A-Z][A-Za-z]+)\/([A-Za-z0-9\-.]{1,64})(?:\/_history\/([^/]+))?\/?$/.exec(location);
  if (!match) return undefined;
  return { resourceType: match[1] as string, id: match[2] as string, ...(match[3] ? { versionId: match[3] } : {}) };
}

/** `W/"3"` → `3`. */
export function parseEtag(etag: string | undefined): string | undefined {
  const match = etag ? /^(?:W\/)?"?([^"]+)"?$/.exec(etag) : null;
  return match ? match[1] : undefined;
}

function isProblem(outcome: fhir4.OperationOutcome): boolean {
  return (outcome.issue ?? []).some((i) => i.severity === 'error' || i.severity === 'fatal' || i.severity === 'warning');
}

function describe(value: unknown): string {
  if (value === undefined) return 'an empty body';
  const v = value as { resourceType?: unknown; type?: unknown };
  return typeof v.resourceType === 'string' ? `${v.resourceType}${typeof v.type === 'string' ? ` (${v.type})` : ''}` : typeof value;
}
