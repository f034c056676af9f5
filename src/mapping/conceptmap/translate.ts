import { MigrateError } from '../../core/index.ts';
import { ConceptMapIndex } from './conceptmap-index.ts';
import type { IndexedGroup, IndexedUnmapped } from './conceptmap-index.ts';
import { dependenciesSatisfied, toProducts } from './dependency.ts';
import { invertEquivalence, isSuccessfulEquivalence } from './equivalence.ts';
import type { Equivalence } from './equivalence.ts';
import { describeConcept, requestedConcepts, valueSetScopeProblem } from './request.ts';
import type { SourceConcept } from './request.ts';
import type { ConceptMapResolver, TranslateMatch, TranslateRequest, TranslateResult } from './types.ts';

/** How many ConceptMaps an `other-map` chain may pass through before we call it runaway. */
const MAX_OTHER_MAP_DEPTH = 16;
const NO_CHAIN: readonly string[] = [];

interface ConceptOutcome {
  readonly matches: TranslateMatch[];
  /** Why this concept did not translate, or how an unmapped rule translated it. */
  readonly note?: string;
}

/**
 * R4 ConceptMap `$translate` against one map. Throws FHIRMIG_ERR_CONCEPTMAP_INVALID for a malformed
 * map or request, FHIRMIG_ERR_CONCEPTMAP_NOT_FOUND / _RECURSION while following `other-map`.
 * A code the map does not translate is not an error: `result` is false and `message` says why.
 * `result` follows the R4 text (true only with a match that is not unmatched/disjoint); HAPI sets
 * it whenever any match exists, so a disjoint-only answer differs there.
 */
export function translateCode(map: fhir4.ConceptMap, request: TranslateRequest, resolve?: ConceptMapResolver): TranslateResult {
  const index = ConceptMapIndex.of(map);
  const concepts = requestedConcepts(request);
  const scopeProblem = valueSetScopeProblem(index, request);
  if (scopeProblem) return { result: false, message: scopeProblem, matches: [] };

  const chain = index.url ? [index.url] : NO_CHAIN;
  if (concepts.length === 1) {
    const { matches, note } = translateConcept(index, concepts[0] as SourceConcept, request, resolve, chain);
    return resultOf(matches, note === undefined ? [] : [note]);
  }
  const matches: TranslateMatch[] = [];
  const notes: string[] = [];
  for (const concept of concepts) {
    const outcome = translateConcept(index, concept, request, resolve, chain);
    for (const match of outcome.matches) addUnique(matches, match);
    if (outcome.note) notes.push(outcome.note);
  }
  return resultOf(matches, notes);
}

function resultOf(matches: TranslateMatch[], notes: readonly string[]): TranslateResult {
  const result = matches.some((m) => isSuccessfulEquivalence(m.equivalence));
  return notes.length > 0 ? { result, message: notes.join(' '), matches } : { result, matches };
}

function translateConcept(
  index: ConceptMapIndex,
  concept: SourceConcept,
  request: TranslateRequest,
  resolve: ConceptMapResolver | undefined,
  chain: readonly string[],
): ConceptOutcome {
  const matches: TranslateMatch[] = [];
  const hints: string[] = [];
  let groupsInScope = 0;
  for (const group of index.groups) {
    if (!groupCovers(group, concept, request)) continue;
    groupsInScope++;
    const found = request.reverse ? addReverseMatches(index, group, concept, matches) : addForwardMatches(index, group, concept, request, matches);
    // Unmapped rules are about source concepts with no mapping in this group; reverse has none.
    if (!request.reverse && found === 0 && group.unmapped) {
      const hint = applyUnmapped(index, group, group.unmapped, concept, request, resolve, chain, matches);
      if (hint) hints.push(hint);
    }
  }
  const failure = failureNote(index, concept, request, matches, groupsInScope);
  if (failure) hints.push(failure);
  return hints.length > 0 ? { matches, note: hints.join(' ') } : { matches };
}

