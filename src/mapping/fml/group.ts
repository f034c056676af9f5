import type { FmlLexer } from './lexer.ts';
import { describeToken } from './lexer.ts';
import { parseRule } from './rule.ts';

type Group = fhir4.StructureMapGroup;
type TypeMode = Group['typeMode'];

/**
 * `group Name(source s : T, target t : U) [extends Other] [<<types>>|<<type+>>] { rules }`, or the
 * old R3 form `group [for types|for type+types] Name [extends X] input ... rules endgroup`.
 * Comments directly before `group` become its documentation (HAPI R5 parseGroup).
 */
export function parseGroup(lexer: FmlLexer): Group {
  const documentation = lexer.takeAllComments();
  lexer.expect('group');
  let typeMode: TypeMode = 'none';
  if (lexer.has('for')) typeMode = readOldTypeMode(lexer);
  const name = lexer.readIdentifier('a group name');
  const inputs: fhir4.StructureMapGroupInput[] = [];
  const newFormat = lexer.has('(');
  if (newFormat) readInputs(lexer, inputs);
  let extendsName: string | undefined;
  if (lexer.has('extends')) {
    lexer.next();
    extendsName = lexer.readIdentifier('the name of the group this one extends');
  }
  const rules: fhir4.StructureMapGroupRule[] = [];
  if (newFormat) {
    if (lexer.has('<')) typeMode = readTypeMode(lexer);
    lexer.expect('{');
    while (!lexer.has('}')) {
      if (lexer.done()) throw lexer.error(`Expected a rule or "}" to end group ${name} but found end of input`);
      rules.push(parseRule(lexer, true, 1));
    }
  } else {
    while (lexer.has('input')) inputs.push(readOldInput(lexer));
    while (!lexer.has('endgroup')) {
      if (lexer.done()) throw lexer.error(`Expected a rule or "endgroup" to end group ${name} but found end of input`);
      rules.push(parseRule(lexer, false, 1));
    }
  }
  lexer.next();
  if (newFormat) lexer.skip(';');
  const group: Group = { name, typeMode: typeMode as NonNullable<TypeMode>, input: inputs, rule: rules };
  if (extendsName !== undefined) group.extends = extendsName;
  if (documentation !== '') group.documentation = documentation;
  return orderGroup(group);
}

function readInputs(lexer: FmlLexer, inputs: fhir4.StructureMapGroupInput[]): void {
  lexer.expect('(');
  while (!lexer.has(')')) {
    const mode = readInputMode(lexer);
    const name = lexer.readIdentifier('a parameter name');
    const input: fhir4.StructureMapGroupInput = { name, mode };
    if (lexer.has(':')) {
      lexer.next();
      input.type = lexer.readIdentifier('a parameter type');
    }
    inputs.push(orderInput(input));
    if (lexer.has(',')) lexer.next();
    else if (!lexer.has(')')) throw lexer.error(`Expected "," or ")" but found ${describeToken(lexer.current)}`);
  }
  lexer.next();
}

function readInputMode(lexer: FmlLexer): 'source' | 'target' {
  if (lexer.has('source', 'target')) return lexer.take() as 'source' | 'target';
  throw lexer.error(`Expected "source" or "target" but found ${describeToken(lexer.current)}`);
}

/** `<<types>>` or `<<type+>>` (the lexer gives "<" "<" ... ">" ">"). */
function readTypeMode(lexer: FmlLexer): TypeMode {
  lexer.expect('<');
  lexer.expect('<');
  let mode: TypeMode;
  if (lexer.has('types')) {
    lexer.next();
    mode = 'types';
  } else if (lexer.has('type')) {
    lexer.next();
    lexer.expect('+');
    mode = 'type-and-types';
  } else {
    throw lexer.error(`Expected "types" or "type+" but found ${describeToken(lexer.current)}`);
  }
  lexer.expect('>');
  lexer.expect('>');
  return mode;
}

function readOldTypeMode(lexer: FmlLexer): TypeMode {
  lexer.expect('for');
  if (lexer.has('type')) {
    lexer.next();
    lexer.expect('+');
    lexer.expect('types');
    return 'type-and-types';
  }
  lexer.expect('types');
  return 'types';
}

/** R3: `input name : Type as source|target [// documentation] [;]` */
function readOldInput(lexer: FmlLexer): fhir4.StructureMapGroupInput {
  lexer.expect('input');
  const name = lexer.readIdentifier('an input name');
  let type: string | undefined;
  if (lexer.has(':')) {
    lexer.next();
    type = lexer.readIdentifier('an input type');
  }
  lexer.expect('as');
  const mode = readInputMode(lexer);
  const documentation = lexer.takeAllComments();
  lexer.skip(';');
  const input: fhir4.StructureMapGroupInput = { name, mode };
  if (type !== undefined) input.type = type;
  if (documentation !== '') input.documentation = documentation;
  return orderInput(input);
}

function orderInput(i: fhir4.StructureMapGroupInput): fhir4.StructureMapGroupInput {
  const ordered = { name: i.name } as fhir4.StructureMapGroupInput;
  if (i.type !== undefined) ordered.type = i.type;
  ordered.mode = i.mode;
  if (i.documentation !== undefined) ordered.documentation = i.documentation;
  return ordered;
}

/** FHIR element order; empty lists are left out as HAPI's serializer does. */
function orderGroup(g: Group): Group {
  const result = { name: g.name } as Group;
  if (g.extends !== undefined) result.extends = g.extends;
  result.typeMode = g.typeMode;
  if (g.documentation !== undefined) result.documentation = g.documentation;
  if (g.input.length > 0) result.input = g.input;
  if (g.rule && g.rule.length > 0) result.rule = g.rule;
  return result;
}
