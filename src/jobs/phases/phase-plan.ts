import { identifierKey } from '../runner/references.ts';
import type { MapSet, MappedRecord } from '../runner/types.ts';

/**
 * The plan of a patient, stored per job and extended by each phase task that decides records:
 * each decided record's phase and, per resource, what later tasks need to refer to it; the
 * records not decided yet with the earliest phase they can take, so the next phase's task knows
 * which it must map. Records of the phases up to `decidedThrough` are all decided.
 */
export interface PhasePlan {
  /** `kind\u001fkey` → phase index, for every decided record. */
  readonly records: Record<string, number>;
  /** Every resource known, in the patient's read order: decided ones with their phase, undecided ones with null. */
  readonly resources: readonly PlanResource[];
  /** Undecided records: `kind\u001fkey` → the earliest phase they can take. */
  readonly pending?: Record<string, number>;
  /** The last phase decided (absent: every phase, as in plans that decided all at once). */
  readonly decidedThrough?: number;
}

/** [kind, key, resourceType, `Type/id`, phase (null: undecided), identifiers]. */
export type PlanResource = readonly [string, string, string, string, number | null, readonly string[]];

/** What a record can be referred to by: a resource's type, `Type/id` and `system|value` identifiers. */
export interface ResourceHandle {
  readonly resourceType: string;
  readonly key: string;
  readonly identifiers: readonly string[];
}

/** A resource an earlier phase's task owns: what a later task needs to refer to it. */
export interface EarlierResource {
  readonly kind: string;
  readonly recordKey: string;
  readonly resourceType: string;
  /** `Type/id` the resource is written with. */
  readonly key: string;
  /** `system|value` of its identifiers (logical references resolve through them). */
  readonly identifiers: readonly string[];
}

export const recordId = (kind: string, key: string): string => `${kind}\u001f${key}`;

export const kindOfRecordId = (id: string): string => id.slice(0, id.indexOf('\u001f'));

export const splitRecordId = (id: string): [string, string] => [kindOfRecordId(id), id.slice(id.indexOf('\u001f') + 1)];

/** The resource type a table maps to, when its decision names one. */
export function tableType(mapSet: MapSet, kind: string): string | undefined {
  const rule = mapSet.tables.get(kind);
  return rule?.kind === 'map' ? rule.resourceType : undefined;
}

/** The resource type of a mapped record, or the one it would have had. */
export function recordType(mapSet: MapSet, m: MappedRecord): string | undefined {
  return m.state === 'mapped' ? (m.resources[0] as fhir4.Resource).resourceType : m.resourceType ?? tableType(mapSet, m.record.ref.kind);
}

export function handleOf(resource: fhir4.Resource): ResourceHandle {
  const identifiers = ((resource as { identifier?: fhir4.Identifier[] }).identifier ?? []).map(identifierKey).filter((k): k is string => k !== undefined);
  return { resourceType: resource.resourceType, key: `${resource.resourceType}/${resource.id ?? ''}`, identifiers };
}
