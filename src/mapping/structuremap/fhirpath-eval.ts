import fhirpath from 'fhirpath';
import type { UserInvocationTable } from 'fhirpath';
import r4Model from 'fhirpath/fhir-context/r4';
import { findReferences, isTemporalExpression, rewriteExpression, rewritePrimitiveValue, temporalConversion, unquoteCalendarUnits } from './fhirpath-rewrite.ts';
import type { Reference } from './fhirpath-rewrite.ts';
import { compileFastCondition } from './fast-conditions.ts';
import type { FastCondition } from './fast-conditions.ts';
import { compileFastValue } from './fast-values.ts';
import type { FastValue } from './fast-values.ts';
import type { Variables } from './variables.ts';
import type { Value } from './values.ts';

/**
 * FHIRPath for maps: every expression is compiled once per (base type, variables it names), after
 * the HAPI-compatible rewriting of fhirpath-rewrite.ts.
 */

const r4Types: ReadonlySet<string> = (r4Model as unknown as { availableTypes?: Set<string> }).availableTypes ?? new Set();

/** A FHIR R4 type name (capitalised: resources and complex types) — FHIRPath compiles against its model. */
function isR4Type(type: string): boolean {
  return /^[A-Z]/.test(type) && r4Types.has(type.split('.')[0] ?? '');
}

interface ExpressionEntry {
  readonly references: readonly Reference[];
  /** Bare names at path entries: candidates for variable references. */
  readonly bareNames: readonly string[];
  /** Every name referenced, when the expression does date arithmetic or comparisons. */
  readonly temporalNames: readonly string[];
  readonly compiled: Map<string, Compiled>;
}

type Compiled = (resource: unknown, env?: Record<string, unknown>, options?: { resolveInternalTypes?: boolean }) => unknown[];

export class FhirPathError extends Error {}

/** Functions replacing or adding to fhirpath.js's (memberOf, conformsTo). */
export type FunctionTable = UserInvocationTable;

export class FhirPathEvaluator {
  private readonly entries = new Map<string, ExpressionEntry>();
  private readonly conditions = new Map<string, FastCondition | undefined>();
  private readonly values = new Map<string, FastValue | undefined>();
  private readonly functions: FunctionTable | undefined;

  constructor(functions?: FunctionTable) {
    this.functions = functions;
  }

  private conditionFor(expression: string): FastCondition | undefined {
    if (this.conditions.has(expression)) return this.conditions.get(expression);
    const compiled = isTemporalExpression(expression) ? undefined : compileFastCondition(expression, isR4Type);
    this.conditions.set(expression, compiled);
    return compiled;
  }

  private entryFor(expression: string): ExpressionEntry {
    let entry = this.entries.get(expression);
    if (!entry) {
      const references = findReferences(expression);
      const bareNames = [...new Set(references.filter((r) => !r.percent).map((r) => r.name))];
      const temporalNames = isTemporalExpression(expression) ? [...new Set(references.map((r) => r.name))] : [];
      entry = { references, bareNames, temporalNames, compiled: new Map() };
      this.entries.set(expression, entry);
    }
    return entry;
  }

  private compiledFor(expression: string, vars: Variables, baseType: string | undefined): Compiled {
    const entry = this.entryFor(expression);
    const used = entry.bareNames.filter((n) => vars.has(n));
    const conversions = new Map<string, string>();
    for (const name of entry.temporalNames) {
      const conversion = temporalConversion(vars.get(name)?.t);
      if (conversion) conversions.set(name, conversion);
    }
    const base = baseType !== undefined && isR4Type(baseType) ? baseType : '';
    const key = `${base}|${used.join(',')}|${[...conversions].join(',')}`;
    let fn = entry.compiled.get(key);
    if (!fn) {
      const rewritten = used.length === 0 && conversions.size === 0 ? expression : rewriteExpression(expression, entry.references, new Set(used), conversions);
      const text = rewritePrimitiveValue(unquoteCalendarUnits(rewritten));
      try {
        const path = base ? { base, expression: text } : text;
        fn = fhirpath.compile(path, r4Model, this.functions ? { userInvocationTable: this.functions } : undefined) as unknown as Compiled;
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
    const fast = this.conditionFor(expression);
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
    let fast = this.values.get(expression);
    if (fast === undefined && !this.values.has(expression)) this.values.set(expression, (fast = compileFastValue(expression, isR4Type)));
    const answer = fast?.(focus, vars);
    if (answer !== undefined) return answer;
    const raw = this.evaluate(expression, focus, vars, true);
    const typeNames = fhirpath.types(raw);
    const values = fhirpath.resolveInternalTypes(raw) as unknown[];
    return values.map((v, i) => {
      const t = fhirTypeName(typeNames[i], v);
      // fhirpath.js writes UTC as -00:00; FHIR tools (HAPI) write Z.
      return { v: t === 'dateTime' && typeof v === 'string' ? v.replace(/[+-]00:00$/, 'Z') : v, t };
    });
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
