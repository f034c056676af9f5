import { createIssue } from '../core/index.ts';
import type { IssueSeverity, OperationOutcomeIssueCode } from '../core/index.ts';

/**
 * Collects validation issues; the same (severity, location, message) is kept once, because a value
 * is checked against the base definition and again against each profile that constrains it.
 */
export class IssueCollector {
  readonly issues: fhir4.OperationOutcomeIssue[] = [];
  private readonly seen = new Set<string>();
  private readonly visited = new WeakMap<object, Map<unknown, Set<string>>>();

  /**
   * True the first time a JSON object (at one location) is checked against a given element list. A profile that does
   * not constrain inside an element uses the same type definition as the base pass did, so the
   * second walk would only repeat the first one's issues (which are kept once anyway).
   */
  firstVisit(value: object, against: unknown, expression: string): boolean {
    let byList = this.visited.get(value);
    if (!byList) {
      byList = new Map();
      this.visited.set(value, byList);
    }
    let expressions = byList.get(against);
    if (!expressions) {
      expressions = new Set();
      byList.set(against, expressions);
    }
    if (expressions.has(expression)) return false;
    expressions.add(expression);
    return true;
  }

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
