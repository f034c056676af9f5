import type { ConceptMapSelector, TranslateRequest, TranslateResult } from '../mapping/index.ts';

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
