import type { ConformanceContext } from './context.ts';
import { isObject } from './context.ts';
import type { TargetState, Walk } from './walk.ts';

/** Trial validation of a resolved target against one profile: true when it has no error. */
export type TargetConforms = (walk: Walk, profile: fhir4.StructureDefinition, target: ResolvedTarget) => boolean;

/** A reference target found inside the validation scope (a contained resource or a Bundle entry). */
export interface ResolvedTarget {
  readonly resource: Record<string, unknown>;
  /** The resource containing it, when it is a contained resource. */
  readonly container: Record<string, unknown> | undefined;
}

export function newTargetState(): TargetState {
  return { results: new WeakMap(), inProgress: new WeakSet() };
}

/**
 * Reference.reference targetProfile (FHIR R4 ElementDefinition.type.targetProfile, §2.3.0): when the
 * target resolves inside the validation scope, it must conform to at least one of the profiles
 * allowed for its type. Reported as the HL7 validator does (Reference_REF_CantMatchChoice). An
 * unresolved target, or a profile that is not loaded, is not judged.
 */
export function checkTargetProfiles(walk: Walk, def: fhir4.ElementDefinition, value: Record<string, unknown>, expression: string, conforms: TargetConforms): void {
  const reference = value['reference'];
  if (typeof reference !== 'string') return;
  const target = resolveInScope(walk, reference);
  if (!target) return;
  const candidates = (def.type ?? []).filter((t) => t.code === 'Reference').flatMap((t) => t.targetProfile ?? []);
  if (candidates.length === 0) return;
  const resourceType = target.resource['resourceType'];
  const profiles = profilesForType(walk.context, candidates, resourceType);
  // No candidate for this type: the target type check reports it; an unloaded candidate cannot be judged.
  if (!profiles || profiles.length === 0) return;
  if (profiles.some((sd) => isBaseDefinition(sd) || conformsOnce(walk, sd, target, conforms))) return;
  walk.issues.error('structure', expression, `Unable to find a match for profile ${reference} among choices: ${profiles.map((sd) => sd.url).join(', ')}`);
}

/** The loaded candidates whose type is the target's type; undefined when a candidate is not loaded. */
function profilesForType(context: ConformanceContext, candidates: string[], resourceType: unknown): fhir4.StructureDefinition[] | undefined {
  const result: fhir4.StructureDefinition[] = [];
  for (const url of candidates) {
    const sd = context.structureDefinition(url);
    if (!sd) return undefined;
    if (sd.type === resourceType || sd.type === 'Resource' || sd.type === 'DomainResource') result.push(sd);
  }
  return result;
}

function isBaseDefinition(sd: fhir4.StructureDefinition): boolean {
  return sd.derivation !== 'constraint';
}

function conformsOnce(walk: Walk, sd: fhir4.StructureDefinition, target: ResolvedTarget, conforms: TargetConforms): boolean {
  const state = walk.targets;
  let byProfile = state.results.get(target.resource);
  const known = byProfile?.get(sd.url);
  if (known !== undefined) return known;
  // A cycle of references: the target is already being checked higher up; do not judge it twice.
  if (state.inProgress.has(target.resource)) return true;
  state.inProgress.add(target.resource);
  let result: boolean;
  try {
    result = conforms(walk, sd, target);
  } finally {
    state.inProgress.delete(target.resource);
  }
  if (!byProfile) {
    byProfile = new Map();
    state.results.set(target.resource, byProfile);
  }
  byProfile.set(sd.url, result);
  return result;
}

/** `#id` → a contained resource of the container; otherwise an entry of the enclosing Bundle. */
export function resolveInScope(walk: Walk, reference: string): ResolvedTarget | undefined {
  if (reference.charCodeAt(0) === 35 /* # */) {
    const container = walk.scope.rootResource;
    if (!isObject(container) || reference.length === 1) return undefined;
    const id = reference.slice(1);
    const contained = Array.isArray(container['contained']) ? (container['contained'] as unknown[]) : [];
    const found = contained.find((c) => isObject(c) && c['id'] === id);
    return isObject(found) ? { resource: found, container } : undefined;
  }
  const entry = walk.bundle?.byUrl.get(reference);
  return entry ? { resource: entry, container: undefined } : undefined;
}
