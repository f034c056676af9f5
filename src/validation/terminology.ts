import type { ConformanceContext } from './context.ts';

/** A locally expanded ValueSet: enumerated codes per system, and systems included as a whole. */
export interface Expansion {
  readonly codes: Map<string, Set<string>>;
  readonly wholeSystems: Set<string>;
  /** Set when the ValueSet cannot be expanded offline (unknown ValueSet, filter on an absent CodeSystem…). */
  readonly unknown?: string;
}

export type Membership = 'yes' | 'no' | 'unknown';

export interface ConceptInfo {
  readonly display: string | undefined;
  readonly designations: string[];
  readonly parents: string[];
  readonly properties: Map<string, string[]>;
}

export interface CodeSystemIndex {
  readonly url: string;
  readonly complete: boolean;
  readonly caseSensitive: boolean;
  readonly concepts: Map<string, ConceptInfo>;
}

/** Systems whose codes have a grammar rather than a list: checked by syntax. */
const GRAMMAR_SYSTEMS: Record<string, RegExp> = {
  // `xml`, `json`, `ttl`: the short forms R4 CapabilityStatement.format allows beside mime types.
  'urn:ietf:bcp:13': /^([\w.+-]+\/[\w.+-]+(\s*;.*)?|xml|json|ttl)$/,
  'urn:ietf:bcp:47': /^[a-zA-Z]{1,8}(-[a-zA-Z0-9]{1,8})*$/,
  'http://unitsofmeasure.org': /^\S+$/,
  'urn:iso:std:iso:4217': /^[A-Z]{3}$/,
};

export function codeSystemIndex(context: ConformanceContext, system: string): CodeSystemIndex | undefined {
  const cache = context.cache<CodeSystemIndex | null>('codesystem');
  const cached = cache.get(system);
  if (cached !== undefined) return cached ?? undefined;
  const cs = context.codeSystem(system);
  const index = cs ? indexCodeSystem(cs) : null;
  cache.set(system, index);
  return index ?? undefined;
}

function indexCodeSystem(cs: fhir4.CodeSystem): CodeSystemIndex {
  const concepts = new Map<string, ConceptInfo>();
  const visit = (list: fhir4.CodeSystemConcept[] | undefined, parent: string | undefined): void => {
    for (const c of list ?? []) {
      const properties = new Map<string, string[]>();
      for (const p of c.property ?? []) {
        const v = p.valueCode ?? p.valueString ?? p.valueCoding?.code ?? (p.valueBoolean === undefined ? undefined : String(p.valueBoolean));
        if (v !== undefined) properties.set(p.code, [...(properties.get(p.code) ?? []), v]);
      }
      const parents = [...(parent ? [parent] : []), ...(properties.get('parent') ?? []), ...(properties.get('subsumedBy') ?? [])];
      const existing = concepts.get(c.code);
      concepts.set(c.code, {
        display: c.display,
        designations: (c.designation ?? []).map((d) => d.value),
        parents: [...(existing?.parents ?? []), ...parents],
        properties,
      });
      visit(c.concept, c.code);
    }
  };
  visit(cs.concept, undefined);
  return { url: cs.url ?? '', complete: cs.content === 'complete', caseSensitive: cs.caseSensitive !== false, concepts };
}

/** Expands a ValueSet from its compose (enumerated concepts, whole loaded systems, filters on loaded systems). */
export function expandValueSet(context: ConformanceContext, canonical: string): Expansion {
  const cache = context.cache<Expansion>('expansion');
  const cached = cache.get(canonical);
  if (cached) return cached;
  cache.set(canonical, { codes: new Map(), wholeSystems: new Set(), unknown: `ValueSet ${canonical} is recursive` });
  const expansion = computeExpansion(context, canonical);
  cache.set(canonical, expansion);
  return expansion;
}

