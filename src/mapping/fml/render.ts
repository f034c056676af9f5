/**
 * StructureMap (R4 JSON) → FML text, following HAPI StructureMapUtilities.render: CRLF line ends,
 * two-space indents, the simple form `src.a -> tgt.a` for rules that allow it, and `// doc`
 * comments. parseFml(renderFml(map)) gives the map back (apart from text HAPI does not render).
 */

type Rule = fhir4.StructureMapGroupRule;
type Source = fhir4.StructureMapGroupRuleSource;
type Target = fhir4.StructureMapGroupRuleTarget;
type Parameter = fhir4.StructureMapGroupRuleTargetParameter;

const NL = '\r\n';

const EQUIVALENCE_SYMBOLS: Record<string, string> = {
  relatedto: '-', equal: '=', equivalent: '==', disjoint: '!=', unmatched: '--',
  wider: '<=', subsumes: '<-', narrower: '>=', specializes: '>-', inexact: '~',
};

export function renderFml(map: fhir4.StructureMap): string {
  let out = map.url !== undefined || map.name !== undefined ? `map "${map.url ?? ''}" = "${escapeJson(map.name ?? '')}"${NL}${NL}` : '';
  if (map.description) out += multilineDoc(map.description, 0) + NL;
  for (const resource of map.contained ?? []) {
    if (resource.resourceType === 'ConceptMap') out += renderConceptMap(resource);
  }
  for (const s of map.structure ?? []) {
    out += `uses "${s.url}" ${s.alias ? `alias ${ident(s.alias)} ` : ''}as ${s.mode}${doc(s.documentation)}${NL}`;
  }
  if (map.structure?.length) out += NL;
  for (const url of map.import ?? []) out += `imports "${url}"${NL}`;
  if (map.import?.length) out += NL;
  for (const group of map.group ?? []) out += renderGroup(group);
  return out;
}

function renderConceptMap(cm: fhir4.ConceptMap): string {
  let out = `conceptmap "${cm.id ?? ''}" {${NL}`;
  const sources = new Map<string, string>();
  const targets = new Map<string, string>();
  let prefix = 's'.charCodeAt(0);
  for (const g of cm.group ?? []) {
    for (const [url, table] of [[g.source ?? '', sources], [g.target ?? '', targets]] as const) {
      if (table.has(url)) continue;
      table.set(url, String.fromCharCode(prefix));
      out += `  prefix ${String.fromCharCode(prefix++)} = "${url}"${NL}`;
    }
  }
  out += NL;
  for (const g of cm.group ?? []) {
    if (g.unmapped?.mode) out += `  unmapped for ${sources.get(g.source ?? '') ?? ''} = ${g.unmapped.mode}${NL}`;
  }
  for (const g of cm.group ?? []) {
    for (const e of g.element ?? []) {
      const t = e.target?.[0];
      const symbol = EQUIVALENCE_SYMBOLS[t?.equivalence ?? ''] ?? '??';
      out += `  ${sources.get(g.source ?? '') ?? ''}:${code(e.code ?? '')} ${symbol}`;
      if (t?.equivalence !== 'unmatched') out += ` ${targets.get(g.target ?? '') ?? ''}:${code(t?.code ?? '')}`;
      out += NL;
    }
  }
  return out + `}${NL}${NL}`;
}

function code(value: string): string {
  return /^[A-Za-z][A-Za-z0-9]*$/.test(value) ? value : `"${value}"`;
}

function renderGroup(g: fhir4.StructureMapGroup): string {
  let out = g.documentation ? multilineDoc(g.documentation, 0) : '';
  const inputs = (g.input ?? []).map((i) => `${i.mode} ${ident(i.name)}${i.type ? ` : ${ident(i.type)}` : ''}`).join(', ');
  out += `group ${g.name}(${inputs})`;
  if (g.extends) out += ` extends ${g.extends}`;
  if (g.typeMode === 'types') out += ' <<types>>';
  if (g.typeMode === 'type-and-types') out += ' <<type+>>';
  out += ` {${NL}`;
  for (const r of g.rule ?? []) out += renderRule(r, 2);
  return out + `}${NL}${NL}`;
}

