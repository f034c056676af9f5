import type { Value } from './values.ts';
import type { Variables } from './variables.ts';

/**
 * Map conditions answered without fhirpath.js. Legacy maps test columns with a small FHIRPath
 * subset — `(x != '')`, `(a = 'v') and (b != 'w')`, `(x.exists() and (x != '')).not()`,
 * `x.matches('^…$')`, `matches('^…$')` on the focus, `x.startsWith('…')` — and fhirpath.js costs 10–30 µs for each (a third of mapping time on the
 * Synthea CSV set). This compiles that subset to closures with FHIRPath's three-valued logic
 * (FHIRPath N1 §5.1 empty propagation, §6.5 Boolean logic). Anything else does not compile, and
 * anything a closure cannot decide for certain (numbers, objects, collections, FHIR-typed focus,
 * unset variables) answers `undefined`: fhirpath.js then evaluates the expression.
 */

/** A condition: true / false, or undefined when fhirpath.js must decide. */
export type FastCondition = (focus: Value | undefined, vars: Variables) => boolean | undefined;

const EMPTY = Symbol('empty');
const UNDECIDED = Symbol('undecided');
type Result = string | boolean | typeof EMPTY | typeof UNDECIDED;
type Node = (focus: Value | undefined, vars: Variables) => Result;

type Token = { readonly kind: 'name' | 'string' | 'punct'; readonly text: string };

const TOKEN = /\s*(?:(\$this|%[A-Za-z_]\w*|[A-Za-z_]\w*)|'((?:[^'\\]|\\.)*)'|(!=|[=().,]))/y;
const ESCAPES: Record<string, string> = { "'": "'", '"': '"', '\\': '\\', '/': '/', f: '\f', n: '\n', r: '\r', t: '\t', '`': '`' };
/** Words of FHIRPath this subset does not implement: an expression using one goes to fhirpath.js. */
const OTHER_KEYWORDS = new Set(['xor', 'implies', 'in', 'contains', 'is', 'as', 'div', 'mod', 'true', 'false']);

function tokenize(expression: string): Token[] | undefined {
  const tokens: Token[] = [];
  TOKEN.lastIndex = 0;
  while (TOKEN.lastIndex < expression.length) {
    if (/^\s*$/.test(expression.slice(TOKEN.lastIndex))) break;
    const m = TOKEN.exec(expression);
    if (!m) return undefined;
    if (m[1] !== undefined) tokens.push({ kind: 'name', text: m[1] });
    else if (m[2] !== undefined) {
      const text = unescape(m[2]);
      if (text === undefined) return undefined;
      tokens.push({ kind: 'string', text });
    } else tokens.push({ kind: 'punct', text: m[3] as string });
  }
  return tokens;
}

function unescape(body: string): string | undefined {
  let out = '';
  for (let i = 0; i < body.length; i++) {
    const c = body.charAt(i);
    if (c !== '\\') {
      out += c;
      continue;
    }
    const escaped = ESCAPES[body.charAt(++i)];
    if (escaped === undefined) return undefined; // \uXXXX and the rest: left to fhirpath.js
    out += escaped;
  }
  return out;
}

class Parser {
  private at = 0;
  private readonly tokens: readonly Token[];
  private readonly isFhirType: (type: string) => boolean;

  constructor(tokens: readonly Token[], isFhirType: (type: string) => boolean) {
    this.tokens = tokens;
    this.isFhirType = isFhirType;
  }

  parse(): Node | undefined {
    const node = this.or();
    return node && this.at === this.tokens.length ? node : undefined;
  }

  private peek(text: string): boolean {
    return this.tokens[this.at]?.text === text && this.tokens[this.at]?.kind !== 'string';
  }

  private take(text: string): boolean {
    if (!this.peek(text)) return false;
    this.at++;
    return true;
  }

  private or(): Node | undefined {
    return this.chain('or', () => this.and(), orOf);
  }

  private and(): Node | undefined {
    return this.chain('and', () => this.comparison(), andOf);
  }

  private chain(word: string, next: () => Node | undefined, combine: (a: Node, b: Node) => Node): Node | undefined {
    let node = next();
    while (node && this.take(word)) {
      const right = next();
      if (!right) return undefined;
      node = combine(node, right);
    }
    return node;
  }

  private comparison(): Node | undefined {
    const left = this.postfix();
    if (!left) return undefined;
    const negate = this.peek('!=');
    if (!this.take('=') && !this.take('!=')) return left;
    const right = this.postfix();
    return right ? equality(left, right, negate) : undefined;
  }

  /** `x.f()` chains; a call without a receiver (`matches('…')`, `exists()`) applies to `$this` (FHIRPath N1 §5). */
  private postfix(): Node | undefined {
    let node = this.startsCall() ? this.invocation(operand('$this', this.isFhirType)) : this.primary();
    while (node && this.take('.')) node = this.invocation(node);
    return node;
  }

  private startsCall(): boolean {
    const name = this.tokens[this.at];
    const open = this.tokens[this.at + 1];
    return name?.kind === 'name' && open?.kind === 'punct' && open.text === '(' && (Object.hasOwn(STRING_FUNCTIONS, name.text) || Object.hasOwn(FUNCTIONS, name.text));
  }

  private invocation(input: Node): Node | undefined {
    const name = this.tokens[this.at++];
    if (name?.kind !== 'name' || !this.take('(')) return undefined;
    const withString = Object.hasOwn(STRING_FUNCTIONS, name.text) ? STRING_FUNCTIONS[name.text] : undefined;
    if (withString) {
      const argument = this.tokens[this.at++];
      if (argument?.kind !== 'string' || !this.take(')')) return undefined;
      return withString(input, argument.text);
    }
    if (!this.take(')')) return undefined;
    const fn = Object.hasOwn(FUNCTIONS, name.text) ? FUNCTIONS[name.text] : undefined;
    return fn ? fn(input) : undefined;
  }

