/** The OperationOutcome.issue.code values (R4 issue-type). */
export type OperationOutcomeIssueCode = fhir4.OperationOutcomeIssue['code'];

/**
 * The registry of every error the product raises. Codes are stable and never reused: tools and
 * runbooks match on them. A test fails when a code is missing from the README's error table.
 */
export interface ErrorDefinition {
  /** HTTP status the API answers with. */
  readonly status: number;
  /** Whether retrying the same request may succeed. */
  readonly retryable: boolean;
  /** OperationOutcome.issue.code this error maps to. */
  readonly issueCode: OperationOutcomeIssueCode;
  /** One line for the README table. */
  readonly summary: string;
}

export const ERROR_CODES = {
  FHIRMIG_ERR_CLI_USAGE: { status: 400, retryable: false, issueCode: 'invalid', summary: 'The command line is incomplete or names an unknown command or option.' },
  FHIRMIG_ERR_CONFIG_INVALID: { status: 500, retryable: false, issueCode: 'invalid', summary: 'Configuration failed validation at start-up; every failing key is listed.' },
  FHIRMIG_ERR_INPUT_READ: { status: 400, retryable: false, issueCode: 'not-found', summary: 'An input file or folder could not be read.' },
  FHIRMIG_ERR_INPUT_JSON: { status: 400, retryable: false, issueCode: 'structure', summary: 'An input is not well-formed JSON (the position is given).' },
  FHIRMIG_ERR_INPUT_LINE_TOO_LONG: { status: 400, retryable: false, issueCode: 'too-long', summary: 'An NDJSON line (one resource) is longer than the 64 MiB read limit; the line is named and skipped.' },
  FHIRMIG_ERR_CORE_INTERNAL: { status: 500, retryable: false, issueCode: 'exception', summary: 'An unexpected internal error; the message says where.' },
  FHIRMIG_ERR_API_REQUEST: { status: 400, retryable: false, issueCode: 'invalid', summary: 'An HTTP request does not match the route\'s schema (missing or wrong parameters, bad JSON body).' },
  FHIRMIG_ERR_API_NOT_FOUND: { status: 404, retryable: false, issueCode: 'not-found', summary: 'No route answers this method and path.' },
  FHIRMIG_ERR_API_MEDIA_TYPE: { status: 415, retryable: false, issueCode: 'not-supported', summary: 'The request body has a content type the service does not read (send application/fhir+json or application/json).' },
  FHIRMIG_ERR_API_BODY_TOO_LARGE: { status: 413, retryable: false, issueCode: 'too-costly', summary: 'The request body is larger than http.bodyLimitBytes.' },
  FHIRMIG_ERR_API_RATE_LIMITED: { status: 429, retryable: true, issueCode: 'throttled', summary: 'Too many requests from this client in the rate-limit window; retry after the Retry-After seconds.' },
  FHIRMIG_ERR_API_UNAUTHORIZED: { status: 401, retryable: false, issueCode: 'login', summary: 'The request has no valid bearer token (missing, bad signature, wrong issuer or audience, expired).' },
  FHIRMIG_ERR_API_FORBIDDEN: { status: 403, retryable: false, issueCode: 'forbidden', summary: 'The bearer token\'s scopes do not cover this route.' },
  FHIRMIG_ERR_FML_SYNTAX: { status: 400, retryable: false, issueCode: 'invalid', summary: 'FHIR Mapping Language text does not parse; line, column and what was expected are given.' },
  FHIRMIG_ERR_MAP_INVALID: { status: 400, retryable: false, issueCode: 'invalid', summary: 'A StructureMap is not usable (no group, a rule without source, an unknown variable, a bad parameter).' },
  FHIRMIG_ERR_MAP_NOT_FOUND: { status: 404, retryable: false, issueCode: 'not-found', summary: 'An imported StructureMap, or the map a request names, cannot be resolved.' },
  FHIRMIG_ERR_MAP_GROUP_NOT_FOUND: { status: 400, retryable: false, issueCode: 'not-found', summary: 'A dependent group (by name, or by source/target types) cannot be found.' },
  FHIRMIG_ERR_MAP_TYPE_UNKNOWN: { status: 400, retryable: false, issueCode: 'not-found', summary: 'A target type, element or logical model is not known to the type model.' },
  FHIRMIG_ERR_MAP_TRANSFORM_UNKNOWN: { status: 400, retryable: false, issueCode: 'not-supported', summary: 'A rule uses a transform name the engine does not define.' },
  FHIRMIG_ERR_MAP_TRANSFORM_FAILED: { status: 422, retryable: false, issueCode: 'processing', summary: 'A transform got parameters it cannot work with (wrong count, type or value).' },
  FHIRMIG_ERR_MAP_CHECK_FAILED: { status: 422, retryable: false, issueCode: 'business-rule', summary: 'A rule\'s `check` expression was false for a source value.' },
  FHIRMIG_ERR_MAP_CARDINALITY: { status: 422, retryable: false, issueCode: 'business-rule', summary: 'A source element has fewer or more values than the rule\'s min..max or list mode `only_one` allow.' },
  FHIRMIG_ERR_MAP_FHIRPATH: { status: 400, retryable: false, issueCode: 'invalid', summary: 'A FHIRPath expression in a map does not compile or fails to evaluate.' },
  FHIRMIG_ERR_MAP_RECURSION: { status: 422, retryable: false, issueCode: 'too-costly', summary: 'Group invocation is cyclic or nests deeper than the limit.' },
  FHIRMIG_ERR_MAP_LIMIT: { status: 422, retryable: false, issueCode: 'too-costly', summary: 'A transform ran past its step or output limit (runaway map or huge input).' },
  FHIRMIG_ERR_CONCEPTMAP_INVALID: { status: 400, retryable: false, issueCode: 'invalid', summary: 'A ConceptMap is malformed or a $translate request lacks what it needs.' },
  FHIRMIG_ERR_CONCEPTMAP_NOT_FOUND: { status: 404, retryable: false, issueCode: 'not-found', summary: 'A ConceptMap (or an `other-map` it points to) cannot be resolved.' },
  FHIRMIG_ERR_CONCEPTMAP_RECURSION: { status: 422, retryable: false, issueCode: 'too-costly', summary: 'ConceptMap `other-map` chaining is cyclic.' },
  FHIRMIG_ERR_VALIDATION_FAILED: { status: 422, retryable: false, issueCode: 'invalid', summary: 'A produced resource failed validation (error or fatal issues); each issue gives its FHIRPath location.' },
  FHIRMIG_ERR_VALIDATION_PROFILE_NOT_FOUND: { status: 404, retryable: false, issueCode: 'not-found', summary: 'The profile a validation request names is not loaded in the conformance context.' },
  FHIRMIG_ERR_VALIDATION_PROFILE_NO_SNAPSHOT: { status: 422, retryable: false, issueCode: 'not-supported', summary: 'A profile has no snapshot and none could be generated.' },
  FHIRMIG_ERR_VALIDATION_SNAPSHOT: { status: 422, retryable: false, issueCode: 'not-supported', summary: 'A profile\'s snapshot cannot be generated from its differential; the element and reason are given.' },
  FHIRMIG_ERR_VALIDATION_XML: { status: 400, retryable: false, issueCode: 'structure', summary: 'A FHIR XML input is not well-formed or not a FHIR resource.' },
  FHIRMIG_ERR_SOURCE_SPEC: { status: 400, retryable: false, issueCode: 'invalid', summary: 'A source SPEC string (csv:DIR, sqlite:FILE, postgres://…, mysql://…, hl7v2:PATH, ccda:PATH) or its descriptor is invalid.' },
  FHIRMIG_ERR_SOURCE_CONNECT: { status: 503, retryable: true, issueCode: 'transient', summary: 'A source database cannot be reached or refused the read-only session.' },
  FHIRMIG_ERR_SOURCE_PARSE: { status: 400, retryable: false, issueCode: 'structure', summary: 'A source record does not parse (CSV row, HL7 v2 message or segment, C-CDA XML); the file, line or message and segment are given.' },
  FHIRMIG_ERR_SOURCE_FIELD: { status: 400, retryable: false, issueCode: 'not-found', summary: 'A department / service-line scope names a source table or column that does not exist (the known ones are listed).' },
  FHIRMIG_ERR_SOURCE_VALUE: { status: 400, retryable: false, issueCode: 'value', summary: 'A source value does not fit its declared column type (an impossible date, a non-number, a missing key).' },
  FHIRMIG_ERR_TARGET_UNAVAILABLE: { status: 503, retryable: true, issueCode: 'transient', summary: 'The target FHIR server stayed unreachable or overloaded (429/502/503/504, connection errors, timeouts) after bounded retries; the job pauses, records are not failed.' },
  FHIRMIG_ERR_TARGET_REJECTED: { status: 422, retryable: false, issueCode: 'processing', summary: 'The target refused a transaction or an entry (4xx); its OperationOutcome is carried.' },
  FHIRMIG_ERR_TARGET_AUTH: { status: 401, retryable: false, issueCode: 'security', summary: 'The target or its token endpoint refused the credentials (401/403, or a SMART Backend Services token request failed).' },
  FHIRMIG_ERR_TARGET_CHUNKING: { status: 422, retryable: false, issueCode: 'too-costly', summary: 'Entries that must share one transaction (a reference cycle) exceed the target profile\'s limits.' },
  FHIRMIG_ERR_TARGET_RESPONSE: { status: 502, retryable: false, issueCode: 'exception', summary: 'The target answered with something other than the expected FHIR response (not a transaction-response, entry count mismatch, bad JSON).' },
  FHIRMIG_ERR_TARGET_FILE: { status: 500, retryable: false, issueCode: 'exception', summary: 'A file:DIR target cannot read or write its NDJSON files.' },
  FHIRMIG_ERR_JOB_STATE: { status: 409, retryable: false, issueCode: 'conflict', summary: 'A job cannot make the requested state change from its current state (e.g. resume a completed job); the allowed transitions are given.' },
  FHIRMIG_ERR_JOB_PHASE: { status: 400, retryable: false, issueCode: 'invalid', summary: 'A priority phase name is not in the map set\'s phase table, or a phases.json is malformed (the path is given).' },
  FHIRMIG_ERR_JOB_NOT_FOUND: { status: 404, retryable: false, issueCode: 'not-found', summary: 'No job (or task) with the given id exists in the job store.' },
  FHIRMIG_ERR_JOB_LEASE_LOST: { status: 409, retryable: false, issueCode: 'conflict', summary: 'A worker completed or failed a task it no longer holds (its lease expired and another worker claimed it).' },
  FHIRMIG_ERR_JOB_WORKER_FAILED: { status: 503, retryable: true, issueCode: 'exception', summary: 'The thread that maps and validates a job\'s records died (crashed, or ran out of memory); the job is paused and can be resumed.' },
  FHIRMIG_ERR_MIGRATION_REQUEST: { status: 400, retryable: false, issueCode: 'invalid', summary: 'A migration request cannot be planned: a patient not in the source, a map set folder that does not exist, an unusable target or option; the field is named.' },
  FHIRMIG_ERR_MIGRATION_PATH_FORBIDDEN: { status: 403, retryable: false, issueCode: 'forbidden', summary: 'A migration request names a file or folder (source, file: target, maps, ConceptMaps, IG) outside migrations.allowedRoots.' },
  FHIRMIG_ERR_AUTH_JWKS: { status: 503, retryable: true, issueCode: 'transient', summary: 'A registered client\'s jwksUrl could not be fetched or is not a JWKS; the token request is refused until it can be.' },
  FHIRMIG_ERR_STORE_UNAVAILABLE: { status: 503, retryable: true, issueCode: 'transient', summary: 'The job store (SQLite file or PostgreSQL) cannot be opened, reached or locked; the job pauses, nothing is lost.' },
  FHIRMIG_ERR_STORE_VERSION: { status: 500, retryable: false, issueCode: 'not-supported', summary: 'The job store\'s schema is newer than this release knows; upgrade fhir-migrate before opening it.' },
  FHIRMIG_ERR_BULK_ASYNC_REQUIRED: { status: 400, retryable: false, issueCode: 'invalid', summary: 'A Bulk Data $export kick-off lacks the `Prefer: respond-async` header (Bulk Data IG v2 kick-off request).' },
  FHIRMIG_ERR_BULK_PARAMETER: { status: 400, retryable: false, issueCode: 'not-supported', summary: 'A $export parameter is invalid, or unsupported under `Prefer: handling=strict` (the parameter is named).' },
  FHIRMIG_ERR_BULK_NOT_FOUND: { status: 404, retryable: false, issueCode: 'not-found', summary: 'No Bulk Data export (or export file) with that id: never started, or cancelled/deleted.' },
  FHIRMIG_ERR_BULK_TOO_FAST: { status: 429, retryable: true, issueCode: 'throttled', summary: 'An export status was polled before the Retry-After it was given had passed.' },
  FHIRMIG_ERR_BULK_FAILED: { status: 500, retryable: false, issueCode: 'exception', summary: 'A Bulk Data export failed; the status request answers with the cause.' },
  FHIRMIG_ERR_BULK_GROUP_NOT_FOUND: { status: 404, retryable: false, issueCode: 'not-found', summary: 'No Group with that id: a Group is a migration\'s cohort (Group id = job id) of a live (not dry-run, not rolled-back) job.' },
  FHIRMIG_ERR_INTAKE_NOT_CONFIGURED: { status: 503, retryable: false, issueCode: 'not-supported', summary: 'Bundle intake (`POST /fhir`, `$convert`) has no forwarding target: set intake.target.url.' },
  FHIRMIG_ERR_INTAKE_BUNDLE: { status: 400, retryable: false, issueCode: 'invalid', summary: 'The posted Bundle cannot be taken in: not a transaction or batch, or an entry without a resource, with an unsupported method or a request.url that does not fit the resource (the entry is named).' },
  FHIRMIG_ERR_INTAKE_INPUT: { status: 400, retryable: false, issueCode: 'invalid', summary: 'A `$convert` request lacks its input, names an unknown inputType or map set, or holds more than one message or document.' },
  FHIRMIG_ERR_INTAKE_UNMAPPED: { status: 422, retryable: false, issueCode: 'not-supported', summary: 'The map set has no map (and no skip rule) for the message or document type given to `$convert`.' },
} as const satisfies Record<string, ErrorDefinition>;

