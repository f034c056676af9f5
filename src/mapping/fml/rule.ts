import { isIntegerText } from './constants.ts';
import { readFhirPath } from './fhirpath.ts';
import type { FmlLexer } from './lexer.ts';
import { describeToken } from './lexer.ts';
import { parseTarget, readParameter } from './target.ts';

type Rule = fhir4.StructureMapGroupRule;
type Source = fhir4.StructureMapGroupRuleSource;

/** `then { then { ... } }` deeper than this is refused with a syntax error instead of recursing on. */
export const MAX_RULE_DEPTH = 200;

/** HAPI's variable name for the simple form `src.a -> tgt.a`. */
const AUTO_VAR_NAME = 'vvv';

const SOURCE_LIST_MODES = ['first', 'not_first', 'last', 'not_last', 'only_one'] as const;

/**
 * One rule, as HAPI StructureMapUtilities.parseRule reads it. `newFormat` is the R4 syntax
 * (`sources -> targets then ... "name";`); the old R3 form is `name : for sources make targets`.
 */
export function parseRule(lexer: FmlLexer, newFormat: boolean, depth: number): Rule {
  if (depth > MAX_RULE_DEPTH) throw lexer.error(`Rules nest deeper than ${MAX_RULE_DEPTH} levels (then { ... } inside then { ... })`);
  let name: string | undefined;
  if (!newFormat) {
    name = lexer.readDottedIdentifier('a rule name');
    lexer.expect(':');
    lexer.expect('for');
  }
  const sources = readList(lexer, () => parseSource(lexer));
  let targets: fhir4.StructureMapGroupRuleTarget[] = [];
  if (lexer.has(newFormat ? '->' : 'make')) {
    lexer.next();
    targets = readList(lexer, () => parseTarget(lexer));
  }
  const nested: Rule[] = [];
  const dependents: fhir4.StructureMapGroupRuleDependent[] = [];
  const hasThen = lexer.has('then');
  if (hasThen) {
    lexer.next();
    if (!lexer.has('{')) dependents.push(...readList(lexer, () => parseDependent(lexer)));
    if (lexer.has('{') || dependents.length === 0) nested.push(...parseNestedRules(lexer, newFormat, depth));
  }
  applySimpleSyntax(sources, targets, nested, dependents);
  let documentation: string | undefined;
  if (newFormat) {
    name = readRuleName(lexer, sources, targets.length > 0, hasThen);
    documentation = lexer.expectWithTrailingComment(';');
  }
  const rule: Rule = { name: name as string, source: sources };
  if (targets.length > 0) rule.target = targets;
  if (nested.length > 0) rule.rule = nested;
  if (dependents.length > 0) rule.dependent = dependents;
  if (documentation !== undefined) rule.documentation = documentation;
  if (rule.name === undefined) delete (rule as Partial<Rule>).name;
  return rule;
}

function readList<T>(lexer: FmlLexer, read: () => T): T[] {
  const items = [read()];
  while (lexer.has(',')) {
    lexer.next();
    items.push(read());
  }
  return items;
}

function parseNestedRules(lexer: FmlLexer, newFormat: boolean, depth: number): Rule[] {
  lexer.expect('{');
  const rules: Rule[] = [];
  while (!lexer.has('}')) {
    if (lexer.done()) throw lexer.error('Expected a rule or "}" but found end of input');
    rules.push(parseRule(lexer, newFormat, depth + 1));
  }
  lexer.next();
  return rules;
}

/** `group(var, 'literal', ...)` after `then`; in R4 the arguments are plain strings. */
function parseDependent(lexer: FmlLexer): fhir4.StructureMapGroupRuleDependent {
  const name = lexer.readIdentifier('a group name or "{"');
  lexer.expect('(');
  const variable: string[] = [];
  while (!lexer.has(')')) {
    const parameter = readParameter(lexer);
    variable.push(String(parameter.valueId ?? parameter.valueString ?? parameter.valueInteger ?? parameter.valueDecimal ?? parameter.valueBoolean));
    if (!lexer.has(')')) {
      if (!lexer.has(',')) throw lexer.error(`Expected "," or ")" but found ${describeToken(lexer.current)}`);
      lexer.next();
    }
  }
  lexer.next();
  return { name, variable };
}

