import type { Job, JobState, MigrationRequest } from '../jobs/index.ts';
import type { ConceptMapSelector, TranslateRequest, TranslateResult } from '../mapping/index.ts';
import type { ExportFileStream, ExportStatus, KickOffInput } from '../bulk/index.ts';

/**
 * What the routes call. The composition root (app.ts) passes implementations in; api/ never
 * loads files or builds engines itself (STYLE.md rules 4 and 5).
 */
export type MapSourceInput =
  | { readonly kind: 'url'; readonly url: string }
  | { readonly kind: 'structureMap'; readonly map: fhir4.StructureMap }
  | { readonly kind: 'fml'; readonly text: string };

export interface ReadinessCheckResult {
  readonly name: string;
  readonly ok: boolean;
  readonly detail: string;
}

export interface FhirOperationsPort {
  validate(call: { readonly resource: unknown; readonly profiles: readonly string[] }): fhir4.OperationOutcome;
  translate(call: { readonly selector: ConceptMapSelector; readonly request: TranslateRequest }): TranslateResult;
  transform(call: { readonly map: MapSourceInput; readonly content: unknown }): unknown;
  readiness(): readonly ReadinessCheckResult[];
}

/** Facts about this running service that the metadata and metrics routes report. */
export interface ServiceInfo {
  readonly name: string;
  readonly version: string;
  readonly startedAt: Date;
  /** Base URL clients reach the service at, when configured (else derived from each request). */
  readonly publicUrl: string | undefined;
}

/** The body of `POST /migrations` (its shape is checked by the route schema). */
export type MigrationRequestBody = MigrationRequest;

/** The migration jobs (runtime's MigrationService): the routes only parse, call and format. */
export interface MigrationsPort {
  start(request: MigrationRequestBody): Promise<Job>;
  get(jobId: string): Promise<Job>;
  list(options: { readonly states?: readonly JobState[]; readonly count: number; readonly offset: number }): Promise<{ readonly jobs: readonly Job[]; readonly hasMore: boolean }>;
  report(jobId: string): Promise<unknown>;
  cancel(jobId: string): Promise<Job>;
  resume(jobId: string): Promise<Job>;
  /** The whole job, or only what one priority phase wrote. */
  rollback(jobId: string, phase?: string): Promise<unknown>;
}

/** Bulk Data `$export` (src/bulk's BulkExportService); app.ts passes it in. */
export interface BulkExportPort {
  kickOff(input: KickOffInput): Promise<{ readonly id: string }>;
  status(exportId: string, baseUrl: string): Promise<ExportStatus>;
  cancel(exportId: string): Promise<void>;
  openFile(exportId: string, name: string): Promise<ExportFileStream>;
  group(groupId: string): Promise<fhir4.Group>;
}

/** What an intake answers: a status and a FHIR resource (a response Bundle or an OperationOutcome). */
export interface IntakeReplyPort {
  readonly status: number;
  readonly resource: unknown;
  readonly headers?: Readonly<Record<string, string>>;
}

export interface ConvertCall {
  readonly inputType: 'hl7v2' | 'ccda';
  readonly text: string;
  readonly mapSet?: string;
}

/** Pipeline intake (`POST /fhir`, `POST /fhir/$convert`); undefined in app.ts when no intake target is configured. */
export interface IntakePort {
  submit(bundle: unknown): Promise<IntakeReplyPort>;
  convert(call: ConvertCall): Promise<IntakeReplyPort>;
}

/** The migration figures /metrics and /ready read (runtime's MigrationService). */
export interface MigrationStatsPort {
  stats(): Promise<{
    readonly jobsByState: Readonly<Record<string, number>>;
    readonly records: Readonly<Record<'read' | 'loaded' | 'rejected' | 'skipped', number>>;
    readonly resourcesWritten: number;
    readonly rejectedByCode: Readonly<Record<string, number>>;
  }>;
  readiness(): Promise<readonly ReadinessCheckResult[]>;
}
