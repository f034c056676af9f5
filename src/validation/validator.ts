import { ERROR_CODES, MigrateError, createIssue, createOutcome, isMigrateError } from '../core/index.ts';
import type { ConformanceContext } from './context.ts';
import { isObject } from './context.ts';
import { isMemberOf } from './bindings.ts';
import { IssueCollector } from './issues.ts';
import type { ValidateOptions, Walk } from './walk.ts';
import { newTargetState } from './target-profiles.ts';
import { validateResourceValue } from './walker.ts';

const ALL_OK = 'All OK';

/**
 * Validates one resource against R4 (structure, cardinality, invariants, bindings), the profiles
 * it claims in meta.profile and those in `options.profiles`. Returns an OperationOutcome whose
 * issues carry severity, code, diagnostics and a FHIRPath `expression`; a valid resource gets a
 * single information issue "All OK" (as the HL7 validator reports).
 */
export function validateResource(context: ConformanceContext, resource: unknown, options: ValidateOptions = {}): fhir4.OperationOutcome {
  for (const url of options.profiles ?? []) {
    if (!context.structureDefinition(url)) {
      throw new MigrateError('FHIRMIG_ERR_VALIDATION_PROFILE_NOT_FOUND', `The profile ${url} is not loaded (add it with --load or --ig).`);
    }
  }
  const issues = new IssueCollector();
  const walk: Walk = {
    context,
    issues,
    unknownExtensions: options.unknownExtensions ?? 'warning',
    reportMustSupport: options.reportMustSupport ?? false,
    scope: { resource, rootResource: resource, evaluated: new WeakMap(), memberOf: (value, valueSet) => isMemberOf(context, value, valueSet) },
    bundle: undefined,
    resourceExpression: '',
    contained: false,
    targets: newTargetState(),
  };
  const resourceType = isObject(resource) && typeof resource['resourceType'] === 'string' ? resource['resourceType'] : 'Resource';
  try {
    validateResourceValue(walk, resource, resourceType, options.profiles ?? []);
  } catch (error) {
    // A profile whose snapshot cannot be built stops this resource's validation, not the caller.
    if (!isMigrateError(error)) throw error;
    issues.error(ERROR_CODES[error.code].issueCode, error.location?.expression ?? resourceType, `${error.code}: ${error.message}`);
  }
  return toOutcome(issues);
}

function toOutcome(issues: IssueCollector): fhir4.OperationOutcome {
  if (issues.issues.length === 0) return createOutcome([createIssue('information', 'informational', ALL_OK)]);
  const rank = { fatal: 0, error: 1, warning: 2, information: 3 } as const;
  const sorted = issues.issues
    .map((issue, index) => ({ issue, index }))
    .sort((a, b) => rank[a.issue.severity] - rank[b.issue.severity] || a.index - b.index)
    .map((x) => x.issue);
  return createOutcome(sorted);
}

/** Whether an outcome has an error or fatal issue. */
export function isValid(outcome: fhir4.OperationOutcome): boolean {
  return !outcome.issue.some((i) => i.severity === 'error' || i.severity === 'fatal');
}
