import type { SourceRecord } from '../../core/index.ts';
import type { StructureMapEngine } from '../../mapping/index.ts';
import type { LegacySource } from '../../sources/index.ts';
import type { Target, TargetProfile } from '../../target/index.ts';
import type { PhaseTable } from '../phases/phase-table.ts';
import type { JobStore } from '../store/job-store.ts';

/** How one table (source kind) of a map set is handled. */
export type TableRule =
  | { readonly kind: 'map'; readonly map: fhir4.StructureMap; readonly resourceType?: string; readonly skipReason?: string }
  | { readonly kind: 'archive'; readonly reason: string };

/** A map set ready to run: one engine, a rule per source table, and its version for lineage. */
export interface MapSet {
  readonly id: string;
  /** Hash over the maps and concept maps: part of every record's content hash. */
  readonly versionHash: string;
  readonly engine: StructureMapEngine;
  readonly tables: ReadonlyMap<string, TableRule>;
  /** The map set's priority phases (`phases.json`); the default table when absent. */
  readonly phases?: PhaseTable;
}

/** Validates one produced resource; error/fatal issues reject the record. */
export type ResourceValidator = (resource: fhir4.Resource) => fhir4.OperationOutcome;

export type ValidationPolicy = 'reject-record' | 'warn';

/**
 * Maps and validates for the runner, a task's records (or resources) per call: in the runner's
 * thread (inThreadProcessor, from mapSet + validate) or in a worker thread (src/runtime).
 */
export interface RecordProcessor {
  /** One result per record, in order. `keepLease` is awaited between records where mapping blocks the thread. */
  map(records: readonly SourceRecord[], keepLease?: KeepLease): Promise<MappedRecord[]>;
  /** One OperationOutcome per resource, in order. */
  validate(resources: readonly fhir4.Resource[]): Promise<fhir4.OperationOutcome[]>;
}

interface MigrationEnvParts {
  readonly store: JobStore;
  readonly source: LegacySource;
  /** The map set's rules and phases; its engine maps only when no `processor` is given. */
  readonly mapSet: MapSet;
  readonly validationPolicy?: ValidationPolicy;
  readonly target: Target;
  readonly profile: TargetProfile;
  /** This service as a Device (Provenance / AuditEvent agent), written once per job. */
  readonly device: fhir4.Device;
  readonly now?: () => Date;
}

/** Everything a runner needs, built at the edge (CLI, service) and passed in: a `processor`, or `validate` to map and validate in-thread. */
export type MigrationEnv = MigrationEnvParts & (
  | { readonly validate: ResourceValidator; readonly processor?: RecordProcessor }
  | { readonly processor: RecordProcessor; readonly validate?: ResourceValidator }
);

/**
 * What mapping one source record gave. `mapped`: one resource per table row, or every member
 * of the Bundle a message or document map produces (never empty; the first is the record's type).
 */
export type MappedRecord =
  | { readonly state: 'mapped'; readonly record: SourceRecord; readonly resources: readonly fhir4.Resource[] }
  | { readonly state: 'skipped'; readonly record: SourceRecord; readonly rule: string; readonly resourceType?: string }
  | { readonly state: 'rejected'; readonly record: SourceRecord; readonly code: string; readonly issues: fhir4.OperationOutcomeIssue[]; readonly resourceType?: string };

/** Renews the running task's lease when due; throws FHIRMIG_ERR_JOB_LEASE_LOST once another worker holds it. */
export type KeepLease = () => Promise<void>;

/** No lease to keep (a task run outside the runner's loops). */
export const noLease: KeepLease = async () => undefined;
