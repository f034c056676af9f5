import { isDecimalText, isIntegerText } from './constants.ts';
import { readFhirPath } from './fhirpath.ts';
import type { FmlLexer } from './lexer.ts';
import { describeToken } from './lexer.ts';

type Target = fhir4.StructureMapGroupRuleTarget;
type Parameter = fhir4.StructureMapGroupRuleTargetParameter;
type Transform = NonNullable<Target['transform']>;

const TRANSFORMS: readonly Transform[] = ['create', 'copy', 'truncate', 'escape', 'cast', 'append', 'translate', 'reference',
  'dateOp', 'uuid', 'pointer', 'evaluate', 'cc', 'c', 'qty', 'id', 'cp'];

const TARGET_LIST_MODES = ['first', 'last', 'share', 'collate'];

/**
 * One rule target, as HAPI parseTarget reads it:
 * `[context[.element] [=]] (transform(params) | (fhirpath) | value | var.path) [as v] [first|last|share id|collate]*`.
 * Every R4 target gets contextType "variable" (what the R5→R4 conversion used by HAPI/Matchbox writes).
 */
export function parseTarget(lexer: FmlLexer): Target {
  let context: string | undefined;
  let element: string | undefined;
  let value: TargetValue | undefined = readValue(lexer, 'a target (context.element, a transform or a variable)');
  if (lexer.has('.')) {
    context = contextName(lexer, value);
    value = undefined;
    lexer.next();
    element = lexer.readIdentifier('a target element');
  }
  if (lexer.has('=')) {
    if (value !== undefined) context = contextName(lexer, value);
    lexer.next();
    value = readValue(lexer, 'a value, a variable or a transform');
  }
  const target: Target = { contextType: 'variable' };
  if (context !== undefined) target.context = context;
  if (element !== undefined) target.element = element;
  if (value !== undefined) {
    const { transform, parameter } = readTransform(lexer, value);
    target.transform = transform;
    if (parameter.length > 0) target.parameter = parameter;
  }
  if (lexer.has('as')) {
    lexer.next();
    target.variable = lexer.readIdentifier('a variable name');
  }
  readListModes(lexer, target);
  return orderTarget(target);
}

/** What follows "->" or "=": a literal, "(" of an inline FHIRPath, or a name. */
type TargetValue = { constant: Parameter } | { name: string };

function readValue(lexer: FmlLexer, what: string): TargetValue {
  if (lexer.isStringConstant()) return { constant: { valueString: lexer.unquoteCurrent() } };
  if (lexer.isConstant()) return { constant: constantParameter(readSignedToken(lexer)) };
  if (lexer.has('(')) {
    lexer.next();
    return { name: '(' };
  }
  return { name: lexer.readIdentifier(what) };
}

function contextName(lexer: FmlLexer, value: TargetValue): string {
  if ('name' in value && value.name !== '(') return value.name;
  throw lexer.error(`Expected a target variable before ${describeToken(lexer.current)}`);
}

/** A constant token; a sign token directly before a number is joined to it. */
function readSignedToken(lexer: FmlLexer): string {
  const text = lexer.takeAny('a value');
  if ((text === '-' || text === '+') && /^[0-9]/.test(lexer.current.text)) return (text === '-' ? '-' : '') + lexer.take();
  return text;
}

function readTransform(lexer: FmlLexer, value: TargetValue): { transform: Transform; parameter: Parameter[] } {
  if ('constant' in value) return { transform: 'copy', parameter: [value.constant] };
  const name = value.name;
  if (name === '(') {
    const expression = readFhirPath(lexer);
    lexer.expect(')');
    return { transform: 'evaluate', parameter: [{ valueString: expression }] };
  }
  if (lexer.has('(')) {
    const transform = checkTransform(lexer, name);
    lexer.next();
    return { transform, parameter: readTransformParameters(lexer, transform) };
  }
  let id = name;
  while (lexer.has('.')) {
    lexer.next();
    id += '.' + lexer.readIdentifier('an element name');
  }
  return { transform: 'copy', parameter: [{ valueId: id }] };
}

function checkTransform(lexer: FmlLexer, name: string): Transform {
  const transform = TRANSFORMS.find((t) => t === name);
  if (!transform) {
    throw lexer.error(`Unknown transform "${name}": expected one of ${TRANSFORMS.join(', ')}`);
  }
  return transform;
}

function readTransformParameters(lexer: FmlLexer, transform: Transform): Parameter[] {
  const parameters: Parameter[] = [];
  if (transform === 'evaluate') {
    parameters.push(readParameter(lexer));
    lexer.expect(',');
    parameters.push({ valueString: readFhirPath(lexer) });
    lexer.expect(')');
    return parameters;
  }
  while (!lexer.has(')')) {
    parameters.push(readParameter(lexer));
    if (!lexer.has(')')) {
      if (!lexer.has(',')) throw lexer.error(`Expected "," or ")" but found ${describeToken(lexer.current)}`);
      lexer.next();
    }
  }
  lexer.next();
  return parameters;
}

/** A transform or dependent-group argument: a variable (valueId) or a literal. */
export function readParameter(lexer: FmlLexer): Parameter {
  if (!lexer.isConstant()) return { valueId: lexer.readIdentifier('a parameter (a variable or a literal)') };
  if (lexer.isStringConstant()) return { valueString: lexer.unquoteCurrent() };
  return constantParameter(readSignedToken(lexer));
}

/** HAPI readConstant: integer, decimal, boolean, else a string (a date keeps its text without "@"). */
function constantParameter(text: string): Parameter {
  if (isIntegerText(text)) return { valueInteger: Number(text) };
  if (isDecimalText(text)) return { valueDecimal: Number(text) };
  if (text === 'true' || text === 'false') return { valueBoolean: text === 'true' };
  if (text.startsWith('@')) return { valueString: text.slice(1) };
  return { valueString: text };
}

function readListModes(lexer: FmlLexer, target: Target): void {
  while (lexer.has(...TARGET_LIST_MODES)) {
    const mode = lexer.take();
    // HAPI records "collate" as "last" (StructureMapUtilities.parseTarget); kept for identical output.
    if (mode === 'share') {
      (target.listMode ??= []).push('share');
      target.listRuleId = lexer.readIdentifier('a rule id to share');
    } else {
      (target.listMode ??= []).push(mode === 'first' ? 'first' : 'last');
    }
  }
}

/** FHIR element order, so the JSON reads like HAPI's. */
function orderTarget(t: Target): Target {
  const ordered: Target = {};
  if (t.context !== undefined) ordered.context = t.context;
  ordered.contextType = 'variable';
  if (t.element !== undefined) ordered.element = t.element;
  if (t.variable !== undefined) ordered.variable = t.variable;
  if (t.listMode !== undefined) ordered.listMode = t.listMode;
  if (t.listRuleId !== undefined) ordered.listRuleId = t.listRuleId;
  if (t.transform !== undefined) ordered.transform = t.transform;
  if (t.parameter !== undefined) ordered.parameter = t.parameter;
  return ordered;
}
