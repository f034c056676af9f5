import type { CodeSet, DecisionRegister } from './types.ts';

/**
 * Which source columns a map translates, and with which ConceptMap: read off the StructureMap's
 * rules (`row.GENDER as sex -> … translate(sex, 'url', …)`), following variables into nested
 * rules. Dependent-group calls are not followed: codes translated there are attributed by value.
 * A translate under a condition (other than "not empty") applies to some rows only, so its
 * column is not checked against the ConceptMap's codes.
 */
export function translatedColumns(map: fhir4.StructureMap): { column: string; conceptMap: string }[] {
  const found: { column: string; conceptMap: string }[] = [];
  for (const group of map.group ?? []) {
    const rowVariable = group.input.find((i) => i.mode === 'source')?.name;
    if (rowVariable !== undefined) walkRules(group.rule ?? [], rowVariable, new Map(), found);
  }
  return found;
}

const NOT_EMPTY = /^\(?\s*[\w`]+\s*!=\s*''\s*\)?$/;

function walkRules(rules: readonly fhir4.StructureMapGroupRule[], rowVariable: string, outer: ReadonlyMap<string, string>, found: { column: string; conceptMap: string }[]): void {
  for (const rule of rules) {
    const columns = new Map(outer);
    if (rule.source.some((s) => s.condition !== undefined && !NOT_EMPTY.test(s.condition.trim()))) continue;
    for (const source of rule.source) {
      const column = source.context === rowVariable && source.element ? source.element : source.element ? undefined : columns.get(source.context);
      if (column !== undefined && source.variable) columns.set(source.variable, column);
    }
    for (const target of rule.target ?? []) {
      if (target.transform !== 'translate') continue;
      const variable = target.parameter?.[0]?.valueId;
      const conceptMap = target.parameter?.[1]?.valueString;
      const column = variable === undefined ? undefined : columns.get(variable);
      if (column !== undefined && conceptMap !== undefined) found.push({ column, conceptMap });
    }
    walkRules(rule.rule ?? [], rowVariable, columns, found);
  }
}

/** The source codes a ConceptMap knows: every group element's code. */
export function conceptMapCodes(conceptMap: fhir4.ConceptMap): Set<string> {
  return new Set((conceptMap.group ?? []).flatMap((g) => (g.element ?? []).map((e) => e.code).filter((c): c is string => c !== undefined)));
}

/** Per kind, the columns its map (as the decision register names it) translates, with the codes known. */
export function codeSetsFromMaps(register: DecisionRegister, mapsByFile: ReadonlyMap<string, fhir4.StructureMap>, resolveConceptMap: (url: string) => fhir4.ConceptMap | undefined): Record<string, Record<string, CodeSet>> {
  const result: Record<string, Record<string, CodeSet>> = {};
  for (const [kind, table] of Object.entries(register.tables)) {
    const map = table.map ? mapsByFile.get(table.map) : undefined;
    if (!map) continue;
    for (const { column, conceptMap } of translatedColumns(map)) {
      const resolved = resolveConceptMap(conceptMap);
      if (!resolved) continue;
      const existing = result[kind]?.[column];
      const codes = existing ? new Set([...existing.codes, ...conceptMapCodes(resolved)]) : conceptMapCodes(resolved);
      result[kind] = { ...result[kind], [column]: { conceptMap: existing ? `${existing.conceptMap} + ${conceptMap}` : conceptMap, codes } };
    }
  }
  return result;
}
