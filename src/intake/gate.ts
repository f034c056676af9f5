import type { IntakeEntry } from './entries.ts';
import type { IntakeDeps } from './types.ts';

export interface GateResult {
  /** Translated entries without error issues, with their warnings (reported in the response). */
  readonly accepted: readonly { readonly entry: IntakeEntry; readonly warnings: readonly fhir4.OperationOutcomeIssue[] }[];
  /** Entries with error/fatal issues, located at `Bundle.entry[i].resource…`. */
  readonly failures: readonly { readonly entry: IntakeEntry; readonly issues: readonly fhir4.OperationOutcomeIssue[] }[];
}

function isError(issue: fhir4.OperationOutcomeIssue): boolean {
  return issue.severity === 'error' || issue.severity === 'fatal';
}

/**
 * Translates each entry's codings, then validates it (R4 + claimed profiles). Issues are moved
 * from the resource (`Observation.value`) to the Bundle (`Bundle.entry[3].resource.value`), and
 * prefixed with the entry's label (its lineage, for converted messages) when there is one.
 */
export function gateEntries(deps: IntakeDeps, entries: readonly IntakeEntry[], labels?: ReadonlyMap<number, string>): GateResult {
  const accepted: GateResult['accepted'][number][] = [];
  const failures: GateResult['failures'][number][] = [];
  for (const original of entries) {
    const entry = { ...original, resource: deps.translate(original.resource) };
    const issues = deps.validate(entry.resource).issue.filter((i) => i.severity !== 'information').map((i) => relocate(i, entry.index, labels?.get(entry.index)));
    const errors = issues.filter(isError);
    if (errors.length > 0) failures.push({ entry, issues: errors });
    else accepted.push({ entry, warnings: issues });
  }
  return { accepted, failures };
}

function relocate(issue: fhir4.OperationOutcomeIssue, index: number, label: string | undefined): fhir4.OperationOutcomeIssue {
  const base = `Bundle.entry[${index}].resource`;
  const expression = (issue.expression ?? []).map((e) => e.replace(/^[A-Z][A-Za-z]*/, base));
  return {
    ...issue,
    expression: expression.length > 0 ? expression : [base],
    ...(label && issue.diagnostics ? { diagnostics: `${label}: ${issue.diagnostics}` } : {}),
  };
}
