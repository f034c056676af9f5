import { ERROR_CODES, formatLocation, isMigrateError } from './errors.ts';
import type { OperationOutcomeIssueCode } from './errors.ts';

export type IssueSeverity = fhir4.OperationOutcomeIssue['severity'];

const ERROR_CODE_SYSTEM = 'https://fhir-migrate.dev/CodeSystem/error-code';

export function createIssue(
  severity: IssueSeverity,
  code: OperationOutcomeIssueCode,
  diagnostics: string,
  expression?: string,
): fhir4.OperationOutcomeIssue {
  const issue: fhir4.OperationOutcomeIssue = { severity, code, diagnostics };
  if (expression) issue.expression = [expression];
  return issue;
}

export function createOutcome(issues: fhir4.OperationOutcomeIssue[]): fhir4.OperationOutcome {
  return { resourceType: 'OperationOutcome', issue: issues };
}

/** Turns any thrown value into an OperationOutcome; a MigrateError keeps its code and location. */
export function errorToOutcome(error: unknown): fhir4.OperationOutcome {
  if (isMigrateError(error)) {
    const where = formatLocation(error.location);
    const issue = createIssue('error', ERROR_CODES[error.code].issueCode, where ? `${where}: ${error.message}` : error.message);
    issue.details = { coding: [{ system: ERROR_CODE_SYSTEM, code: error.code }], text: error.code };
    if (error.location?.expression) issue.expression = [error.location.expression];
    const extra = error.details.map((d) => createIssue('error', ERROR_CODES[error.code].issueCode, d));
    return createOutcome([issue, ...extra]);
  }
  const message = error instanceof Error ? error.message : String(error);
  const issue = createIssue('fatal', 'exception', message);
  issue.details = { coding: [{ system: ERROR_CODE_SYSTEM, code: 'FHIRMIG_ERR_CORE_INTERNAL' }], text: 'FHIRMIG_ERR_CORE_INTERNAL' };
  return createOutcome([issue]);
}

export function hasErrors(outcome: fhir4.OperationOutcome): boolean {
  return outcome.issue.some((i) => i.severity === 'error' || i.severity === 'fatal');
}
