export { ERROR_CODES, MigrateError, isMigrateError, formatLocation } from './errors.ts';
export type { ErrorCode, ErrorDefinition, ErrorLocation, MigrateErrorOptions, OperationOutcomeIssueCode } from './errors.ts';
export { createIssue, createOutcome, errorToOutcome, hasErrors } from './outcome.ts';
export type { IssueSeverity } from './outcome.ts';
