import { MigrateError } from '../core/index.ts';
import { patientCompartmentTypes } from './compartment.ts';
import { hasElement, isKnownResourceType } from './fhir-definitions.ts';
import type { ElementSelector, ExportRequest, Handling, IgnoredParameter, KickOffInput, ParameterValue, TypeFilter } from './export-request.ts';
import { LATEST_PROVENANCE, NDJSON_FORMATS } from './export-request.ts';
import { unsupportedCriterion } from './type-filter.ts';

const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;
const ELEMENT = /^(?:([A-Z][A-Za-z]+)\.)?([a-z][A-Za-z0-9]*)$/;
const PATIENT_REFERENCE = /^Patient\/([A-Za-z0-9\-.]{1,64})$/;
const TYPE_FILTER = /^([A-Z][A-Za-z]+)\?(.+)$/s;
const KNOWN = new Set(['_outputFormat', '_since', '_type', '_elements', 'patient', 'includeAssociatedData', '_typeFilter']);

/** `Prefer: respond-async[, handling=strict|lenient]` (IG: kick-off request headers; lenient is FHIR's default). */
export function parsePrefer(prefer: string | undefined): Handling {
  const tokens = (prefer ?? '').split(/[,;]/).map((t) => t.trim().toLowerCase());
  if (!tokens.includes('respond-async')) {
    throw new MigrateError('FHIRMIG_ERR_BULK_ASYNC_REQUIRED', 'A $export kick-off needs the header "Prefer: respond-async" (Bulk Data IG v2, kick-off request).');
  }
  return tokens.includes('handling=strict') ? 'strict' : 'lenient';
}

function invalid(parameter: string, message: string): MigrateError {
  return new MigrateError('FHIRMIG_ERR_BULK_PARAMETER', `$export parameter ${parameter}: ${message}`);
}

/** Splits comma-separated values of every occurrence of a parameter. */
function listOf(values: readonly ParameterValue[] | undefined): string[] {
  return (values ?? []).flatMap((v) => v.value.split(',')).map((v) => v.trim()).filter(Boolean);
}

function single(name: string, values: readonly ParameterValue[] | undefined): string | undefined {
  if (values === undefined || values.length === 0) return undefined;
  if (values.length > 1) throw invalid(name, 'may be given once.');
  return values[0]?.value.trim();
}

/** The kick-off's parameters, validated; unsupported ones refused (strict) or recorded as ignored (lenient). */
export function parseKickOff(input: KickOffInput): ExportRequest {
  const handling = parsePrefer(input.prefer);
  const ignored: IgnoredParameter[] = [];
  const unsupported = (parameter: string, reason: string): void => {
    if (handling === 'strict') throw new MigrateError('FHIRMIG_ERR_BULK_PARAMETER', `$export parameter ${parameter} is not supported: ${reason} (Prefer: handling=strict).`);
    ignored.push({ parameter, reason });
  };
  const get = (name: string) => input.parameters.get(name);
  for (const name of input.parameters.keys()) if (!KNOWN.has(name)) unsupported(name, 'this server does not support the parameter');
  parseOutputFormat(single('_outputFormat', get('_outputFormat')));
  const compartment = input.level === 'system' ? undefined : patientCompartmentTypes();
  return {
    level: input.level,
    groupId: input.groupId,
    requestUrl: input.requestUrl,
    handling,
    types: parseTypes(get('_type'), compartment, unsupported),
    since: parseSince(single('_since', get('_since'))),
    typeFilters: parseTypeFilters(get('_typeFilter'), unsupported),
    elements: parseElements(get('_elements'), unsupported),
    patients: parsePatients(input.level, get('patient'), unsupported),
    includeLatestProvenance: parseAssociatedData(get('includeAssociatedData'), unsupported),
    ignored,
  };
}

type Unsupported = (parameter: string, reason: string) => void;

function parseOutputFormat(format: string | undefined): void {
  if (format === undefined || NDJSON_FORMATS.includes(format)) return;
  throw invalid('_outputFormat', `"${format}" is not supported (use ${NDJSON_FORMATS.join(', ')}).`);
}

function parseSince(since: string | undefined): string | undefined {
  if (since === undefined) return undefined;
  if (!INSTANT.test(since) || Number.isNaN(Date.parse(since))) throw invalid('_since', `"${since}" is not a FHIR instant (e.g. 2024-01-01T00:00:00Z).`);
  return new Date(since).toISOString();
}

function parseTypes(values: readonly ParameterValue[] | undefined, compartment: ReadonlySet<string> | undefined, unsupported: Unsupported): string[] | undefined {
  if (values === undefined) return undefined;
  const types: string[] = [];
  for (const type of new Set(listOf(values))) {
    if (!isKnownResourceType(type)) unsupported('_type', `${type} is not an R4 resource type`);
    else if (compartment && !compartment.has(type)) unsupported('_type', `${type} is not in the Patient compartment (Patient and Group level export)`);
    else types.push(type);
  }
  return types;
}

function parseTypeFilters(values: readonly ParameterValue[] | undefined, unsupported: Unsupported): TypeFilter[] {
  const filters: TypeFilter[] = [];
  // Commas separate criteria only before a `Type?` (search values may hold commas: status=a,b).
  for (const text of (values ?? []).flatMap((v) => v.value.split(/,(?=[A-Z][A-Za-z]+\?)/))) {
    const match = TYPE_FILTER.exec(text.trim());
    if (!match) throw invalid('_typeFilter', `"${text}" is not of the form Type?search-parameters.`);
    const filter = { type: match[1] as string, query: match[2] as string };
    const reason = isKnownResourceType(filter.type) ? unsupportedCriterion(filter) : `${filter.type} is not an R4 resource type`;
    if (reason === undefined) filters.push(filter);
    else unsupported('_typeFilter', `${filter.type}?${filter.query}: ${reason}`);
  }
  return filters;
}

function parseElements(values: readonly ParameterValue[] | undefined, unsupported: Unsupported): ElementSelector[] | undefined {
  if (values === undefined) return undefined;
  const selectors: ElementSelector[] = [];
  for (const text of listOf(values)) {
    const match = ELEMENT.exec(text);
    if (!match) throw invalid('_elements', `"${text}" is not an element name or Type.element.`);
    if (match[1] !== undefined && !isKnownResourceType(match[1])) unsupported('_elements', `${match[1]} is not an R4 resource type`);
    else if (match[1] !== undefined && !hasElement(match[1], match[2] as string)) unsupported('_elements', `${match[1]} has no element ${match[2]}`);
    else selectors.push({ type: match[1], element: match[2] as string });
  }
  return selectors;
}

function parsePatients(level: ExportRequest['level'], values: readonly ParameterValue[] | undefined, unsupported: Unsupported): string[] | undefined {
  if (values === undefined) return undefined;
  if (level === 'system') {
    unsupported('patient', 'applies to Patient and Group level exports only');
    return undefined;
  }
  return [...new Set(listOf(values))].map((reference) => {
    const match = PATIENT_REFERENCE.exec(reference);
    if (!match) throw invalid('patient', `"${reference}" is not a Patient reference (Patient/id).`);
    return match[1] as string;
  });
}

function parseAssociatedData(values: readonly ParameterValue[] | undefined, unsupported: Unsupported): boolean {
  let latest = false;
  for (const value of listOf(values)) {
    if (value === LATEST_PROVENANCE) latest = true;
    else unsupported('includeAssociatedData', `${value} is not supported (only ${LATEST_PROVENANCE})`);
  }
  return latest;
}
