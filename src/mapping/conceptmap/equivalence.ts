/**
 * R4 ConceptMapEquivalence (http://hl7.org/fhir/R4/valueset-concept-map-equivalence.html). Every code
 * reads "the target is <code> than/to the source", e.g. `wider`: the target is wider in meaning.
 */
export const EQUIVALENCES = [
  'relatedto',
  'equivalent',
  'equal',
  'wider',
  'subsumes',
  'narrower',
  'specializes',
  'inexact',
  'unmatched',
  'disjoint',
] as const;

export type Equivalence = (typeof EQUIVALENCES)[number];

const EQUIVALENCE_SET: ReadonlySet<string> = new Set(EQUIVALENCES);

export function isEquivalence(value: unknown): value is Equivalence {
  return typeof value === 'string' && EQUIVALENCE_SET.has(value);
}

/**
 * `$translate` result: "The value can only be true if at least one returned match has an equivalence
 * which is not unmatched or disjoint." Those two are explicit statements that there is no translation.
 */
export function isSuccessfulEquivalence(equivalence: string): boolean {
  return equivalence !== 'unmatched' && equivalence !== 'disjoint';
}

/**
 * The equivalence seen from the other side, for reverse translation: if the target is wider than the
 * source, the source (now returned) is narrower than the target (now asked for). Symmetric codes stay.
 * HAPI returns the stored code unchanged here; we invert so the code keeps the spec's reading
 * ("the returned concept is <code> than the requested one") in both directions.
 */
export function invertEquivalence(equivalence: Equivalence): Equivalence {
  switch (equivalence) {
    case 'wider':
      return 'narrower';
    case 'narrower':
      return 'wider';
    case 'subsumes':
      return 'specializes';
    case 'specializes':
      return 'subsumes';
    case 'relatedto':
    case 'equivalent':
    case 'equal':
    case 'inexact':
    case 'unmatched':
    case 'disjoint':
      return equivalence;
    default:
      throw new Error(`Unknown equivalence ${String(equivalence satisfies never)}`);
  }
}

/**
 * R5 ConceptMapRelationship → R4 equivalence, for the cross-version extension that lets an R4 map
 * state the relationship of its `unmapped` rule (R5 `group.unmapped.relationship`).
 */
export function relationshipToEquivalence(relationship: string): Equivalence | undefined {
  switch (relationship) {
    case 'related-to':
      return 'relatedto';
    case 'equivalent':
      return 'equivalent';
    case 'source-is-narrower-than-target':
      return 'wider';
    case 'source-is-broader-than-target':
      return 'narrower';
    case 'not-related-to':
      return 'disjoint';
    default:
      return undefined;
  }
}

/** Preference order when one translation has to be picked (most exact first). */
const PREFERENCE: readonly Equivalence[] = ['equal', 'equivalent', 'wider', 'subsumes', 'narrower', 'specializes', 'inexact', 'relatedto'];

export function equivalenceRank(equivalence: string): number {
  const rank = PREFERENCE.indexOf(equivalence as Equivalence);
  return rank === -1 ? PREFERENCE.length : rank;
}
