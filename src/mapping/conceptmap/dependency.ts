import type { TranslateDependency, TranslateProduct } from './types.ts';

type OtherElement = fhir4.ConceptMapGroupElementTargetDependsOn;

/**
 * R4 `target.dependsOn`: "A set of additional dependencies for this mapping to hold. This mapping is
 * only applicable if the specified element can be resolved, and it has the specified value." A target
 * with conditions applies only when every condition is met by one of the request's `dependency` values.
 */
export function dependenciesSatisfied(conditions: readonly OtherElement[] | undefined, provided: readonly TranslateDependency[] | undefined): boolean {
  if (!conditions || conditions.length === 0) return true;
  if (!provided || provided.length === 0) return false;
  return conditions.every((condition) => provided.some((dependency) => dependencyMatches(condition, dependency)));
}

function dependencyMatches(condition: OtherElement, dependency: TranslateDependency): boolean {
  // A dependency without element is matched on its value alone.
  if (dependency.element !== undefined && dependency.element !== condition.property) return false;
  const concept = dependency.concept;
  if (!concept) return false;
  const codingMatches = concept.coding?.some(
    (coding) => coding.code === condition.value && (condition.system === undefined || coding.system === undefined || coding.system === condition.system),
  );
  // dependsOn.value is a string: without a system it may be plain text rather than a code.
  return codingMatches === true || (condition.system === undefined && concept.text === condition.value);
}

/** `target.product` (or, in reverse, `target.dependsOn`) as `$translate` match.product parts. */
export function toProducts(others: readonly OtherElement[] | undefined): TranslateProduct[] | undefined {
  if (!others || others.length === 0) return undefined;
  return others.map((other) => {
    const concept: fhir4.Coding = {};
    if (other.system !== undefined) concept.system = other.system;
    concept.code = other.value;
    if (other.display !== undefined) concept.display = other.display;
    return { element: other.property, concept };
  });
}
