export { ERROR_CODES, MigrateError, isMigrateError, formatLocation } from './errors.ts';
export type { ErrorCode, ErrorDefinition, ErrorLocation, MigrateErrorOptions, OperationOutcomeIssueCode } from './errors.ts';
export { createIssue, createOutcome, errorToOutcome, hasErrors } from './outcome.ts';
export type { IssueSeverity } from './outcome.ts';
export { formatSourceRef, sourceRefToIdentifier, SOURCE_REF_SYSTEM } from './source-ref.ts';
export type { SourceRef, SourceRecord } from './source-ref.ts';
export { uuidV5, deterministicResourceId, FHIR_MIGRATE_NAMESPACE } from './ids.ts';
export { createLogger, REDACTED_PATHS } from './logger.ts';
export type { Logger, LoggerOptions } from './logger.ts';
