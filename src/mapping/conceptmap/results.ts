import { equivalenceRank, isSuccessfulEquivalence } from './equivalence.ts';
import type { TranslateMatch, TranslateResult } from './types.ts';

/**
 * Whether the code went untranslated by the map's own elements: nothing usable came back, or only
 * an `unmapped` fallback (`provided`/`fixed`) did. Migration reports count these per source field.
 */
export function isUnmapped(result: TranslateResult): boolean {
  const usable = successfulMatches(result);
  return usable.length === 0 || usable.every((m) => m.unmapped !== undefined);
}

/** The matches that are translations (equivalence other than `unmatched`/`disjoint`). */
export function successfulMatches(result: TranslateResult): TranslateMatch[] {
  return result.matches.filter((m) => isSuccessfulEquivalence(m.equivalence) && m.concept !== undefined);
}

/**
 * The one translation to use when a single code is wanted: the most exact equivalence first
 * (equal, equivalent, wider, subsumes, narrower, specializes, inexact, relatedto), map order on ties.
 */
export function bestMatch(result: TranslateResult): TranslateMatch | undefined {
  let best: TranslateMatch | undefined;
  for (const match of successfulMatches(result)) {
    if (!best || equivalenceRank(match.equivalence) < equivalenceRank(best.equivalence)) best = match;
  }
  return best;
}
