import { createIssue } from '../core/index.ts';
import type { IssueSeverity, OperationOutcomeIssueCode } from '../core/index.ts';

/**
 * Collects validation issues; the same (severity, location, message) is kept once, because a value
 * is checked against the base definition and again against each profile that constrains it.
 */
export class IssueCollector {
  readonly issues: fhir4.OperationOutcomeIssue[] = [];
  private readonly seen = new Set<string>();

  add(severity: IssueSeverity, code: OperationOutcomeIssueCode, expression: string, message: string): void {
    const key = `${severity}|${expression}|${message}`;
    if (this.seen.has(key)) return;
    this.seen.add(key);
    this.issues.push(createIssue(severity, code, message, expression));
  }

  error(code: OperationOutcomeIssueCode, expression: string, message: string): void {
    this.add('error', code, expression, message);
  }

  warning(code: OperationOutcomeIssueCode, expression: string, message: string): void {
    this.add('warning', code, expression, message);
  }

  information(code: OperationOutcomeIssueCode, expression: string, message: string): void {
    this.add('information', code, expression, message);
  }

  hasErrors(): boolean {
    return this.issues.some((i) => i.severity === 'error' || i.severity === 'fatal');
  }

  /** Copies the issues of a trial run (e.g. one candidate profile) into this collector. */
  merge(other: IssueCollector): void {
    for (const issue of other.issues) this.add(issue.severity, issue.code, issue.expression?.[0] ?? '', issue.diagnostics ?? '');
  }
}