export type ErrorCode = keyof typeof ERROR_CODES;

/** Where in an input a problem sits: file, line/column, row, segment, field. */
export interface ErrorLocation {
  readonly file?: string;
  readonly line?: number;
  readonly column?: number;
  /** FHIRPath or rule path, e.g. `Patient.name[0]` or `group main / rule name`. */
  readonly expression?: string;
}

export interface MigrateErrorOptions {
  readonly location?: ErrorLocation;
  readonly cause?: unknown;
  /** Extra issues (e.g. several validation failures) carried alongside the main message. */
  readonly details?: readonly string[];
}

/** The one error class of the product: a stable code, an HTTP status, and a located message. */
export class MigrateError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly retryable: boolean;
  readonly location: ErrorLocation | undefined;
  readonly details: readonly string[];

  constructor(code: ErrorCode, message: string, options: MigrateErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'MigrateError';
    this.code = code;
    const def: ErrorDefinition = ERROR_CODES[code];
    this.status = def.status;
    this.retryable = def.retryable;
    this.location = options.location;
    this.details = options.details ?? [];
  }
}

export function isMigrateError(value: unknown): value is MigrateError {
  return value instanceof MigrateError;
}

/** Formats a location as `file:line:column` (the parts that are known). */
export function formatLocation(location: ErrorLocation | undefined): string {
  if (!location) return '';
  const parts = [location.file, location.line, location.column].filter((p) => p !== undefined);
  return parts.join(':');
}
