import { MigrateError, formatSourceRef, sourceRefToIdentifier } from '../core/index.ts';
import type { SourceRef } from '../core/index.ts';
import { DATA_OPERATION_SYSTEM, MAP_SET_POLICY_BASE, MIGRATION_ACTIVITY_SYSTEM, MIGRATION_PROVENANCE_PROFILE, PARTICIPANT_TYPE_SYSTEM, jobTag } from './codes.ts';

/** v3-DataOperation codes, or `migrate` from this product's activity system. */
export type ProvenanceActivity = 'CREATE' | 'UPDATE' | 'DELETE' | 'migrate' | fhir4.Coding;

export interface MapSetVersion {
  readonly id: string;
  /** A hash over the map set's content (maps + concept maps). */
  readonly versionHash: string;
}

export interface ProvenanceOptions {
  /** The caller's deterministic id for this Provenance. */
  readonly id: string;
  /** Every resource written by the transaction, as `Type/id` (or full References). */
  readonly targets: readonly (string | fhir4.Reference)[];
  /** When the transaction was assembled (ISO instant); keep it stable for a re-send. */
  readonly recorded: string;
  readonly sources: readonly SourceRef[];
  /** The service Device (see buildServiceDevice). */
  readonly device: fhir4.Reference;
  readonly organization?: fhir4.Reference;
  readonly activity: ProvenanceActivity;
  readonly mapSet: MapSetVersion;
  readonly jobId: string;
}

/**
 * The Provenance of one transaction (DESIGN.md §5): target = every resource written, the service
 * as the assembling Device (on behalf of the organisation), one `source` entity per SourceRef,
 * policy = the map set and its version hash, and the job's tag.
 */
export function buildProvenance(options: ProvenanceOptions): fhir4.Provenance {
  if (options.targets.length === 0) throw new MigrateError('FHIRMIG_ERR_CORE_INTERNAL', 'A Provenance needs at least one target');
  return {
    resourceType: 'Provenance',
    id: options.id,
    meta: { profile: [MIGRATION_PROVENANCE_PROFILE], tag: [jobTag(options.jobId)] },
    target: options.targets.map((t) => (typeof t === 'string' ? { reference: t } : t)),
    recorded: options.recorded,
    policy: [mapSetPolicy(options.mapSet)],
    activity: { coding: [activityCoding(options.activity)] },
    agent: [
      {
        type: { coding: [{ system: PARTICIPANT_TYPE_SYSTEM, code: 'assembler', display: 'Assembler' }] },
        who: options.device,
        ...(options.organization ? { onBehalfOf: options.organization } : {}),
      },
    ],
    entity: uniqueSources(options.sources).map((ref) => ({
      role: 'source',
      what: { identifier: sourceRefToIdentifier(ref), display: formatSourceRef(ref) },
    })),
  };
}

/** `https://fhir-migrate.dev/map-set/<id>/<versionHash>`. */
export function mapSetPolicy(mapSet: MapSetVersion): string {
  return `${MAP_SET_POLICY_BASE}/${encodeURIComponent(mapSet.id)}/${encodeURIComponent(mapSet.versionHash)}`;
}

function activityCoding(activity: ProvenanceActivity): fhir4.Coding {
  if (typeof activity !== 'string') return activity;
  switch (activity) {
    case 'CREATE':
      return { system: DATA_OPERATION_SYSTEM, code: 'CREATE', display: 'create' };
    case 'UPDATE':
      return { system: DATA_OPERATION_SYSTEM, code: 'UPDATE', display: 'revise' };
    case 'DELETE':
      return { system: DATA_OPERATION_SYSTEM, code: 'DELETE', display: 'delete' };
    case 'migrate':
      return { system: MIGRATION_ACTIVITY_SYSTEM, code: 'migrate', display: 'Migrated from a legacy source' };
    default:
      throw new MigrateError('FHIRMIG_ERR_CORE_INTERNAL', `Unknown provenance activity ${String(activity)}`);
  }
}

function uniqueSources(sources: readonly SourceRef[]): SourceRef[] {
  const seen = new Set<string>();
  return sources.filter((ref) => {
    const text = formatSourceRef(ref);
    if (seen.has(text)) return false;
    seen.add(text);
    return true;
  });
}