/** Whether a group speaks about this concept: system/version on the requested side, targetSystem on the other. */
function groupCovers(group: IndexedGroup, concept: SourceConcept, request: TranslateRequest): boolean {
  const reverse = request.reverse === true;
  const system = reverse ? group.target : group.source;
  const version = reverse ? group.targetVersion : group.sourceVersion;
  const otherSystem = reverse ? group.source : group.target;
  if (concept.system !== undefined && system !== undefined && concept.system !== system) return false;
  if (concept.version !== undefined && version !== undefined && concept.version !== version) return false;
  return request.targetSystem === undefined || otherSystem === request.targetSystem;
}

/** Adds the group's targets for the code whose dependsOn hold; returns how many there were. */
function addForwardMatches(index: ConceptMapIndex, group: IndexedGroup, concept: SourceConcept, request: TranslateRequest, out: TranslateMatch[]): number {
  const elements = group.elementsByCode.get(concept.code);
  if (!elements) return 0;
  let found = 0;
  for (const element of elements) {
    for (const target of element.target ?? []) {
      if (!dependenciesSatisfied(target.dependsOn, request.dependency)) continue;
      const match: TranslateMatch = { equivalence: target.equivalence };
      if (target.code !== undefined) match.concept = makeCoding(group.target, group.targetVersion, target.code, target.display);
      if (index.url !== undefined) match.source = index.url;
      const product = toProducts(target.product);
      if (product) match.product = product;
      addUnique(out, match);
      found++;
    }
  }
  return found;
}

/**
 * Reverse: the concept is a target code; every element mapping to it is returned, with the
 * equivalence inverted (see invertEquivalence) and the target's dependsOn reported as product
 * (the context the returned source code came with). `request.dependency` does not filter here.
 */
function addReverseMatches(index: ConceptMapIndex, group: IndexedGroup, concept: SourceConcept, out: TranslateMatch[]): number {
  const pairs = group.targetsByCode.get(concept.code);
  if (!pairs) return 0;
  let found = 0;
  for (const { element, target } of pairs) {
    if (element.code === undefined) continue;
    const match: TranslateMatch = {
      equivalence: invertEquivalence(target.equivalence as Equivalence),
      concept: makeCoding(group.source, group.sourceVersion, element.code, element.display),
    };
    if (index.url !== undefined) match.source = index.url;
    const product = toProducts(target.dependsOn);
    if (product) match.product = product;
    addUnique(out, match);
    found++;
  }
  return found;
}

/** R4 `group.unmapped`: what to do when no element of this group maps the source concept. */
function applyUnmapped(
  index: ConceptMapIndex,
  group: IndexedGroup,
  unmapped: IndexedUnmapped,
  concept: SourceConcept,
  request: TranslateRequest,
  resolve: ConceptMapResolver | undefined,
  chain: readonly string[],
  out: TranslateMatch[],
): string | undefined {
  const what = `Code ${describeConcept(concept)} has no mapping in group ${group.position} of ConceptMap ${index.label};`;
  switch (unmapped.mode) {
    case 'provided': {
      // "Use the code as provided": the same code, taken over into the group's target system.
      const coding = makeCoding(group.target ?? concept.system, group.targetVersion, concept.code, concept.display);
      addUnique(out, unmappedMatch(index, unmapped, coding, 'provided'));
      return `${what} unmapped mode "provided" passed the code through.`;
    }
    case 'fixed': {
      const coding = makeCoding(group.target, group.targetVersion, unmapped.code ?? '', unmapped.display);
      addUnique(out, unmappedMatch(index, unmapped, coding, 'fixed'));
      return `${what} unmapped mode "fixed" supplied code '${unmapped.code ?? ''}'.`;
    }
    case 'other-map': {
      const outcome = followOtherMap(index, unmapped.url ?? '', concept, request, resolve, chain);
      for (const match of outcome.matches) addUnique(out, match);
      return outcome.note;
    }
    default:
      throw new Error(`Unknown unmapped mode ${String(unmapped.mode satisfies never)}`);
  }
}

