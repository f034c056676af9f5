import { MigrateError } from '../core/index.ts';
import type { SourceRef } from '../core/index.ts';
import { planChunks } from './chunking.ts';
import type { TargetProfile, TransactionLimits } from './profiles.ts';
import { referenceKey, rewriteReferences, urnUuid } from './references.ts';

/** One resource for a patient's bundle. Its id is the caller's deterministic id. */
export interface BundleResourceInput {
  readonly resource: fhir4.Resource;
  /** The source-key identifier a conditional create matches on; added to `identifier` if missing. */
  readonly matchIdentifier?: fhir4.Identifier;
  /** Where the resource came from (kept for the ledger; the resource carries its own identifiers). */
  readonly sourceRefs?: readonly SourceRef[];
}

/** An entry ready to send: the resource in "put form" (its id set, members referenced as `Type/id`). */
export interface PlannedEntry {
  /** `Type/id` with the deterministic id. */
  readonly key: string;
  readonly resourceType: string;
  readonly id: string;
  readonly fullUrl: string;
  readonly resource: fhir4.Resource;
  /** The search a conditional create uses (`identifier=system|value` or `_tag=…`). */
  readonly ifNoneExist: string;
  /** Positions of the bundle entries this one references. */
  readonly dependsOn: readonly number[];
  readonly sourceRefs: readonly SourceRef[];
}

/** A patient's bundle, split into dependency-ordered chunks that fit the target profile. */
export interface PlannedBundle {
  readonly profile: TargetProfile;
  readonly entries: readonly PlannedEntry[];
  /** Entry positions per chunk; a referenced entry is in the same or an earlier chunk. */
  readonly chunks: readonly (readonly number[])[];
}

export interface BuildBundleOptions {
  readonly profile: TargetProfile;
  /** Entries that are not mapped records (the Provenance, the service Device): placed like the rest. */
  readonly extraEntries?: readonly BundleResourceInput[];
  /**
   * One lineage entry per chunk (a Provenance whose target is that chunk's resources), built by
   * the caller from the chunk's entries and appended to it: every transaction then carries its
   * own Provenance even when limits split the bundle. One slot per chunk is kept free for it.
   * Bundle members it references (the service Device) must sit in that chunk or an earlier one:
   * list them first (chunks follow input order where references allow).
   */
  readonly chunkLineage?: (entries: readonly PlannedEntry[], chunkIndex: number) => BundleResourceInput;
}

/** Tag system of the key tag a conditional create matches on when a resource type has no `identifier`. */
export const RESOURCE_KEY_TAG_SYSTEM = 'https://fhir-migrate.dev/resource-key';

/**
 * Builds one patient's transaction plan: entries keyed by their deterministic ids, references
 * between members normalised to `Type/id`, conditional-create searches derived from the source
 * identifiers, and chunks that respect the target's limits in dependency order.
 */
export function buildPatientBundle(resources: readonly BundleResourceInput[], options: BuildBundleOptions): PlannedBundle {
  const inputs = [...resources, ...(options.extraEntries ?? [])];
  const index = indexByKey(inputs);
  const entries = inputs.map((input) => planEntry(input, index.positions, index.keys));
  const { strategy, limits } = options.profile;
  if (!options.chunkLineage) return { profile: options.profile, entries, chunks: planChunks(entries, strategy, limits) };
  const chunks = planChunks(entries, strategy, withOneSlotFree(limits));
  chunks.forEach((chunk, chunkIndex) => {
    const lineage = (options.chunkLineage as NonNullable<BuildBundleOptions['chunkLineage']>)(chunk.map((p) => entries[p] as PlannedEntry), chunkIndex);
    const position = addMember(index, lineage);
    const entry = planEntry(lineage, index.positions, index.keys);
    const placed = new Set(chunks.slice(0, chunkIndex + 1).flat());
    const later = entry.dependsOn.find((p) => !placed.has(p));
    if (later !== undefined) throw new MigrateError('FHIRMIG_ERR_CORE_INTERNAL', `The lineage of chunk ${chunkIndex} references ${index.keys[later]}, which a later chunk holds`);
    entries.push(entry);
    chunk.push(position);
  });
  return { profile: options.profile, entries, chunks };
}

