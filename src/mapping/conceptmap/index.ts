/**
 * ConceptMap translation with R4 `$translate` semantics
 * (http://hl7.org/fhir/R4/conceptmap-operation-translate.html). Pure: maps come in as data, other
 * maps through a resolver function; nothing here reads files.
 */
export { translateCode } from './translate.ts';
export { ConceptMapIndex, UNMAPPED_RELATIONSHIP_EXTENSION } from './conceptmap-index.ts';
export { translateResultToParameters, parametersToTranslateRequest, conceptMapSelectorFromParameters } from './parameters.ts';
export type { ConceptMapSelector } from './parameters.ts';
export { isUnmapped, successfulMatches, bestMatch } from './results.ts';
export { EQUIVALENCES, isEquivalence, isSuccessfulEquivalence, invertEquivalence } from './equivalence.ts';
export type { Equivalence } from './equivalence.ts';
export type {
  ConceptMapResolver,
  TranslateDependency,
  TranslateMatch,
  TranslateProduct,
  TranslateRequest,
  TranslateResult,
} from './types.ts';
