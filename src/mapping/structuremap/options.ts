import type { TypeModel } from './type-model.ts';

export interface UnmappedCodeInfo {
  readonly rule: string;
  readonly system?: string;
  readonly code?: string;
  readonly conceptMap: string;
}

export interface TransformLimits {
  /** Deepest allowed nesting of group invocations. */
  readonly maxDepth?: number;
  /** Rule executions (one per source tuple) plus target evaluations. */
  readonly maxSteps?: number;
  /** Values written into the output. */
  readonly maxOutputNodes?: number;
}

export interface TransformOptions {
  /** Target/source types (R4 + logical models). */
  readonly typeModel: TypeModel;
  /** Imported maps by canonical URL. */
  readonly resolveMap?: (url: string) => fhir4.StructureMap | undefined;
  /** Every map known, for imports with `*` wildcards. */
  readonly listMaps?: () => readonly fhir4.StructureMap[];
  /** ConceptMaps for `translate` (contained `#id` maps are looked up in the StructureMap first). */
  readonly resolveConceptMap?: (url: string) => fhir4.ConceptMap | undefined;
  readonly onUnmappedCode?: (info: UnmappedCodeInfo) => void;
  /** Receives `log` statements. */
  readonly onLog?: (message: string, rule: string) => void;
  /** ValueSets for FHIRPath memberOf(): enumerated ones are expanded locally. */
  readonly resolveValueSet?: (url: string) => fhir4.ValueSet | undefined;
  /** CodeSystems for ValueSets that include a whole (complete) code system. */
  readonly resolveCodeSystem?: (url: string) => fhir4.CodeSystem | undefined;
  /** Terminology hook for memberOf(): true/false decides, undefined falls back to local expansion. */
  readonly memberOf?: (coding: { readonly system?: string; readonly code: string }, valueSetUrl: string) => boolean | undefined;
  /** Profile validation hook for FHIRPath conformsTo(): undefined falls back to the type check. */
  readonly conformsTo?: (item: unknown, profileUrl: string) => boolean | undefined;
  readonly limits?: TransformLimits;
  /** Injectable for deterministic tests. */
  readonly uuid?: () => string;
  readonly now?: () => Date;
}

export const DEFAULT_LIMITS = { maxDepth: 100, maxSteps: 1_000_000, maxOutputNodes: 1_000_000 } as const;

export interface ResolvedLimits {
  readonly maxDepth: number;
  readonly maxSteps: number;
  readonly maxOutputNodes: number;
}

export function resolveLimits(limits: TransformLimits | undefined): ResolvedLimits {
  return {
    maxDepth: limits?.maxDepth ?? DEFAULT_LIMITS.maxDepth,
    maxSteps: limits?.maxSteps ?? DEFAULT_LIMITS.maxSteps,
    maxOutputNodes: limits?.maxOutputNodes ?? DEFAULT_LIMITS.maxOutputNodes,
  };
}
