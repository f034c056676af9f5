/**
 * The data shapes of ConceptMap `$translate` (R4, http://hl7.org/fhir/R4/conceptmap-operation-translate.html).
 * A request names one concept (code + system, a Coding, or a CodeableConcept) and optional filters;
 * the result lists every match the map holds for it, including explicit `unmatched`/`disjoint` ones.
 */

export interface TranslateDependency {
  /** The element the dependency is about; compared with `target.dependsOn.property` / `product.property`. */
  element?: string;
  /** The value of that element; a coding matches `dependsOn.system` + `dependsOn.value`. */
  concept?: fhir4.CodeableConcept;
}

export interface TranslateRequest {
  /** With `code`: the concept to translate (R4 `system`, `code`, `version` in parameters). */
  system?: string;
  code?: string;
  version?: string;
  /** Alternatively the concept as a Coding, or every coding of a CodeableConcept. Exactly one form. */
  coding?: fhir4.Coding;
  codeableConcept?: fhir4.CodeableConcept;
  /** Source value set canonical: the map applies only if its sourceUri/sourceCanonical is this. */
  source?: string;
  /** Target value set canonical: the map applies only if its targetUri/targetCanonical is this. */
  target?: string;
  /** Restrict to groups whose `target` (or, in reverse, `source`) is this code system. */
  targetSystem?: string;
  /** Context that `dependsOn` conditions of targets are checked against. */
  dependency?: TranslateDependency[];
  /** Translate from target codes back to source codes. */
  reverse?: boolean;
}

export interface TranslateProduct {
  element: string;
  concept: fhir4.Coding;
}

export interface TranslateMatch {
  /** An R4 ConceptMapEquivalence code (see equivalence.ts). */
  equivalence: string;
  /** The translated concept; absent for an `unmatched` target without a code. */
  concept?: fhir4.Coding;
  /** The canonical URL of the ConceptMap the match came from (another map after `other-map`). */
  source?: string;
  /** Additional outputs of the target (`target.product`; in reverse, `target.dependsOn`). */
  product?: TranslateProduct[];
  /**
   * Set when no element mapped the code and the group's `unmapped` rule produced this match. The
   * translation is usable, but a migration report should still count the code as unmapped.
   */
  unmapped?: 'provided' | 'fixed';
}

export interface TranslateResult {
  /** True only if at least one match has an equivalence other than `unmatched` or `disjoint`. */
  result: boolean;
  /** Why nothing was translated (result false), or a hint about how it was (result true). */
  message?: string;
  matches: TranslateMatch[];
}

/** Finds a ConceptMap by canonical URL (optionally `url|version`); used to follow `unmapped.mode = other-map`. */
export type ConceptMapResolver = (url: string) => fhir4.ConceptMap | undefined;
