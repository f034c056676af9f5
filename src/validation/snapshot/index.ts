/**
 * StructureDefinition snapshot generation: differential → snapshot against the base definition.
 * Pure: structures come from the resolver the caller passes in.
 */
import { SnapshotContext } from './context.ts';
import { snapshotError } from './errors.ts';
import { assignIds } from './ids.ts';
import { processPaths } from './process.ts';
import type { ED, SD, WalkParams } from './types.ts';

/** Resolves a canonical URL (which may carry `|version`) to a StructureDefinition. */
export type StructureDefinitionResolver = (canonicalUrl: string) => fhir4.StructureDefinition | undefined;

export interface SnapshotOptions {
  /**
   * When true (the default), differential elements that match nothing in the base are an error.
   * When false they are skipped silently, as the IG Publisher only warns about them.
   */
  readonly strict?: boolean;
  /** Where relative links into the core specification point (default `http://hl7.org/fhir/R4/`). */
  readonly specUrl?: string;
  /**
   * Snapshots generated for referenced structures (bases, extensions), by canonical URL. Pass the
   * same map to several calls to generate each dependency once; the caller owns its lifetime.
   */
  readonly cache?: Map<string, fhir4.StructureDefinition>;
}

const DEFAULT_SPEC_URL = 'http://hl7.org/fhir/R4/';

/**
 * Returns a new StructureDefinition with `snapshot` generated from `profile.differential` on top of
 * the snapshot of `profile.baseDefinition` (which is itself generated first if it has none).
 */
export function generateSnapshot(profile: fhir4.StructureDefinition, resolve: StructureDefinitionResolver, options: SnapshotOptions = {}): fhir4.StructureDefinition {
  const ctx = new SnapshotContext(resolve, (sd, c) => buildSnapshot(sd, c, options), options.specUrl ?? DEFAULT_SPEC_URL, options.cache);
  return buildSnapshot(profile, ctx, options);
}

function buildSnapshot(derived: SD, ctx: SnapshotContext, options: SnapshotOptions): SD {
  const base = loadBase(derived, ctx);
  const baseElements = structuredClone(base.snapshot?.element ?? []);
  if (base.kind === 'resource') fixTypeOfResourceId(baseElements);
  const diff: ED[] = structuredClone(derived.differential?.element ?? []);
  const first = diff[0];
  if (first && !first.path.includes('.') && first.type?.length && derived.kind !== 'logical') {
    throw snapshotError('the first differential element has a type', derived.url, first.id ?? first.path);
  }
  const result: ED[] = [];
  const generated = new Set<ED>();
  const params: WalkParams = {
    ctx, result, diff, generated, walk: processPaths,
    baseLimit: baseElements.length - 1, diffLimit: diff.length - 1, url: derived.url,
    contextPathSource: undefined, contextPathTarget: undefined, redirector: [],
    sourceSD: base, derived, slicing: { done: false },
  };
  processPaths(params, { base: baseElements, baseCursor: 0, diffCursor: 0, resultPathBase: undefined });
  if (result[0]?.type?.length && derived.kind !== 'logical') throw snapshotError('the first snapshot element has a type', derived.url, result[0].path);
  const unmatched = diff.filter((e) => !generated.has(e));
  if (unmatched.length && options.strict !== false) {
    const which = unmatched.map((e) => e.id ?? e.path).join(', ');
    throw snapshotError(`differential element(s) ${which} match nothing in the base (check paths and order)`, derived.url, unmatched[0]?.id ?? unmatched[0]?.path);
  }
  tidy(result);
  assignIds(result);
  const copy: SD = structuredClone(derived);
  copy.snapshot = { element: result };
  copy.mapping = mergeMappings(base.mapping, derived.mapping);
  if (!copy.mapping.length) delete copy.mapping;
  return copy;
}

function loadBase(derived: SD, ctx: SnapshotContext): SD {
  if (!derived.baseDefinition) throw snapshotError('the profile has no baseDefinition', derived.url);
  if (!derived.differential?.element.length) throw snapshotError('the profile has no differential', derived.url);
  if (derived.derivation !== 'constraint') throw snapshotError(`derivation ${derived.derivation ?? '(none)'} is not supported, only constraint`, derived.url);
  const base = ctx.fetchWithSnapshot(derived.baseDefinition);
  if (!base?.snapshot?.element.length) throw snapshotError(`the base ${derived.baseDefinition} cannot be resolved`, derived.url);
  if (base.type !== derived.type) throw snapshotError(`the base has type ${base.type}, the profile ${derived.type}`, derived.url);
  return base;
}

/** In R4 `Resource.id` is typed `id` (the published R4 definitions say `string`). */
function fixTypeOfResourceId(elements: ED[]): void {
  for (const ed of elements) {
    if (ed.base?.path !== 'Resource.id') continue;
    ed.type = (ed.type ?? []).map(() => ({
      extension: [{ url: 'http://hl7.org/fhir/StructureDefinition/structuredefinition-fhir-type', valueUrl: 'id' }],
      code: 'http://hl7.org/fhirpath/System.String',
    }));
  }
}

/** Trims mapping text and makes relative constraint sources absolute. */
function tidy(elements: ED[]): void {
  for (const ed of elements) {
    for (const m of ed.mapping ?? []) m.map = m.map.trim();
    for (const c of ed.constraint ?? []) {
      if (c.source === undefined || c.source.includes(':')) continue;
      const dot = c.source.indexOf('.');
      c.source = `http://hl7.org/fhir/StructureDefinition/${dot < 0 ? c.source : `${c.source.slice(0, dot)}#${c.source}`}`;
    }
  }
}

function mergeMappings(base: fhir4.StructureDefinitionMapping[] | undefined, own: fhir4.StructureDefinitionMapping[] | undefined): fhir4.StructureDefinitionMapping[] {
  const merged = structuredClone(own ?? []);
  for (const m of base ?? []) if (!merged.some((d) => d.uri !== undefined && d.uri === m.uri)) merged.push(structuredClone(m));
  return merged;
}
