import fhirpath from 'fhirpath';
import r4Model from 'fhirpath/fhir-context/r4';
import type { Variables } from './variables.ts';
import type { Value } from './values.ts';

/**
 * FHIRPath for maps: every expression is compiled once per (base type, variables it names).
 * As in HAPI's mapping host services, an identifier at the start of a path that names a map
 * variable refers to that variable (`a.length()` with variable `a` means `%a.length()`).
 */

type Compiled = (resource: unknown, env?: Record<string, unknown>, options?: { resolveInternalTypes?: boolean }) => unknown[];

const KEYWORDS = new Set(['and', 'or', 'xor', 'implies', 'div', 'mod', 'in', 'contains', 'is', 'as', 'true', 'false']);
const r4Types: ReadonlySet<string> = (r4Model as unknown as { availableTypes?: Set<string> }).availableTypes ?? new Set();

interface ExpressionEntry {
  /** Identifiers at path-entry positions: candidates for variable references. */
  readonly entryNames: readonly string[];
  readonly compiled: Map<string, Compiled>;
}

function skipQuoted(expr: string, start: number, quote: string): number {
  let i = start + 1;
  while (i < expr.length && expr[i] !== quote) i += expr[i] === '\\' ? 2 : 1;
  return i + 1;
}

function previousSignificant(expr: string, index: number): string {
  let i = index - 1;
  while (i >= 0 && /\s/.test(expr[i] ?? '')) i--;
  return i >= 0 ? (expr[i] ?? '') : '';
}

function nextSignificant(expr: string, index: number): string {
  let i = index;
  while (i < expr.length && /\s/.test(expr[i] ?? '')) i++;
  return expr[i] ?? '';
}

interface Identifier {
  readonly name: string;
  readonly start: number;
  readonly end: number;
}

/** Finds identifiers that start a path (not after '.', not function names, not keywords). */
function findEntryIdentifiers(expr: string): Identifier[] {
  const found: Identifier[] = [];
  let i = 0;
  while (i < expr.length) {
    const ch = expr[i] ?? '';
    if (ch === "'" || ch === '`' || ch === '"') {
      i = skipQuoted(expr, i, ch);
    } else if (ch === '%' || ch === '$' || ch === '@') {
      i++;
      if (expr[i] === '`') i = skipQuoted(expr, i, '`');
      else while (i < expr.length && /[\w:.\-+]/.test(expr[i] ?? '')) i++;
    } else if (/[A-Za-z_]/.test(ch)) {
      const start = i;
      while (i < expr.length && /\w/.test(expr[i] ?? '')) i++;
      const name = expr.slice(start, i);
      const isEntry = previousSignificant(expr, start) !== '.' && nextSignificant(expr, i) !== '(' && !KEYWORDS.has(name);
      if (isEntry) found.push({ name, start, end: i });
    } else if (/\d/.test(ch)) {
      while (i < expr.length && /[\d.]/.test(expr[i] ?? '')) i++;
    } else {
      i++;
    }
  }
  return found;
}

function variableReference(name: string): string {
  return /^[A-Za-z_]\w*$/.test(name) ? `%${name}` : `%\`${name}\``;
}

function rewrite(expr: string, names: ReadonlySet<string>): string {
  let out = '';
  let last = 0;
  for (const id of findEntryIdentifiers(expr)) {
    if (!names.has(id.name)) continue;
    out += expr.slice(last, id.start) + variableReference(id.name);
    last = id.end;
  }
  return out + expr.slice(last);
}

export class FhirPathError extends Error {}

/** A compiled `x = 'text'` / `x != 'text'` test; undefined when the operand is not a plain string. */
type Comparison = (focus: Value | undefined, vars: Variables) => boolean | undefined;

const SIMPLE_COMPARISON = /^\s*(\$this|%?[A-Za-z_]\w*)\s*(=|!=)\s*'([^'\\]*)'\s*$/;

/**
 * The commonest map conditions compare one value with a string literal. They are answered
 * directly, with FHIRPath semantics (an empty operand makes the condition false); anything else
 * (numbers, collections, other operators) goes to fhirpath.js.
 */
function compileComparison(expression: string): Comparison | undefined {
  const m = SIMPLE_COMPARISON.exec(expression);
  if (!m) return undefined;
  const [, operand = '', operator, literal] = m;
  const negate = operator === '!=';
  const read = (focus: Value | undefined, vars: Variables): unknown => {
    if (operand === '$this') return focus?.v;
    if (operand.startsWith('%')) return vars.get(operand.slice(1))?.v;
    const variable = vars.get(operand);
    if (variable) return variable.v;
    const data = focus?.v;
    return typeof data === 'object' && data !== null && !Array.isArray(data) ? (data as Record<string, unknown>)[operand] : undefined;
  };
  return (focus, vars) => {
    const value = read(focus, vars);
    if (value === undefined || value === null) return false;
    if (typeof value !== 'string') return undefined;
    return negate ? value !== literal : value === literal;
  };
}

