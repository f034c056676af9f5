import type { ConformanceContext } from './context.ts';
import { isObject } from './context.ts';
import type { IssueCollector } from './issues.ts';
import type { BundleIndex } from './walk.ts';

const RELATIVE = /^([A-Z][A-Za-z]+)\/([A-Za-z0-9\-.]{1,64})(\/_history\/[A-Za-z0-9\-.]{1,64})?$/;
const ABSOLUTE = /^(https?:\/\/\S+\/)?([A-Z][A-Za-z]+)\/([A-Za-z0-9\-.]{1,64})(\/_history\/[A-Za-z0-9\-.]{1,64})?$/;
const CONDITIONAL = /^[A-Z][A-Za-z]+\?\S*$/;
const URN = /^urn:(uuid|oid):\S+$/;

/** Checks a Reference: the format of `reference`, its target in the Bundle, the allowed target types. */
export function checkReference(
  context: ConformanceContext,
  def: fhir4.ElementDefinition,
  value: Record<string, unknown>,
  expression: string,
  bundle: BundleIndex | undefined,
  issues: IssueCollector,
): void {
  const reference = value['reference'];
  if (typeof reference !== 'string') return;
  const where = `${expression}.reference`;
  if (reference.startsWith('#')) return; // ref-1 checks contained references
  if (/\s/.test(reference)) {
    issues.error('value', where, `The reference '${reference}' contains whitespace`);
    return;
  }
  const targetType = resolveTargetType(reference, value, bundle, where, issues);
  if (targetType) checkTargetType(context, def, targetType, where, issues);
}

function resolveTargetType(
  reference: string,
  value: Record<string, unknown>,
  bundle: BundleIndex | undefined,
  where: string,
  issues: IssueCollector,
): string | undefined {
  const declared = typeof value['type'] === 'string' ? value['type'] : undefined;
  const inBundle = bundle?.byUrl.get(reference);
  if (inBundle) return String(inBundle['resourceType']);
  if (URN.test(reference)) {
    if (bundle) issues.error('not-found', where, `The reference '${reference}' is not resolved by any fullUrl in the Bundle`);
    return declared;
  }
  if (CONDITIONAL.test(reference)) {
    if (bundle && bundle.type !== 'transaction' && bundle.type !== 'batch') {
      issues.warning('value', where, `The conditional reference '${reference}' is only resolved in a transaction or batch Bundle`);
    }
    return reference.slice(0, reference.indexOf('?'));
  }
  const relative = RELATIVE.exec(reference);
  if (relative) return relative[1];
  const absolute = ABSOLUTE.exec(reference);
  if (absolute) return absolute[2];
  if (!/^[a-z][a-z0-9+.-]*:/i.test(reference)) {
    issues.warning('value', where, `The reference '${reference}' is neither Type/id, an absolute URL, a urn nor a #contained id`);
  }
  return declared;
}

function checkTargetType(context: ConformanceContext, def: fhir4.ElementDefinition, targetType: string, where: string, issues: IssueCollector): void {
  const allowed = allowedTargetTypes(context, def);
  if (!allowed || allowed.has('Resource') || allowed.has(targetType)) return;
  issues.error('structure', where, `Invalid target type: the reference points to a ${targetType}, but ${def.path} allows ${[...allowed].join(', ')}`);
}

/** The resource types a Reference element's targetProfiles allow; undefined when any is unknown (cannot judge). */
function allowedTargetTypes(context: ConformanceContext, def: fhir4.ElementDefinition): Set<string> | undefined {
  let cache = targetCaches.get(context);
  if (!cache) {
    cache = new WeakMap();
    targetCaches.set(context, cache);
  }
  const cached = cache.get(def);
  if (cached !== undefined) return cached ?? undefined;
  const targets = (def.type ?? []).filter((t) => t.code === 'Reference').flatMap((t) => t.targetProfile ?? []);
  let allowed: Set<string> | null = targets.length ? new Set<string>() : null;
  for (const url of targets) {
    const sd = context.structureDefinition(url);
    if (!sd?.type) allowed = null;
    else allowed?.add(sd.type);
  }
  cache.set(def, allowed);
  return allowed ?? undefined;
}

const targetCaches = new WeakMap<ConformanceContext, WeakMap<fhir4.ElementDefinition, Set<string> | null>>();

/** Indexes a Bundle's entries by fullUrl and by `Type/id`. */
export function indexBundle(bundle: Record<string, unknown>): BundleIndex {
  const byUrl = new Map<string, Record<string, unknown>>();
  const entries = Array.isArray(bundle['entry']) ? (bundle['entry'] as unknown[]) : [];
  for (const entry of entries) {
    if (!isObject(entry) || !isObject(entry['resource'])) continue;
    const resource = entry['resource'];
    if (typeof entry['fullUrl'] === 'string') byUrl.set(entry['fullUrl'], resource);
    if (typeof resource['id'] === 'string') byUrl.set(`${String(resource['resourceType'])}/${resource['id']}`, resource);
  }
  return { type: typeof bundle['type'] === 'string' ? bundle['type'] : undefined, byUrl };
}