function withOneSlotFree(limits: TransactionLimits): TransactionLimits {
  const less = (n: number): number => n - 1;
  const reduced = { maxEntries: less(limits.maxEntries), maxPuts: less(limits.maxPuts), maxConditional: less(limits.maxConditional), maxEntriesWithConditional: less(limits.maxEntriesWithConditional) };
  if (Object.values(reduced).some((n) => n < 1)) throw new MigrateError('FHIRMIG_ERR_CONFIG_INVALID', 'Target limits leave no room for a Provenance per chunk');
  return reduced;
}

interface MemberIndex {
  /** Both `Type/id` and `urn:uuid:id` of every member → its position. */
  readonly positions: Map<string, number>;
  /** `Type/id` per position. */
  readonly keys: string[];
}

function indexByKey(inputs: readonly BundleResourceInput[]): MemberIndex {
  const index: MemberIndex = { positions: new Map(), keys: [] };
  for (const input of inputs) addMember(index, input);
  return index;
}

/** Registers a member under both its key forms; returns its position. */
function addMember(index: MemberIndex, input: BundleResourceInput): number {
  const { resourceType, id } = input.resource;
  if (!id) throw new MigrateError('FHIRMIG_ERR_CORE_INTERNAL', `A ${resourceType} for the bundle has no id (ids are deterministic and set by the caller)`);
  const key = `${resourceType}/${id}`;
  if (index.positions.has(key)) throw new MigrateError('FHIRMIG_ERR_CORE_INTERNAL', `${key} appears twice in one bundle`);
  const position = index.keys.length;
  index.positions.set(key, position);
  index.positions.set(urnUuid(id), position);
  index.keys.push(key);
  return position;
}

function planEntry(input: BundleResourceInput, positions: ReadonlyMap<string, number>, keys: readonly string[]): PlannedEntry {
  const { resourceType } = input.resource;
  const id = input.resource.id as string;
  const self = positions.get(`${resourceType}/${id}`);
  const dependsOn = new Set<number>();
  const resource = withMatchIdentifier(
    rewriteReferences(input.resource, (reference) => {
      const position = memberPosition(reference, positions);
      if (position === undefined) return undefined;
      if (position !== self) dependsOn.add(position);
      return keys[position];
    }),
    input.matchIdentifier,
  );
  return {
    key: `${resourceType}/${id}`,
    resourceType,
    id,
    fullUrl: urnUuid(id),
    resource,
    ifNoneExist: conditionalSearch(resource, input.matchIdentifier),
    dependsOn: [...dependsOn],
    sourceRefs: input.sourceRefs ?? [],
  };
}

function memberPosition(reference: string, positions: ReadonlyMap<string, number>): number | undefined {
  const key = referenceKey(reference);
  return key === undefined ? undefined : positions.get(key);
}

function withMatchIdentifier(resource: fhir4.Resource, identifier: fhir4.Identifier | undefined): fhir4.Resource {
  if (!identifier) return resource;
  const withIds = resource as fhir4.Resource & { identifier?: fhir4.Identifier[] };
  const existing = withIds.identifier ?? [];
  if (existing.some((i) => i.system === identifier.system && i.value === identifier.value)) return resource;
  return { ...withIds, identifier: [...existing, identifier] } as fhir4.Resource;
}

/**
 * The search that finds an earlier copy of the resource: its match identifier, else its first
 * identifier with system and value, else a key tag (Provenance has no `identifier`), which the
 * conditional-create serialisation adds to `meta.tag`.
 */
function conditionalSearch(resource: fhir4.Resource, match: fhir4.Identifier | undefined): string {
  const identifiers = (resource as { identifier?: fhir4.Identifier[] }).identifier;
  const identifier = match ?? identifiers?.find((i) => i.system && i.value);
  if (identifier?.system && identifier.value) return `identifier=${searchToken(identifier.system, identifier.value)}`;
  return `_tag=${searchToken(RESOURCE_KEY_TAG_SYSTEM, `${resource.resourceType}/${resource.id}`)}`;
}

function searchToken(system: string, value: string): string {
  return `${encodeURIComponent(system)}|${encodeURIComponent(value)}`;
}