export class FhirPathEvaluator {
  private readonly entries = new Map<string, ExpressionEntry>();
  private readonly comparisons = new Map<string, Comparison | undefined>();

  private comparisonFor(expression: string): Comparison | undefined {
    if (this.comparisons.has(expression)) return this.comparisons.get(expression);
    const compiled = compileComparison(expression);
    this.comparisons.set(expression, compiled);
    return compiled;
  }

  private entryFor(expression: string): ExpressionEntry {
    let entry = this.entries.get(expression);
    if (!entry) {
      const names = [...new Set(findEntryIdentifiers(expression).map((i) => i.name))];
      entry = { entryNames: names, compiled: new Map() };
      this.entries.set(expression, entry);
    }
    return entry;
  }

  private compiledFor(expression: string, vars: Variables, baseType: string | undefined): Compiled {
    const entry = this.entryFor(expression);
    const used = entry.entryNames.filter((n) => vars.has(n));
    const base = baseType !== undefined && /^[A-Z]/.test(baseType) && r4Types.has(baseType.split('.')[0] ?? '') ? baseType : '';
    const key = `${base}|${used.join(',')}`;
    let fn = entry.compiled.get(key);
    if (!fn) {
      const text = used.length === 0 ? expression : rewrite(expression, new Set(used));
      try {
        const path = base ? { base, expression: text } : text;
        fn = fhirpath.compile(path, r4Model) as unknown as Compiled;
      } catch (error) {
        throw new FhirPathError(`FHIRPath expression "${expression}" does not compile: ${(error as Error).message}`);
      }
      entry.compiled.set(key, fn);
    }
    return fn;
  }

  /** Evaluates with `focus` as the context item and every variable available as `%name`. */
  evaluate(expression: string, focus: Value | undefined, vars: Variables, keepTypes = false): unknown[] {
    const fn = this.compiledFor(expression, vars, focus?.t);
    try {
      const result = fn(focus === undefined ? {} : focus.v, vars.toEnvironment(), { resolveInternalTypes: !keepTypes });
      return Array.isArray(result) ? result : [result];
    } catch (error) {
      throw new FhirPathError(`FHIRPath expression "${expression}" failed: ${(error as Error).message}`);
    }
  }

  /** HAPI `evaluateToBoolean`: a single boolean is itself, otherwise "is not empty". */
  evaluateBoolean(expression: string, focus: Value | undefined, vars: Variables): boolean {
    const fast = this.comparisonFor(expression);
    if (fast) {
      const answer = fast(focus, vars);
      if (answer !== undefined) return answer;
    }
    const result = this.evaluate(expression, focus, vars);
    if (result.length === 1 && typeof result[0] === 'boolean') return result[0];
    return result.length > 0;
  }

  evaluateString(expression: string, focus: Value | undefined, vars: Variables): string {
    return this.evaluate(expression, focus, vars)
      .map((v) => (typeof v === 'object' ? JSON.stringify(v) : String(v)))
      .join(',');
  }

  /** Evaluates keeping FHIRPath type names: returns each value with its FHIR type. */
  evaluateTyped(expression: string, focus: Value | undefined, vars: Variables): Value[] {
    const raw = this.evaluate(expression, focus, vars, true);
    const typeNames = fhirpath.types(raw);
    const values = fhirpath.resolveInternalTypes(raw) as unknown[];
    return values.map((v, i) => ({ v, t: fhirTypeName(typeNames[i], v) }));
  }
}

const SYSTEM_TYPES: Record<string, string> = {
  String: 'string',
  Boolean: 'boolean',
  Integer: 'integer',
  Decimal: 'decimal',
  Date: 'date',
  DateTime: 'dateTime',
  Time: 'time',
  Quantity: 'Quantity',
};

function fhirTypeName(typeName: string | undefined, v: unknown): string | undefined {
  if (!typeName) return undefined;
  const dot = typeName.indexOf('.');
  const namespace = typeName.slice(0, dot);
  const name = typeName.slice(dot + 1);
  if (namespace === 'FHIR') return name;
  if (name === 'Integer' && typeof v === 'number' && !Number.isInteger(v)) return 'decimal';
  return SYSTEM_TYPES[name] ?? name;
}
