import type { SourceRef } from '../core/index.ts';
import type { JobStore, MapSet } from '../jobs/index.ts';
import type { MapSetVersion, ProvenanceActivity } from '../provenance/index.ts';
import type { Target, TargetProfile } from '../target/index.ts';

/** Validates one resource (R4 + the profiles it claims). */
export type IntakeValidator = (resource: fhir4.Resource) => fhir4.OperationOutcome;

/** Adds the translations of a resource's codings (keeps the originals); returns a new resource. */
export type CodingTranslator = (resource: fhir4.Resource) => fhir4.Resource;

/** Everything the intake service works with, built at the edge (runtime) and passed in. */
export interface IntakeDeps {
  readonly validate: IntakeValidator;
  readonly translate: CodingTranslator;
  /** The ConceptMaps applied, as a version for the Provenance policy of client bundles. */
  readonly translation: MapSetVersion;
  readonly target: Target;
  readonly profile: TargetProfile;
  /** Its hash-chained audit log gets one entry per intake. */
  readonly store: JobStore;
  /** This service as a Device (Provenance agent, AuditEvent observer). */
  readonly device: fhir4.Device;
  /** `$convert` map sets by name. */
  readonly mapSets: ReadonlyMap<string, MapSet>;
  readonly now?: () => Date;
  /** A fresh id per intake (default randomUUID). */
  readonly newId?: () => string;
}

/** What an intake answers: an HTTP status and a FHIR resource (a response Bundle or an OperationOutcome). */
export interface IntakeReply {
  readonly status: number;
  readonly resource: fhir4.Resource;
  readonly headers?: Readonly<Record<string, string>>;
}

export type ConvertInputType = 'hl7v2' | 'ccda';

export interface ConvertInput {
  readonly inputType: ConvertInputType;
  readonly text: string;
  /** A configured map set name; default the input type's name. */
  readonly mapSet?: string;
}

export interface IntakeService {
  /** `POST /fhir`: a transaction or batch Bundle. */
  submit(bundle: unknown): Promise<IntakeReply>;
  /** `POST /fhir/$convert`: an HL7 v2 message or a C-CDA document, mapped then taken in as a transaction. */
  convert(input: ConvertInput): Promise<IntakeReply>;
}

/** The lineage of one intake: who/what it came from, for its Provenance. */
export interface IntakeLineage {
  readonly intakeId: string;
  readonly recorded: string;
  readonly sources: readonly SourceRef[];
  readonly activity: ProvenanceActivity;
  readonly mapSet: MapSetVersion;
}