/** ValueSets that are whole grammar-defined systems, named by the RFC that defines them. */
const GRAMMAR_VALUE_SETS: Record<string, string> = {
  'http://www.rfc-editor.org/bcp/bcp13.txt': 'urn:ietf:bcp:13',
  'http://www.rfc-editor.org/bcp/bcp47.txt': 'urn:ietf:bcp:47',
};

function computeExpansion(context: ConformanceContext, canonical: string): Expansion {
  const grammarSystem = GRAMMAR_VALUE_SETS[canonical.split('|')[0] ?? ''];
  if (grammarSystem) return { codes: new Map(), wholeSystems: new Set([grammarSystem]) };
  const vs = context.valueSet(canonical) ?? context.valueSet(canonical.split('|')[0] ?? '');
  if (!vs) {
    const implicit = context.all('CodeSystem').find((cs) => cs.valueSet === canonical.split('|')[0]);
    if (implicit?.url) return includeWholeSystem(context, implicit.url);
    return unknownExpansion(`ValueSet ${canonical} is not loaded`);
  }
  if (!vs.compose) return fromExpansion(vs, canonical);
  let result: Expansion = { codes: new Map(), wholeSystems: new Set() };
  for (const include of vs.compose.include) {
    const part = expandInclude(context, include);
    if (part.unknown) return part;
    result = union(result, part);
  }
  for (const exclude of vs.compose.exclude ?? []) {
    const part = expandInclude(context, exclude);
    if (part.unknown || part.wholeSystems.size > 0) return unknownExpansion(`ValueSet ${canonical} has an exclude that cannot be expanded offline`);
    for (const [system, codes] of part.codes) for (const code of codes) result.codes.get(system)?.delete(code);
  }
  return result;
}

function fromExpansion(vs: fhir4.ValueSet, canonical: string): Expansion {
  if (!vs.expansion?.contains) return unknownExpansion(`ValueSet ${canonical} has neither compose nor expansion`);
  const codes = new Map<string, Set<string>>();
  const visit = (list: fhir4.ValueSetExpansionContains[]): void => {
    for (const c of list) {
      if (c.system && c.code) addCode(codes, c.system, c.code);
      visit(c.contains ?? []);
    }
  };
  visit(vs.expansion.contains);
  return { codes, wholeSystems: new Set() };
}

function expandInclude(context: ConformanceContext, include: fhir4.ValueSetComposeInclude): Expansion {
  let result: Expansion | undefined;
  if (include.system) result = expandSystemPart(context, include);
  for (const vsUrl of include.valueSet ?? []) {
    const part = expandValueSet(context, vsUrl);
    if (part.unknown) return part;
    result = result ? intersect(result, part) : part;
  }
  return result ?? { codes: new Map(), wholeSystems: new Set() };
}

function expandSystemPart(context: ConformanceContext, include: fhir4.ValueSetComposeInclude): Expansion {
  const system = include.system ?? '';
  if (include.concept) {
    const codes = new Map<string, Set<string>>([[system, new Set(include.concept.map((c) => c.code))]]);
    return { codes, wholeSystems: new Set() };
  }
  if (!include.filter?.length) return includeWholeSystem(context, system);
  const index = codeSystemIndex(context, system);
  if (!index?.complete) return unknownExpansion(`a filter on code system ${system}, which is not available offline`);
  let codes: Set<string> | undefined;
  for (const filter of include.filter) {
    const matched = applyFilter(index, filter);
    if (!matched) return unknownExpansion(`filter '${filter.property} ${filter.op} ${filter.value}' on ${system} is not supported offline`);
    codes = codes ? new Set([...codes].filter((c) => matched.has(c))) : matched;
  }
  return { codes: new Map([[system, codes ?? new Set()]]), wholeSystems: new Set() };
}

function includeWholeSystem(context: ConformanceContext, system: string): Expansion {
  const index = codeSystemIndex(context, system);
  if (index?.complete) return { codes: new Map([[system, new Set(index.concepts.keys())]]), wholeSystems: new Set() };
  return { codes: new Map(), wholeSystems: new Set([system]) };
}

