import { createIssue } from '../core/index.ts';
import type { IssueSeverity, OperationOutcomeIssueCode } from '../core/index.ts';

/**
 * Collects validation issues; the same (severity, location, message) is kept once, because a value
 * is checked against the base definition and again against each profile that constrains it.
 */
export class IssueCollector {
  readonly issues: fhir4.OperationOutcomeIssue[] = [];
  private readonly seen = new Set<string>();
  /** Per JSON object: the (element list, location) pairs it was checked against. The collector lives for one validation. */
  private readonly visited = new Map<object, Visit>();

  /**
   * True the first time a JSON object (at one location) is checked against a given element list. A profile that does
   * not constrain inside an element uses the same type definition as the base pass did, so the
   * second walk would only repeat the first one's issues (which are kept once anyway).
   */
  firstVisit(value: object, against: unknown, expression: string): boolean {
    const first = this.visited.get(value);
    for (let visit = first; visit; visit = visit.next) {
      if (visit.against === against && visit.expression === expression) return false;
    }
    this.visited.set(value, { against, expression, next: first });
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

interface Visit {
  readonly against: unknown;
  readonly expression: string;
  readonly next: Visit | undefined;
}
