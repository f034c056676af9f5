import { LiteralError, isConstantToken, isStringToken, unquote } from './constants.ts';
import type { FmlLexer } from './lexer.ts';
import { describeToken } from './lexer.ts';

/**
 * FHIRPath inside a map (where/check/log, `(expr)` and evaluate()). HAPI does not keep the text as
 * written: it parses the expression, regroups binary operators by precedence (adding parentheses)
 * and stores ExpressionNode.toString(). This is a port of that parse + regroup + render so the
 * StructureMap strings match HAPI's byte for byte, e.g. `(a = 'x' and b)` → `((a = 'x') and b)`.
 */

type PathKind = 'name' | 'function' | 'item' | 'constant' | 'group' | 'unary';

interface PathNode {
  kind: PathKind;
  /** Name, function name, rendered constant, or the unary operator. */
  text: string;
  params: PathNode[];
  inner: PathNode | undefined;
  group: PathNode | undefined;
  operation: string | undefined;
  opNext: PathNode | undefined;
}

/** Deeper nesting (parentheses, function arguments, dotted paths) is refused, not recursed into. */
export const MAX_FHIRPATH_DEPTH = 500;

const OPERATIONS = new Set([
  '=', '~', '!=', '!~', '<', '>', '<=', '>=', 'is', 'as', '|', 'or', 'and', 'xor', 'implies',
  '*', '/', '+', '&', '-', 'div', 'mod', 'in', 'contains', 'memberOf',
]);

/** HAPI organisePrecedence: operator sets from tightest to loosest; implies/as/in/contains are never regrouped. */
const PRECEDENCE: ReadonlyArray<ReadonlySet<string>> = [
  new Set(['*', '/', 'div', 'mod']),
  new Set(['+', '-', '&']),
  new Set(['|']),
  new Set(['<', '>', '<=', '>=']),
  new Set(['is']),
  new Set(['=', '~', '!=', '!~']),
  new Set(['and']),
  new Set(['xor', 'or']),
];

const TIME_UNITS = new Set(['year', 'years', 'month', 'months', 'week', 'weeks', 'day', 'days', 'hour', 'hours',
  'minute', 'minutes', 'second', 'seconds', 'millisecond', 'milliseconds']);

function node(kind: PathKind, text: string): PathNode {
  return { kind, text, params: [], inner: undefined, group: undefined, operation: undefined, opNext: undefined };
}

/** Parses one FHIRPath expression at the lexer's position and returns it as HAPI renders it. */
export function readFhirPath(lexer: FmlLexer): string {
  return renderPath(parseExpression(lexer, true, 0));
}

function parseExpression(lexer: FmlLexer, proximal: boolean, depth: number): PathNode {
  if (depth > MAX_FHIRPATH_DEPTH) {
    throw lexer.error(`FHIRPath expression nests deeper than ${MAX_FHIRPATH_DEPTH} levels`);
  }
  // HAPI keeps a leading sign as a wrapper node whose `operation` is the sign: it then takes part in
  // operator regrouping and renders as " - 1" (ExpressionNode.toString has no Unary case).
  let wrapper: PathNode | undefined;
  if (lexer.has('-', '+')) {
    wrapper = node('unary', '');
    wrapper.operation = lexer.take();
  }
  let result = parseTerm(lexer, depth);
  let focus = result;
  if (lexer.has('[')) {
    lexer.next();
    const item = node('item', '[');
    item.params.push(parseExpression(lexer, true, depth + 1));
    if (!lexer.has(']')) throw lexer.error(`Expected "]" but found ${describeToken(lexer.current)}`);
    lexer.next();
    result.inner = item;
    focus = item;
  }
  if (lexer.has('.')) {
    lexer.next();
    focus.inner = parseExpression(lexer, false, depth + 1);
  }
  if (proximal) {
    while (lexer.has(...OPERATIONS)) {
      if (focus.kind === 'unary') {
        // HAPI would overwrite the sign and silently drop the signed operand here.
        throw lexer.error(`A signed value cannot be followed by "${lexer.current.text}" here: put it in parentheses, e.g. (-1)`);
      }
      focus.operation = lexer.take();
      focus.opNext = parseExpression(lexer, false, depth + 1);
      focus = focus.opNext;
    }
    result = organisePrecedence(result);
  }
  if (wrapper) {
    wrapper.opNext = result;
    result = wrapper;
  }
  return result;
}

function parseTerm(lexer: FmlLexer, depth: number): PathNode {
  if (lexer.done()) throw lexer.error('Expected a FHIRPath expression but found end of input');
  const text = lexer.current.text;
  if (text === '{' && lexer.peek().text === '}') {
    lexer.next();
    lexer.next();
    return node('constant', '{}');
  }
  if (isConstantToken(text) && !/^[-+]/.test(text)) return parseConstant(lexer);
  if (text === '(') {
    lexer.next();
    const group = node('group', '(');
    group.group = parseExpression(lexer, true, depth + 1);
    if (!lexer.has(')')) throw lexer.error(`Expected ")" but found ${describeToken(lexer.current)}`);
    lexer.next();
    return group;
  }
  if (!isPathToken(text)) throw lexer.error(`Expected a FHIRPath expression but found ${describeToken(lexer.current)}`);
  if (text.startsWith('$') && text !== '$this' && text !== '$total' && text !== '$index') {
    throw lexer.error(`Expected $this, $index or $total but found ${describeToken(lexer.current)}`);
  }
  const name = text.startsWith('`') ? unquoteAt(lexer) : lexer.take();
  if (!lexer.has('(')) return node('name', name);
  const fn = node('function', name);
  lexer.next();
  while (!lexer.has(')')) {
    fn.params.push(parseExpression(lexer, true, depth + 1));
    if (lexer.has(',')) lexer.next();
    else if (!lexer.has(')')) throw lexer.error(`Expected "," or ")" but found ${describeToken(lexer.current)}`);
  }
  lexer.next();
  return fn;
}

