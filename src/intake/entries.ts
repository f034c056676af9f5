import { createIssue, uuidV5 } from '../core/index.ts';
import { rewriteReferences } from '../target/index.ts';

/** One client entry ready to go: its resource with the id it will have and member references as `Type/id`. */
export interface IntakeEntry {
  /** Position in the client's Bundle. */
  readonly index: number;
  /** As the client sent it (echoed in the response so it can map urn:uuid → location). */
  readonly fullUrl?: string;
  readonly resource: fhir4.Resource;
  readonly key: string;
}

export interface EntryProblem {
  readonly index: number;
  readonly issue: fhir4.OperationOutcomeIssue;
}

export interface ParsedEntries {
  readonly entries: readonly IntakeEntry[];
  readonly problems: readonly EntryProblem[];
}

const FHIR_ID = /^[A-Za-z0-9\-.]{1,64}$/;
const URN_UUID = /^urn:uuid:([0-9a-fA-F-]{36})$/;
const RELATIVE = /^([A-Z][A-Za-z]+)\/([A-Za-z0-9\-.]{1,64})$/;

/**
 * The entries of a transaction or batch (R4 http.html#transaction), each given the id it is
 * written with: `PUT Type/id` keeps its id; a `POST` (create) takes the uuid of its `urn:uuid:`
 * fullUrl, else an id derived from the Bundle's hash and the entry position (so a re-sent Bundle
 * maps to the same ids). References to another entry's fullUrl become `Type/id`, which the
 * target's bundle builder resolves (in-bundle references survive, R4 bundle.html#references).
 * GET, DELETE, PATCH and conditional updates are not taken in.
 */
export function parseEntries(bundle: fhir4.Bundle, bundleHash: string): ParsedEntries {
  const problems: EntryProblem[] = [];
  const placed: IntakeEntry[] = [];
  const keys = new Set<string>();
  (bundle.entry ?? []).forEach((entry, index) => {
    const problem = (message: string) => problems.push({ index, issue: createIssue('error', 'invalid', message, `Bundle.entry[${index}]`) });
    const result = placeEntry(entry, index, bundleHash);
    if (typeof result === 'string') return problem(result);
    if (keys.has(result.key)) return problem(`${result.key} appears twice in the Bundle.`);
    keys.add(result.key);
    placed.push(result);
  });
  const aliases = new Map<string, string>();
  for (const entry of placed) if (entry.fullUrl) aliases.set(entry.fullUrl, entry.key);
  const entries = placed.map((e) => ({ ...e, resource: rewriteReferences(e.resource, (reference) => aliases.get(reference)) }));
  return { entries, problems };
}

function placeEntry(entry: fhir4.BundleEntry, index: number, bundleHash: string): IntakeEntry | string {
  const resource = entry.resource as fhir4.Resource | undefined;
  const method = entry.request?.method;
  if (!entry.request || !method) return 'The entry has no request (bdl-3: a transaction or batch entry needs request.method and request.url).';
  if (!resource || typeof resource.resourceType !== 'string') return `${method} entries need a resource.`;
  const fullUrl = entry.fullUrl;
  const withFullUrl = (id: string): IntakeEntry => ({ index, ...(fullUrl ? { fullUrl } : {}), resource: { ...resource, id }, key: `${resource.resourceType}/${id}` });
  switch (method) {
    case 'POST': {
      if (entry.request.url !== resource.resourceType) return `POST request.url is "${entry.request.url}", not the resource type ${resource.resourceType}.`;
      const uuid = URN_UUID.exec(fullUrl ?? '')?.[1];
      return withFullUrl(uuid ? uuid.toLowerCase() : uuidV5(`intake|${bundleHash}|${index}`));
    }
    case 'PUT': {
      const match = RELATIVE.exec(entry.request.url);
      if (!match) return `PUT request.url "${entry.request.url}" is not Type/id (conditional updates are not taken in).`;
      const [, type, id] = match as unknown as [string, string, string];
      if (type !== resource.resourceType) return `PUT ${entry.request.url} holds a ${resource.resourceType}.`;
      if (resource.id !== undefined && resource.id !== id) return `PUT ${entry.request.url}: the resource id is "${resource.id}" (R4 http.html#update: they must match).`;
      if (!FHIR_ID.test(id)) return `PUT ${entry.request.url}: not a valid id.`;
      return withFullUrl(id);
    }
    default:
      return `request.method ${method} is not taken in (intake forwards creates and updates: POST, PUT).`;
  }
}