function renderRule(r: Rule, indent: number): string {
  const pad = ' '.repeat(indent);
  const simple = isSimple(r);
  let out = pad + r.source.map((s) => renderSource(s, simple)).join(', ');
  const targets = r.target ?? [];
  if (targets.length > 1) out += ' -> ' + targets.map((t) => ' ' + renderTarget(t, false)).join(', ');
  else if (targets[0]) out += ' -> ' + renderTarget(targets[0], simple);
  if (r.rule?.length || r.dependent?.length) out += ' then';
  if (r.dependent?.length) out += ' ' + r.dependent.map((d) => `${d.name}(${(d.variable ?? []).join(', ')})`).join(', ');
  if (r.rule?.length) out += ` {${NL}` + r.rule.map((inner) => renderRule(inner, indent + 2)).join('') + `${pad}}`;
  if (r.name && !nameMatchesSource(r.name, r.source)) out += ` "${r.name}"`;
  return out + ';' + doc(r.documentation) + NL;
}

/**
 * The simple form `src.a -> tgt.a` only where parsing it gives the rule back: HAPI's checkisSimple
 * also abbreviates rules whose variables are not "vvv" or that carry list modes, losing them.
 */
function isSimple(r: Rule): boolean {
  const s = r.source[0];
  const t = r.target?.[0];
  return r.source.length === 1 && !!s?.element && s.variable === 'vvv' && r.target?.length === 1 && t?.variable === 'vvv' &&
    t.context !== undefined && t.element !== undefined && t.transform === 'create' && !t.parameter?.length && !t.listMode &&
    !r.dependent?.length && !r.rule?.length;
}

/** An identifier as written in FML: back-ticked when it is not a plain name. */
function ident(name: string): string {
  return /^[A-Za-z][A-Za-z0-9_]*$/.test(name) ? name : `\`${name.replace(/\\/g, '\\\\').replace(/`/g, '\\`')}\``;
}

function nameMatchesSource(name: string, sources: Source[]): boolean {
  const s = sources[0];
  if (sources.length !== 1 || !s?.element) return false;
  return name === s.element || (s.type !== undefined && name === `${s.element}-${s.type}`);
}

function renderSource(s: Source, abbreviate: boolean): string {
  let out = s.context;
  if (s.context === '@search') out = `search(${s.element ?? ''})`;
  else if (s.element) out += `.${ident(s.element)}`;
  if (s.type) out += ` : ${s.type}`;
  if (s.min !== undefined) out += ` ${s.min}..${s.max ?? '*'}`;
  if (s.defaultValueString !== undefined) out += ` default "${escapeJson(s.defaultValueString)}"`;
  if (s.listMode) out += ` ${s.listMode}`;
  if (!abbreviate && s.variable) out += ` as ${s.variable}`;
  if (s.condition) out += ` where ${s.condition}`;
  if (s.check) out += ` check ${s.check}`;
  if (s.logMessage) out += ` log ${s.logMessage}`;
  return out;
}

function renderTarget(t: Target, abbreviate: boolean): string {
  let out = t.context ? t.context + (t.element ? `.${ident(t.element)}` : '') : '';
  if (!abbreviate && t.transform) {
    if (t.context) out += ' = ';
    const params = t.parameter ?? [];
    if (t.transform === 'copy' && params.length === 1) out += renderParameter(params[0] as Parameter);
    else if (t.transform === 'evaluate' && params.length === 1) out += `(${params[0]?.valueString ?? ''})`;
    else if (t.transform === 'evaluate' && params.length === 2) out += `evaluate(${renderParameter(params[0] as Parameter)}, ${params[1]?.valueString ?? ''})`;
    else out += `${t.transform}(${params.map(renderParameter).join(', ')})`;
  }
  if (!abbreviate && t.variable) out += ` as ${t.variable}`;
  for (const mode of t.listMode ?? []) out += ` ${mode}${mode === 'share' ? ` ${t.listRuleId ?? ''}` : ''}`;
  return out;
}

function renderParameter(p: Parameter): string {
  if (p.valueBoolean !== undefined) return String(p.valueBoolean);
  if (p.valueDecimal !== undefined) return String(p.valueDecimal);
  if (p.valueId !== undefined) return p.valueId;
  if (p.valueInteger !== undefined) return String(p.valueInteger);
  return `'${escapeJava(p.valueString ?? '')}'`;
}

function doc(text: string | undefined): string {
  return text ? ` // ${text.replace(/\r\n|\r|\n/g, ' ')}` : '';
}

function multilineDoc(text: string, indent: number): string {
  return text.split(/\r?\n/).map((line) => `${' '.repeat(indent)}// ${line}${NL}`).join('');
}

function escapeJson(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n').replace(/\r/g, '\\r').replace(/\t/g, '\\t');
}

function escapeJava(value: string): string {
  return escapeJson(value).replace(/'/g, '\\\'');
}