function isPathToken(text: string): boolean {
  const c = text.charAt(0);
  return c === '$' || c === '`' || text === '*' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

function unquoteAt(lexer: FmlLexer): string {
  try {
    return unquote(lexer.take());
  } catch (e) {
    if (e instanceof LiteralError) throw lexer.error(e.message);
    throw e;
  }
}

function parseConstant(lexer: FmlLexer): PathNode {
  const text = lexer.current.text;
  if (isStringToken(text)) return node('constant', `'${escapeJson(unquoteAt(lexer))}'`);
  lexer.next();
  const numeric = /^[0-9]/.test(text);
  if (numeric && !lexer.done() && (lexer.isStringConstant() || lexer.has(...TIME_UNITS))) {
    const unit = lexer.isStringConstant() ? unquoteAt(lexer) : lexer.take();
    return node('constant', `${text} '${escapeJson(unit)}'`);
  }
  return node('constant', text);
}

/** HAPI Utilities.escapeJson (note: a single quote is not escaped). */
function escapeJson(value: string): string {
  let out = '';
  for (const ch of value) {
    switch (ch) {
      case '"': out += '\\"'; break;
      case '\\': out += '\\\\'; break;
      case '\n': out += '\\n'; break;
      case '\r': out += '\\r'; break;
      case '\t': out += '\\t'; break;
      case '\b': out += '\\b'; break;
      case '\f': out += '\\f'; break;
      default: out += ch.charCodeAt(0) < 32 ? `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}` : ch;
    }
  }
  return out;
}

function newGroup(inner: PathNode): PathNode {
  const group = node('group', '(');
  group.group = inner;
  return group;
}

function organisePrecedence(start: PathNode): PathNode {
  let result = start;
  for (const ops of PRECEDENCE) result = gatherPrecedence(result, ops);
  return result;
}

function inSet(ops: ReadonlySet<string>, op: string | undefined): boolean {
  return op !== undefined && ops.has(op);
}

/** A port of HAPI FHIRPathEngine.gatherPrecedence over the operator chain (opNext links). */
function gatherPrecedence(first: PathNode, ops: ReadonlySet<string>): PathNode {
  let start = first;
  let work = false;
  let focus = start.opNext;
  const startIn = inSet(ops, start.operation);
  while (focus && focus.operation !== undefined) {
    work = work || (startIn ? !inSet(ops, focus.operation) : inSet(ops, focus.operation));
    focus = focus.opNext;
  }
  if (!work) return start;

  let group: PathNode;
  if (startIn) {
    group = newGroup(start);
    focus = start;
    start = group;
  } else {
    let prev = start;
    focus = start.opNext as PathNode;
    while (!inSet(ops, focus.operation)) {
      prev = focus;
      focus = focus.opNext as PathNode;
    }
    group = newGroup(focus);
    prev.opNext = group;
  }
  do {
    while (focus && inSet(ops, focus.operation)) focus = focus.opNext;
    if (focus && focus.operation !== undefined) {
      group.operation = focus.operation;
      group.opNext = focus.opNext;
      focus.operation = undefined;
      focus.opNext = undefined;
      let prev: PathNode = group;
      focus = group.opNext;
      while (focus && !inSet(ops, focus.operation)) {
        prev = focus;
        focus = focus.opNext;
      }
      if (focus) {
        group = newGroup(focus);
        prev.opNext = group;
      }
    }
  } while (focus && focus.operation !== undefined);
  return start;
}

/** ExpressionNode.toString(); the operator chain is walked in a loop so long chains cannot overflow. */
function renderPath(first: PathNode): string {
  let out = '';
  let current: PathNode | undefined = first;
  while (current) {
    out += renderHead(current);
    if (current.inner) out += (current.inner.kind === 'item' ? '' : '.') + renderPath(current.inner);
    if (current.operation === undefined) break;
    out += ` ${current.operation} `;
    current = current.opNext;
    if (!current) break;
  }
  return out;
}

function renderHead(n: PathNode): string {
  switch (n.kind) {
    case 'name':
      // A delimited name (`10`, `@_code`) must stay delimited, or the stored expression means something else.
      return /^[A-Za-z_%$][A-Za-z0-9_]*$/.test(n.text) ? n.text : `\`${n.text.replace(/`/g, '\\`')}\``;
    case 'constant':
    case 'unary':
      return n.text; // '' for a sign wrapper
    case 'function':
      return `${n.text}(${n.params.map(renderPath).join(', ')})`;
    case 'item':
      return `[${n.params.map(renderPath).join(', ')}]`;
    case 'group':
      return `(${renderPath(n.group as PathNode)})`;
    default:
      throw new Error(`unknown FHIRPath node kind ${String(n.kind)}`);
  }
}