  private primary(): Node | undefined {
    const token = this.tokens[this.at++];
    if (!token) return undefined;
    if (token.kind === 'string') return () => token.text;
    if (token.kind === 'punct') {
      if (token.text !== '(') return undefined;
      const inner = this.or();
      return inner && this.take(')') ? inner : undefined;
    }
    if (token.text === 'and' || token.text === 'or' || OTHER_KEYWORDS.has(token.text)) return undefined;
    return operand(token.text, this.isFhirType);
  }
}

/** A name: `$this`, `%var`, a variable, or a property of an untyped (legacy) focus object. */
function operand(name: string, isFhirType: (type: string) => boolean): Node {
  const fromVariable = (value: Value | undefined): Result => (value === undefined ? UNDECIDED : scalar(value.v, UNDECIDED));
  if (name === '$this') return (focus) => (focus === undefined ? UNDECIDED : scalar(focus.v, UNDECIDED));
  if (name.startsWith('%')) return (_focus, vars) => fromVariable(vars.get(name.slice(1)));
  return (focus, vars) => {
    const variable = vars.get(name);
    if (variable) return fromVariable(variable);
    if (focus === undefined || (focus.t !== undefined && isFhirType(focus.t))) return UNDECIDED; // choice names, typed paths
    const data = focus.v;
    if (typeof data !== 'object' || data === null || Array.isArray(data)) return typeof data === 'string' ? EMPTY : UNDECIDED;
    return scalar((data as Record<string, unknown>)[name], EMPTY);
  };
}

/** A JSON value as a singleton: strings and booleans only; absent is `missing`. */
function scalar(v: unknown, missing: Result): Result {
  if (v === undefined) return missing;
  return typeof v === 'string' || typeof v === 'boolean' ? v : UNDECIDED;
}

function equality(left: Node, right: Node, negate: boolean): Node {
  return (focus, vars) => {
    const a = left(focus, vars);
    const b = right(focus, vars);
    if (a === UNDECIDED || b === UNDECIDED) return UNDECIDED;
    if (a === EMPTY || b === EMPTY) return EMPTY;
    if (typeof a !== typeof b) return UNDECIDED;
    return (a === b) !== negate;
  };
}

const FUNCTIONS: Record<string, (input: Node) => Node> = {
  exists: (input) => (focus, vars) => {
    const v = input(focus, vars);
    return v === UNDECIDED ? v : v !== EMPTY;
  },
  empty: (input) => (focus, vars) => {
    const v = input(focus, vars);
    return v === UNDECIDED ? v : v === EMPTY;
  },
  not: (input) => (focus, vars) => {
    const v = input(focus, vars);
    return typeof v === 'boolean' ? !v : v === EMPTY ? EMPTY : UNDECIDED;
  },
};

/** A string function of a string input and one string literal: empty in, empty out (FHIRPath N1 §5.6); a non-string input is left to fhirpath.js. */
function onString(input: Node, test: (v: string) => boolean): Node {
  return (focus, vars) => {
    const v = input(focus, vars);
    if (v === EMPTY || v === UNDECIDED) return v;
    return typeof v === 'string' ? test(v) : UNDECIDED;
  };
}

const STRING_FUNCTIONS: Record<string, (input: Node, argument: string) => Node> = {
  /** fhirpath.js `matches`: a partial match, flags `us`. */
  matches: (input, pattern) => {
    let regex: RegExp | undefined;
    return onString(input, (v) => (regex ??= new RegExp(pattern, 'us')).test(v));
  },
  /** `startsWith` (§5.6.4): the Synthea maps' `end.startsWith('1970-01-01').not()` runs for every row with an end date. */
  startsWith: (input, prefix) => onString(input, (v) => v.startsWith(prefix)),
};

/** A Boolean operand: a boolean or empty; anything else is left to fhirpath.js. */
function logical(node: Node, focus: Value | undefined, vars: Variables): boolean | typeof EMPTY | typeof UNDECIDED {
  const v = node(focus, vars);
  return typeof v === 'boolean' || v === EMPTY ? v : UNDECIDED;
}

/** `and` (false dominates) and `or` (true dominates): the dominant value wins; both the other give it; else empty. */
function logicalOf(dominant: boolean): (left: Node, right: Node) => Node {
  return (left, right) => (focus, vars) => {
    const a = logical(left, focus, vars);
    const b = logical(right, focus, vars);
    if (a === UNDECIDED || b === UNDECIDED) return UNDECIDED;
    if (a === dominant || b === dominant) return dominant;
    return a === !dominant && b === !dominant ? !dominant : EMPTY;
  };
}

const andOf = logicalOf(false);
const orOf = logicalOf(true);

/**
 * Compiles a condition of the subset; undefined when the expression is outside it. The result
 * follows HAPI's evaluateToBoolean: a single boolean is itself, otherwise "is not empty".
 */
export function compileFastCondition(expression: string, isFhirType: (type: string) => boolean): FastCondition | undefined {
  const tokens = tokenize(expression);
  const node = tokens && tokens.length > 0 ? new Parser(tokens, isFhirType).parse() : undefined;
  if (!node) return undefined;
  return (focus, vars) => {
    const v = node(focus, vars);
    if (v === UNDECIDED) return undefined;
    return typeof v === 'boolean' ? v : v !== EMPTY;
  };
}