function applyFilter(index: CodeSystemIndex, filter: fhir4.ValueSetComposeIncludeFilter): Set<string> | undefined {
  const all = [...index.concepts.keys()];
  switch (filter.op) {
    case 'is-a':
      return new Set(all.filter((c) => c === filter.value || isDescendant(index, c, filter.value)));
    case 'descendent-of':
      return new Set(all.filter((c) => isDescendant(index, c, filter.value)));
    case 'is-not-a':
      return new Set(all.filter((c) => c !== filter.value && !isDescendant(index, c, filter.value)));
    case '=':
      return new Set(all.filter((c) => propertyValues(index, c, filter.property).includes(filter.value)));
    case 'in': {
      const wanted = filter.value.split(',').map((v) => v.trim());
      return new Set(all.filter((c) => propertyValues(index, c, filter.property).some((v) => wanted.includes(v))));
    }
    case 'regex': {
      const regex = new RegExp(`^(${filter.value})$`);
      return new Set(all.filter((c) => propertyValues(index, c, filter.property).some((v) => regex.test(v))));
    }
    default:
      return undefined;
  }
}

function propertyValues(index: CodeSystemIndex, code: string, property: string): string[] {
  if (property === 'concept' || property === 'code') return [code];
  if (property === 'display') return [index.concepts.get(code)?.display ?? ''];
  return index.concepts.get(code)?.properties.get(property) ?? [];
}

function isDescendant(index: CodeSystemIndex, code: string, ancestor: string, depth = 0): boolean {
  if (depth > 50) return false;
  for (const parent of index.concepts.get(code)?.parents ?? []) {
    if (parent === ancestor || isDescendant(index, parent, ancestor, depth + 1)) return true;
  }
  return false;
}

/** Is system|code in the expansion? A code without system (type `code`) matches any system. */
export function membership(expansion: Expansion, system: string | undefined, code: string): Membership {
  if (expansion.unknown) return 'unknown';
  if (system === undefined) {
    for (const codes of expansion.codes.values()) if (codes.has(code)) return 'yes';
    for (const whole of expansion.wholeSystems) if (matchesGrammar(whole, code) !== false) return 'yes';
    return 'no';
  }
  if (expansion.codes.get(system)?.has(code)) return 'yes';
  if (expansion.wholeSystems.has(system)) return matchesGrammar(system, code) === false ? 'no' : 'yes';
  return 'no';
}

/** false when the system has a grammar the code breaks; undefined when the system has none. */
function matchesGrammar(system: string, code: string): boolean | undefined {
  const grammar = GRAMMAR_SYSTEMS[system];
  return grammar ? grammar.test(code) : undefined;
}

function union(a: Expansion, b: Expansion): Expansion {
  const codes = new Map(a.codes);
  for (const [system, set] of b.codes) codes.set(system, new Set([...(codes.get(system) ?? []), ...set]));
  return { codes, wholeSystems: new Set([...a.wholeSystems, ...b.wholeSystems]) };
}

function intersect(a: Expansion, b: Expansion): Expansion {
  const codes = new Map<string, Set<string>>();
  for (const [system, set] of a.codes) {
    const other = b.codes.get(system);
    const kept = b.wholeSystems.has(system) ? set : new Set([...set].filter((c) => other?.has(c)));
    if (kept.size) codes.set(system, kept);
  }
  for (const [system, set] of b.codes) if (a.wholeSystems.has(system)) codes.set(system, new Set([...(codes.get(system) ?? []), ...set]));
  const wholeSystems = new Set([...a.wholeSystems].filter((s) => b.wholeSystems.has(s)));
  return { codes, wholeSystems };
}

function addCode(codes: Map<string, Set<string>>, system: string, code: string): void {
  const set = codes.get(system) ?? new Set<string>();
  set.add(code);
  codes.set(system, set);
}

function unknownExpansion(reason: string): Expansion {
  return { codes: new Map(), wholeSystems: new Set(), unknown: reason };
}