function unmappedMatch(index: ConceptMapIndex, unmapped: IndexedUnmapped, concept: fhir4.Coding, mode: 'provided' | 'fixed'): TranslateMatch {
  const match: TranslateMatch = { equivalence: unmapped.equivalence, concept };
  if (index.url !== undefined) match.source = index.url;
  match.unmapped = mode;
  return match;
}

function followOtherMap(
  index: ConceptMapIndex,
  url: string,
  concept: SourceConcept,
  request: TranslateRequest,
  resolve: ConceptMapResolver | undefined,
  chain: readonly string[],
): ConceptOutcome {
  const path = [...chain, url].join(' → ');
  if (chain.includes(url)) {
    throw new MigrateError('FHIRMIG_ERR_CONCEPTMAP_RECURSION', `ConceptMap other-map chain is cyclic: ${path}.`);
  }
  if (chain.length >= MAX_OTHER_MAP_DEPTH) {
    throw new MigrateError('FHIRMIG_ERR_CONCEPTMAP_RECURSION', `ConceptMap other-map chain is deeper than ${MAX_OTHER_MAP_DEPTH}: ${path}.`);
  }
  const other = resolve?.(url);
  if (!other) {
    throw new MigrateError(
      'FHIRMIG_ERR_CONCEPTMAP_NOT_FOUND',
      `ConceptMap ${url} (unmapped mode "other-map" of ${index.label}) cannot be resolved${resolve ? '' : ': no resolver was given'}.`,
    );
  }
  // The value set filters chose the first map; the other map is used for whatever it covers.
  const { source: _source, target: _target, ...rest } = request;
  return translateConcept(ConceptMapIndex.of(other), concept, rest, resolve, [...chain, url]);
}

function failureNote(
  index: ConceptMapIndex,
  concept: SourceConcept,
  request: TranslateRequest,
  matches: readonly TranslateMatch[],
  groupsInScope: number,
): string | undefined {
  if (matches.some((m) => isSuccessfulEquivalence(m.equivalence))) return undefined;
  const asTarget = request.reverse ? ' as a target' : '';
  if (matches.length > 0) {
    const kinds = [...new Set(matches.map((m) => m.equivalence))].join('/');
    return `No valid translation for code ${describeConcept(concept)}${asTarget} in ConceptMap ${index.label}: it is mapped as ${kinds} only.`;
  }
  const reason = groupsInScope > 0 ? '' : `: ${noGroupReason(concept, request)}`;
  return `No mapping found for code ${describeConcept(concept)}${asTarget} in ConceptMap ${index.label}${reason}.`;
}

function noGroupReason(concept: SourceConcept, request: TranslateRequest): string {
  const side = request.reverse ? 'target' : 'source';
  const system = concept.system === undefined ? '' : ` with ${side} system '${concept.system}'`;
  const filter = request.targetSystem === undefined ? '' : ` and ${request.reverse ? 'source' : 'target'} system '${request.targetSystem}'`;
  return `no group${system}${filter}${concept.version === undefined ? '' : ` (version '${concept.version}')`}`;
}

function makeCoding(system: string | undefined, version: string | undefined, code: string, display: string | undefined): fhir4.Coding {
  const coding: fhir4.Coding = {};
  if (system !== undefined) coding.system = system;
  if (version !== undefined) coding.version = version;
  coding.code = code;
  if (display !== undefined) coding.display = display;
  return coding;
}

function sameMatch(a: TranslateMatch, b: TranslateMatch): boolean {
  return (
    a.equivalence === b.equivalence &&
    a.source === b.source &&
    a.concept?.system === b.concept?.system &&
    a.concept?.code === b.concept?.code &&
    JSON.stringify(a.product) === JSON.stringify(b.product)
  );
}

function addUnique(list: TranslateMatch[], match: TranslateMatch): void {
  if (!list.some((existing) => sameMatch(existing, match))) list.push(match);
}
