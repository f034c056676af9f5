import { dependentArguments } from './parameters.ts';

/**
 * A StructureMap narrowed to the rules that write some elements of its output: the entry group
 * keeps only its top-level rules with a target `<output>.<element>` for one of the elements
 * (and everything nested in them), and the rules that hand the output to a group of the same map
 * (`row where (…) then Body(row, obs)`), calling that group narrowed the same way. Evaluated by
 * the same engine, the projection gives those elements exactly as the whole map would, at a
 * fraction of the cost — the phase planner reads a record's identifiers this way (issue 5)
 * without mapping it.
 *
 * That holds only when no other rule can write the elements, which is checked statically: no
 * other rule, at any depth, targets `<output>.<element>` or uses the output under another name
 * (alias, source, group argument other than a top-level hand-over); no group on the way extends
 * another, and the kept rules share no list. Otherwise there is no projection (undefined) and
 * the caller maps the record whole.
 */
const projections = new WeakMap<fhir4.StructureMap, Map<string, fhir4.StructureMap | undefined>>();

export function projectStructureMap(map: fhir4.StructureMap, elements: readonly string[]): fhir4.StructureMap | undefined {
  let perMap = projections.get(map);
  if (!perMap) projections.set(map, (perMap = new Map()));
  const key = [...elements].sort().join('|');
  if (!perMap.has(key)) perMap.set(key, buildProjection(map, new Set(elements)));
  return perMap.get(key);
}

interface Projecting {
  readonly map: fhir4.StructureMap;
  readonly elements: ReadonlySet<string>;
  /** Narrowed groups called by the kept rules, by the group they narrow. */
  readonly narrowed: Map<fhir4.StructureMapGroup, fhir4.StructureMapGroup>;
  readonly visiting: Set<fhir4.StructureMapGroup>;
}

function buildProjection(map: fhir4.StructureMap, elements: ReadonlySet<string>): fhir4.StructureMap | undefined {
  const [entry, ...others] = map.group ?? [];
  if (!entry) return undefined;
  const p: Projecting = { map, elements, narrowed: new Map(), visiting: new Set() };
  const group = narrowGroup(p, entry, entry.input.find((input) => input.mode === 'target')?.name);
  return group && { ...map, group: [group, ...others, ...p.narrowed.values()] };
}

function narrowGroup(p: Projecting, group: fhir4.StructureMapGroup, output: string | undefined): fhir4.StructureMapGroup | undefined {
  if (output === undefined || group.extends || p.visiting.has(group)) return undefined;
  p.visiting.add(group);
  const kept: fhir4.StructureMapGroupRule[] = [];
  for (const rule of group.rule ?? []) {
    if (writesElement(rule, output, p.elements)) {
      if (sharesList(rule)) return undefined;
      kept.push(rule);
      continue;
    }
    const handing = (rule.dependent ?? []).filter((d) => dependentArguments(d).some((a) => a.valueId === output));
    if (mayWrite({ ...rule, dependent: (rule.dependent ?? []).filter((d) => !handing.includes(d)) }, output, p.elements)) return undefined;
    if (handing.length === 0) continue;
    const dependents = handing.map((d) => narrowDependent(p, d, output));
    if (dependents.some((d) => d === undefined)) return undefined;
    // The rule's own targets stay (they may bind the dependents' arguments); its nested rules cannot write the elements.
    kept.push({ ...rule, rule: [], dependent: dependents as fhir4.StructureMapGroupRuleDependent[] });
  }
  p.visiting.delete(group);
  return { ...group, rule: kept };
}

/** The hand-over to a group of the same map, calling its narrowed copy instead. */
function narrowDependent(p: Projecting, dependent: fhir4.StructureMapGroupRuleDependent, output: string): fhir4.StructureMapGroupRuleDependent | undefined {
  const group = (p.map.group ?? []).find((g) => g.name === dependent.name);
  const args = dependentArguments(dependent);
  const at = args.findIndex((a) => a.valueId === output);
  const input = group?.input[at];
  if (!group || group.input.length !== args.length || input?.mode !== 'target' || args.filter((a) => a.valueId === output).length > 1) return undefined;
  let narrowed = p.narrowed.get(group);
  if (!narrowed) {
    const body = narrowGroup(p, group, input.name);
    if (!body) return undefined;
    narrowed = { ...body, name: `${group.name}\u00b7projection` };
    p.narrowed.set(group, narrowed);
  }
  return { ...dependent, name: narrowed.name };
}

/** A top-level rule's own targets write one of the elements of the output. */
function writesElement(rule: fhir4.StructureMapGroupRule, output: string, elements: ReadonlySet<string>): boolean {
  return (rule.target ?? []).some((t) => t.context === output && t.element !== undefined && elements.has(t.element));
}

/**
 * The rule or a rule nested in it could write one of the elements: directly, or through the
 * output under another name (an alias or copy, a source bound to it, an argument to a group).
 */
function mayWrite(rule: fhir4.StructureMapGroupRule, output: string, elements: ReadonlySet<string>): boolean {
  const targets = (rule.target ?? []).some((t) => t.context === output && (t.element === undefined || elements.has(t.element)));
  const passed = (rule.target ?? []).some((t) => (t.parameter ?? []).some((p) => p.valueId === output));
  const bound = rule.source.some((s) => s.context === output);
  const handsOn = (rule.dependent ?? []).some((d) => dependentArguments(d).some((p) => p.valueId === output));
  return targets || passed || bound || handsOn || (rule.rule ?? []).some((child) => mayWrite(child, output, elements));
}

function sharesList(rule: fhir4.StructureMapGroupRule): boolean {
  return (rule.target ?? []).some((t) => t.listMode?.includes('share')) || (rule.rule ?? []).some(sharesList);
}
