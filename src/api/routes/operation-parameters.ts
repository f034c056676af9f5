import { MigrateError } from '../../core/index.ts';
import type { MapSourceInput } from '../ports.ts';

type Parameter = fhir4.ParametersParameter;

function isParameters(body: unknown): body is fhir4.Parameters {
  return (body as { resourceType?: unknown } | null)?.resourceType === 'Parameters';
}

function named(params: fhir4.Parameters, name: string): Parameter[] {
  return (params.parameter ?? []).filter((p) => p.name === name);
}

function uriValue(p: Parameter): string | undefined {
  return p.valueUri ?? p.valueCanonical ?? p.valueUrl ?? p.valueString ?? p.valueCode;
}

function bad(message: string): MigrateError {
  return new MigrateError('FHIRMIG_ERR_API_REQUEST', message);
}

/**
 * R4 Resource $validate (http://hl7.org/fhir/R4/resource-operation-validate.html): the body is the
 * resource itself, or Parameters with `resource`, optional `mode` and `profile`. Query `profile`
 * adds profiles. Mode `delete` asks whether a deletion is allowed: there is nothing here to check.
 */
export function validateInput(body: unknown, queryProfiles: readonly string[], resourceType?: string): { resource: unknown; profiles: string[] } {
  const input = validateInputOf(body, queryProfiles);
  const actual = (input.resource as { resourceType?: unknown } | null)?.resourceType;
  if (resourceType !== undefined && actual !== resourceType) throw bad(`$validate on ${resourceType}: the resource is a ${String(actual)}.`);
  return input;
}

function validateInputOf(body: unknown, queryProfiles: readonly string[]): { resource: unknown; profiles: string[] } {
  const profiles = [...queryProfiles];
  if (!isParameters(body) || !(body.parameter ?? []).some((p) => p.name === 'resource')) return { resource: body, profiles };
  const [resource, ...more] = named(body, 'resource');
  if (!resource?.resource || more.length > 0) throw bad('$validate: give exactly one "resource" parameter holding the resource.');
  for (const p of named(body, 'profile')) {
    const url = uriValue(p);
    if (!url) throw bad('$validate: "profile" needs a valueUri (the profile\'s canonical URL).');
    profiles.push(url);
  }
  const mode = named(body, 'mode')[0]?.valueCode;
  if (mode === 'delete') throw new MigrateError('FHIRMIG_ERR_API_REQUEST', '$validate mode "delete" is not supported: the service holds no resources to delete.');
  return { resource: resource.resource, profiles };
}

/** Text that is a canonical URL rather than FML: no whitespace, a scheme or urn. */
function looksLikeUrl(text: string): boolean {
  return /^(https?:|urn:)\S+$/i.test(text.trim());
}

function mapSourceOf(p: Parameter): MapSourceInput {
  if (p.resource?.resourceType === 'StructureMap') return { kind: 'structureMap', map: p.resource };
  if (p.resource) throw bad(`$transform: "source" holds a ${p.resource.resourceType}, not a StructureMap.`);
  const value = uriValue(p);
  if (!value) throw bad('$transform: "source" needs a map URL (valueUri), FML text (valueString) or a StructureMap (resource).');
  return looksLikeUrl(value) ? { kind: 'url', url: value.trim() } : { kind: 'fml', text: value };
}

/**
 * R4 StructureMap $transform (http://hl7.org/fhir/R4/structuremap-operation-transform.html):
 * in `source` (the map's canonical URL; also accepted: an inline StructureMap or FML text) and
 * `content` (the content to transform). A body that is not Parameters is the content itself, with
 * the map named by the `source` query parameter (as Matchbox and HAPI accept).
 */
export function transformInput(body: unknown, querySource: string | undefined): { map: MapSourceInput; content: unknown } {
  if (!isParameters(body) || !(body.parameter ?? []).some((p) => p.name === 'content')) {
    if (!querySource) throw bad('$transform: give Parameters with "source" and "content", or the content as body with ?source=<map url>.');
    return { map: { kind: 'url', url: querySource }, content: body };
  }
  const [content, ...moreContent] = named(body, 'content');
  if (!content || moreContent.length > 0 || content.resource === undefined) throw bad('$transform: give exactly one "content" parameter holding the content as "resource".');
  const sources = named(body, 'source');
  if (sources.length > 1) throw bad('$transform: give at most one "source" parameter.');
  const source = sources[0];
  if (source) return { map: mapSourceOf(source), content: content.resource };
  if (!querySource) throw bad('$transform: "source" (the map) is required when the operation is invoked on the type.');
  return { map: { kind: 'url', url: querySource }, content: content.resource };
}

/**
 * An operation invoked with GET carries its simple in parameters in the query (R4
 * operations.html#executing): each becomes a parameter; `reverse` is a boolean.
 */
export function queryToParameters(query: Readonly<Record<string, string>>): fhir4.Parameters {
  const parameter = Object.entries(query).map(([name, value]): Parameter => (name === 'reverse' ? { name, valueBoolean: value === 'true' } : { name, valueString: value }));
  return { resourceType: 'Parameters', parameter };
}
