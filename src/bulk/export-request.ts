/**
 * The parsed `$export` kick-off request (Bulk Data Access IG v2.0.0, "Bulk Data Kick-off
 * Request"), stored with the export as JSON so that a restarted service runs it again unchanged.
 */
export type ExportLevel = 'system' | 'patient' | 'group';

export type Handling = 'strict' | 'lenient';

/** One `_typeFilter` criterion: a FHIR search on one type, evaluated on each exported resource. */
export interface TypeFilter {
  readonly type: string;
  /** The query without the `Type?` prefix, e.g. `status=final&category=laboratory`. */
  readonly query: string;
}

/** One `_elements` entry: `Type.element` (that type only) or `element` (every type). */
export interface ElementSelector {
  readonly type: string | undefined;
  readonly element: string;
}

/** A parameter the server did not apply under `Prefer: handling=lenient`, reported in the manifest's `error` files. */
export interface IgnoredParameter {
  readonly parameter: string;
  readonly reason: string;
}

export interface ExportRequest {
  readonly level: ExportLevel;
  /** Group level: the Group id (= the migration job's id). */
  readonly groupId: string | undefined;
  /** The kick-off URL as the client sent it (the manifest's `request`). */
  readonly requestUrl: string;
  readonly handling: Handling;
  /** `_type`; undefined: every type. */
  readonly types: readonly string[] | undefined;
  /** `_since` (FHIR instant): resources with meta.lastUpdated after it. */
  readonly since: string | undefined;
  readonly typeFilters: readonly TypeFilter[];
  readonly elements: readonly ElementSelector[] | undefined;
  /** `patient` (Patient and Group level): Patient ids. */
  readonly patients: readonly string[] | undefined;
  /** `includeAssociatedData=LatestProvenanceResources`. */
  readonly includeLatestProvenance: boolean;
  readonly ignored: readonly IgnoredParameter[];
}

/** What the route hands in: raw parameters from the query string or a POSTed Parameters resource. */
export interface KickOffInput {
  readonly level: ExportLevel;
  readonly groupId?: string;
  readonly requestUrl: string;
  /** Values per parameter name, in the order given (a repeated parameter has several). */
  readonly parameters: ReadonlyMap<string, readonly ParameterValue[]>;
  /** The `Prefer` header. */
  readonly prefer: string | undefined;
}

export type ParameterValue = { readonly kind: 'string'; readonly value: string } | { readonly kind: 'reference'; readonly value: string };

export const NDJSON_FORMATS: readonly string[] = ['application/fhir+ndjson', 'application/ndjson', 'ndjson'];
export const LATEST_PROVENANCE = 'LatestProvenanceResources';
