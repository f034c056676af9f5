import type { FmlLexer } from './lexer.ts';
import { describeToken } from './lexer.ts';

type Equivalence = NonNullable<fhir4.ConceptMapGroupElementTarget['equivalence']>;

/** The relationship symbols of an embedded concept map (HAPI R4 readEquivalence). */
const EQUIVALENCES: Record<string, Equivalence> = {
  '-': 'relatedto',
  '=': 'equal',
  '==': 'equivalent',
  '!=': 'disjoint',
  '--': 'unmatched',
  '<=': 'wider',
  '<-': 'subsumes',
  '>=': 'narrower',
  '>-': 'specializes',
  '~': 'inexact',
};

const EQUIVALENCE_LIST = Object.keys(EQUIVALENCES).map((k) => `"${k}"`).join(', ');

/**
 * `conceptmap "id" { prefix s = "url" ... unmapped for s = provided ... s:code == t:code ... }`
 * → a contained ConceptMap (id = the name, status draft) with one group per source/target system
 * pair, in order of first use, as HAPI builds it.
 */
export function parseConceptMap(lexer: FmlLexer): fhir4.ConceptMap {
  lexer.expect('conceptmap');
  const idToken = lexer.current;
  const id = lexer.readString('the concept map id');
  if (id.startsWith('#')) throw lexer.error('The concept map id must not start with "#" (it is referred to as "#id")', idToken);
  const map: fhir4.ConceptMap = { resourceType: 'ConceptMap', id, status: 'draft' };
  const groups: fhir4.ConceptMapGroup[] = [];
  lexer.expect('{');
  const prefixes = new Map<string, string>();
  while (lexer.has('prefix')) {
    lexer.next();
    const name = lexer.readIdentifier('a prefix name');
    lexer.expect('=');
    prefixes.set(name, lexer.readString('the prefix url'));
  }
  while (lexer.has('unmapped')) {
    lexer.next();
    lexer.expect('for');
    const group = findGroup(groups, readPrefix(lexer, prefixes), undefined);
    lexer.expect('=');
    const modeToken = lexer.current;
    if (lexer.take() !== 'provided') throw lexer.error(`Expected "provided" (the only unmapped mode supported) but found ${describeToken(modeToken)}`, modeToken);
    group.unmapped = { mode: 'provided' };
  }
  while (!lexer.has('}')) {
    if (lexer.done()) throw lexer.error('Expected a concept mapping such as s:code == t:code, or "}", but found end of input');
    parseMapping(lexer, prefixes, groups);
  }
  lexer.next();
  if (groups.length > 0) map.group = groups.map(orderGroup);
  return map;
}

function parseMapping(lexer: FmlLexer, prefixes: Map<string, string>, groups: fhir4.ConceptMapGroup[]): void {
  const source = readPrefix(lexer, prefixes);
  lexer.expect(':');
  const code = readCode(lexer);
  const equivalenceToken = lexer.current;
  const equivalence = EQUIVALENCES[equivalenceToken.text];
  if (equivalenceToken.eof || !equivalence) {
    throw lexer.error(`Expected a relationship (${EQUIVALENCE_LIST}) but found ${describeToken(equivalenceToken)}`);
  }
  lexer.next();
  let target: fhir4.ConceptMapGroupElementTarget = { equivalence };
  let targetSystem = '';
  if (equivalence !== 'unmatched') {
    targetSystem = readPrefix(lexer, prefixes);
    lexer.expect(':');
    target = { code: readCode(lexer), equivalence };
  }
  const group = findGroup(groups, source, targetSystem);
  group.element.push({ code, target: [target] });
}

function readPrefix(lexer: FmlLexer, prefixes: Map<string, string>): string {
  const token = lexer.current;
  const name = lexer.readIdentifier('a prefix');
  const url = prefixes.get(name);
  if (url === undefined) throw lexer.error(`Unknown prefix "${name}": declare it with prefix ${name} = "url"`, token);
  return url;
}

function readCode(lexer: FmlLexer): string {
  if (lexer.isStringConstant()) return lexer.unquoteCurrent();
  return lexer.takeAny('a code');
}

/** HAPI getGroup: a group matches on source, and on target when both are known. */
function findGroup(groups: fhir4.ConceptMapGroup[], source: string, target: string | undefined): fhir4.ConceptMapGroup {
  for (const group of groups) {
    if (group.source !== source) continue;
    if (!group.target || target === undefined || target === group.target) {
      if (!group.target && target) group.target = target;
      return group;
    }
  }
  const group: fhir4.ConceptMapGroup = { source, element: [] };
  if (target) group.target = target;
  groups.push(group);
  return group;
}

/** FHIR element order: source, target, element, unmapped (an empty element list is left out). */
function orderGroup(group: fhir4.ConceptMapGroup): fhir4.ConceptMapGroup {
  const ordered = { source: group.source as string } as fhir4.ConceptMapGroup;
  if (group.target) ordered.target = group.target;
  if (group.element.length > 0) ordered.element = group.element;
  if (group.unmapped) ordered.unmapped = group.unmapped;
  return ordered;
}