/** HAPI isSimpleSyntax: `src.a -> tgt.a` becomes source/target variable "vvv" and target create(). */
function applySimpleSyntax(sources: Source[], targets: fhir4.StructureMapGroupRuleTarget[], nested: Rule[], dependents: unknown[]): void {
  const source = sources[0];
  const target = targets[0];
  if (sources.length !== 1 || targets.length !== 1 || !source || !target) return;
  if (nested.length > 0 || dependents.length > 0) return;
  if (!source.element || source.variable !== undefined) return;
  if (target.context === undefined || target.element === undefined || target.variable !== undefined || target.parameter) return;
  source.variable = AUTO_VAR_NAME;
  target.variable = AUTO_VAR_NAME;
  target.transform = 'create';
}

/** An explicit name, or HAPI's default: the single source's element (with "-Type" when typed). */
function readRuleName(lexer: FmlLexer, sources: Source[], hasTargets: boolean, hasThen: boolean): string {
  if (lexer.isStringConstant()) return lexer.unquoteCurrent();
  if (lexer.isConstant() && !lexer.has('-', '+')) return lexer.take();
  if (!lexer.has(';')) {
    const expected = [...(hasTargets || hasThen ? [] : ['"->"']), ...(hasThen ? [] : ['"then"']), 'a rule name', '";"'];
    const list = `${expected.slice(0, -1).join(', ')} or ${expected[expected.length - 1] as string}`;
    throw lexer.error(`Expected ${list} but found ${describeToken(lexer.current)}`);
  }
  const source = sources[0];
  if (sources.length !== 1 || !source?.element) {
    throw lexer.error('Expected a rule name before ";": a rule with several sources, or a source without an element, must be named');
  }
  return source.type ? `${source.element}-${source.type}` : source.element;
}

/** `context[.element] [: Type [min..max]] [default "x"] [listMode] [as v] [where (..)] [check (..)] [log (..)]` */
function parseSource(lexer: FmlLexer): Source {
  const source: Source = { context: lexer.readIdentifier('a source (context.element)') };
  if (source.context === 'search' && lexer.has('(')) {
    lexer.next();
    source.context = '@search';
    source.element = readFhirPath(lexer);
    lexer.expect(')');
  } else if (lexer.has('.')) {
    lexer.next();
    source.element = lexer.readIdentifier('a source element');
  }
  if (lexer.has(':')) {
    lexer.next();
    source.type = lexer.readDottedIdentifier('a source type');
  }
  if (!lexer.done() && isIntegerText(lexer.current.text)) {
    source.min = Number(lexer.take());
    lexer.expect('..');
    source.max = lexer.takeAny('a maximum cardinality (a number or "*")');
  }
  if (lexer.has('default')) {
    lexer.next();
    source.defaultValueString = lexer.readString('a default value');
  }
  const listMode = SOURCE_LIST_MODES.find((m) => lexer.has(m));
  if (listMode) {
    lexer.next();
    source.listMode = listMode;
  }
  if (lexer.has('as')) {
    lexer.next();
    source.variable = lexer.readIdentifier('a variable name');
  }
  if (lexer.has('where')) {
    lexer.next();
    source.condition = readFhirPath(lexer);
  }
  if (lexer.has('check')) {
    lexer.next();
    source.check = readFhirPath(lexer);
  }
  if (lexer.has('log')) {
    lexer.next();
    source.logMessage = readFhirPath(lexer);
  }
  return orderSource(source);
}

function orderSource(s: Source): Source {
  const ordered: Source = { context: s.context };
  if (s.min !== undefined) ordered.min = s.min;
  if (s.max !== undefined) ordered.max = s.max;
  if (s.type !== undefined) ordered.type = s.type;
  if (s.defaultValueString !== undefined) ordered.defaultValueString = s.defaultValueString;
  if (s.element !== undefined) ordered.element = s.element;
  if (s.listMode !== undefined) ordered.listMode = s.listMode;
  if (s.variable !== undefined) ordered.variable = s.variable;
  if (s.condition !== undefined) ordered.condition = s.condition;
  if (s.check !== undefined) ordered.check = s.check;
  if (s.logMessage !== undefined) ordered.logMessage = s.logMessage;
  return ordered;
}
