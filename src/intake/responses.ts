import { createIssue, createOutcome, errorToOutcome } from '../core/index.ts';
import type { MigrateError } from '../core/index.ts';
import type { EntryResult } from '../target/index.ts';
import type { IntakeEntry } from './entries.ts';

const REASONS: Readonly<Record<number, string>> = {
  200: 'OK', 201: 'Created', 400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 409: 'Conflict',
  412: 'Precondition Failed', 422: 'Unprocessable Entity', 429: 'Too Many Requests', 500: 'Internal Server Error', 502: 'Bad Gateway', 503: 'Service Unavailable',
};

/** `201 Created`: Bundle.entry.response.status is the HTTP status code, optionally with its text. */
export function statusLine(status: number): string {
  const reason = REASONS[status];
  return reason ? `${status} ${reason}` : String(status);
}

/** The response entry of one forwarded entry: the target's status, location and ETag, the client's fullUrl. */
export function writtenEntry(entry: IntakeEntry, result: EntryResult | undefined, warnings: readonly fhir4.OperationOutcomeIssue[]): fhir4.BundleEntry {
  const status = result?.status ?? 0;
  const location = result?.location ?? (result?.id ? `${entry.resource.resourceType}/${result.id}` : undefined);
  const response: fhir4.BundleEntryResponse = {
    status: statusLine(status),
    ...(location ? { location } : {}),
    ...(result?.versionId ? { etag: `W/"${result.versionId}"` } : {}),
  };
  const issues = [...(result?.outcome?.issue ?? []), ...warnings];
  if (issues.length > 0) response.outcome = createOutcome(issues) as fhir4.FhirResource;
  return { ...(entry.fullUrl ? { fullUrl: entry.fullUrl } : {}), response };
}

/** A batch entry that was not forwarded: its status and OperationOutcome (R4 http.html#transaction-response). */
export function failedEntry(fullUrl: string | undefined, status: number, outcome: fhir4.OperationOutcome): fhir4.BundleEntry {
  return { ...(fullUrl ? { fullUrl } : {}), response: { status: statusLine(status), outcome: outcome as fhir4.FhirResource } };
}

export function errorEntry(fullUrl: string | undefined, error: MigrateError): fhir4.BundleEntry {
  return failedEntry(fullUrl, error.status, errorToOutcome(error));
}

/** An OperationOutcome that leads with the error code (as errorToOutcome does) and lists the located issues. */
export function codedOutcome(error: MigrateError, issues: readonly fhir4.OperationOutcomeIssue[]): fhir4.OperationOutcome {
  const lead = errorToOutcome(error).issue;
  return createOutcome([...lead, ...issues]);
}

export function informationOutcome(message: string): fhir4.OperationOutcome {
  return createOutcome([createIssue('information', 'informational', message)]);
}
