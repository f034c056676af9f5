import { ERROR_CODES, createIssue, createOutcome, isMigrateError } from '../../core/index.ts';
import { validateResource } from '../../validation/index.ts';
import type { ConformanceContext } from '../../validation/index.ts';
import { NDJSON_MAX_LINE_BYTES, parseJsonText } from '../../runtime/index.ts';
import type { NdjsonLine } from '../../runtime/index.ts';

/** Extensions the HL7 validator puts on every issue to give its place in the file. */
export const ISSUE_LINE = 'http://hl7.org/fhir/StructureDefinition/operationoutcome-issue-line';
export const ISSUE_COL = 'http://hl7.org/fhir/StructureDefinition/operationoutcome-issue-col';
const ERROR_CODE_SYSTEM = 'https://fhir-migrate.dev/CodeSystem/error-code';
const ALL_OK = 'All OK';

/**
 * Validates an NDJSON file line by line (one resource per line, Bulk Data IG) into one
 * OperationOutcome: every line's issues in line order, each located by its line as the HL7
 * validator does: `expression` keeps the FHIRPath inside the resource, `location` holds
 * `Line[n]` (`Line[n] Col[c]` for a JSON syntax error) and the `operationoutcome-issue-line`
 * (and `-col`) extensions carry the numbers. Empty lines are skipped; a line that is not JSON is a
 * fatal issue; lines that are valid add nothing (a file whose lines are all valid gets `All OK`).
 */
export async function validateNdjsonLines(
  context: ConformanceContext,
  lines: AsyncIterable<NdjsonLine> | Iterable<NdjsonLine>,
  profiles: string[],
): Promise<fhir4.OperationOutcome> {
  const issues: fhir4.OperationOutcomeIssue[] = [];
  let resources = 0;
  for await (const line of lines) {
    if (line.text !== undefined && line.text.trim() === '') continue;
    resources++;
    issues.push(...validateLine(context, line, profiles));
  }
  if (resources === 0) return createOutcome([createIssue('warning', 'informational', 'The NDJSON file holds no resource (every line is empty).')]);
  return createOutcome(issues.length > 0 ? issues : [createIssue('information', 'informational', ALL_OK)]);
}

function validateLine(context: ConformanceContext, line: NdjsonLine, profiles: string[]): fhir4.OperationOutcomeIssue[] {
  if (line.text === undefined) {
    const message = `Line ${line.line} is ${line.bytes} bytes long, over the ${NDJSON_MAX_LINE_BYTES}-byte limit for one resource; not validated.`;
    return [coded('fatal', 'FHIRMIG_ERR_INPUT_LINE_TOO_LONG', message, line.line)];
  }
  let resource: unknown;
  try {
    resource = parseJsonText(line.text, `line ${line.line}`);
  } catch (error) {
    if (!isMigrateError(error)) throw error;
    const column = error.location?.column;
    // The parser's own position is relative to the line: give the file's line and column instead.
    const reason = error.message.replace(/ at position \d+( \(line \d+ column \d+\))?/, '');
    return [coded('fatal', error.code, `Line ${line.line}, column ${column ?? '?'}: ${reason}`, line.line, column)];
  }
  const outcome = validateResource(context, resource, { profiles });
  if (outcome.issue.length === 1 && outcome.issue[0]?.diagnostics === ALL_OK) return [];
  return outcome.issue.map((issue) => locate(issue, line.line));
}

function coded(severity: 'fatal' | 'error', code: keyof typeof ERROR_CODES, message: string, line: number, column?: number): fhir4.OperationOutcomeIssue {
  const issue = createIssue(severity, ERROR_CODES[code].issueCode, message);
  issue.details = { coding: [{ system: ERROR_CODE_SYSTEM, code }], text: code };
  return locate(issue, line, column);
}

/** Adds the line (and column) to an issue: `location` and the HL7 issue-line/-col extensions. */
function locate(issue: fhir4.OperationOutcomeIssue, line: number, column?: number): fhir4.OperationOutcomeIssue {
  const extension: fhir4.Extension[] = [{ url: ISSUE_LINE, valueInteger: line }];
  if (column !== undefined) extension.push({ url: ISSUE_COL, valueInteger: column });
  const location = column === undefined ? `Line[${line}]` : `Line[${line}] Col[${column}]`;
  return { extension, ...issue, location: [location] };
}
