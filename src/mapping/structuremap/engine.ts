import { MigrateError } from '../../core/index.ts';
import { ExecutionContext } from './context.ts';
import { FhirPathEvaluator } from './fhirpath-eval.ts';
import { mappingFunctions } from './fhirpath-functions.ts';
import { GroupResolver } from './groups.ts';
import { createInstance } from './instances.ts';
import { failAt, ruleName } from './location.ts';
import type { RuleSite } from './location.ts';
import type { TransformOptions } from './options.ts';
import { pruneEmpty } from './output-order.ts';
import { dependentArguments, parameterLiteral } from './parameters.ts';
import { executeSimpleRule, isSimpleRule } from './simple-rule.ts';
import { processSource } from './source.ts';
import { processTarget } from './target.ts';
import { valueOf } from './values.ts';
import type { Value } from './values.ts';
import { Variables } from './variables.ts';

/**
 * Executes StructureMaps (R4 StructureMap semantics, following HAPI's StructureMapUtilities).
 * Reusable: compiled FHIRPath and resolved groups are cached across transforms.
 */
export class StructureMapEngine {
  private readonly options: TransformOptions;
  private readonly fhirpath: FhirPathEvaluator;
  private readonly groups: GroupResolver;
  private readonly compiledRules = new WeakMap<fhir4.StructureMapGroupRule, CompiledRule>();
  /** The bare simple form's source with a variable to bind its values to, made once per source. */
  private readonly syntheticSources = new WeakMap<fhir4.StructureMapGroupRuleSource, fhir4.StructureMapGroupRuleSource>();

  constructor(options: TransformOptions) {
    this.options = options;
    this.fhirpath = new FhirPathEvaluator(mappingFunctions(options));
    this.groups = new GroupResolver(options);
  }

  /** Runs the map's first group on `source`; returns `target` (created from the target input type when absent). */
  transform(map: fhir4.StructureMap, source: unknown, target?: unknown): unknown {
    const group = map.group?.[0];
    if (!group) throw new MigrateError('FHIRMIG_ERR_MAP_INVALID', `StructureMap ${map.url ?? map.name ?? ''} has no group.`);
    const ctx = new ExecutionContext(this.options, this.fhirpath, this.groups);
    const site: RuleSite = { map, group, rule: undefined };
    const vars = new Variables();
    const sourceInput = group.input.find((i) => i.mode === 'source');
    vars.setInput(sourceInput?.name ?? 'source', this.rootSource(map, sourceInput, source));
    const targetInput = group.input.find((i) => i.mode === 'target');
    const output = target === undefined ? this.rootTarget(ctx, site, targetInput) : valueOf(target, this.statedType(map, targetInput));
    if (targetInput) vars.setOutput(targetInput.name, output);
    this.executeGroup(ctx, map, group, vars);
    pruneEmpty(output.v);
    return output.v;
  }

  private statedType(map: fhir4.StructureMap, input: fhir4.StructureMapGroupInput | undefined, mode: 'source' | 'target' = 'target'): string | undefined {
    const stated = input?.type ?? singleStructure(map, mode);
    return stated === undefined ? undefined : this.groups.resolveTypeName(map, stated);
  }

  private rootSource(map: fhir4.StructureMap, input: fhir4.StructureMapGroupInput | undefined, source: unknown): Value {
    const value = valueOf(source);
    const stated = this.statedType(map, input, 'source');
    if (stated !== undefined && this.options.typeModel.getType(stated) && (value.t === undefined || !this.options.typeModel.getType(value.t))) {
      return { v: source, t: stated };
    }
    return value;
  }

  private rootTarget(ctx: ExecutionContext, site: RuleSite, input: fhir4.StructureMapGroupInput | undefined): Value {
    const type = this.statedType(site.map, input);
    if (type === undefined) return { v: {}, t: undefined, owned: true };
    return createInstance(ctx, site, type, true);
  }

  private executeGroup(ctx: ExecutionContext, map: fhir4.StructureMap, group: fhir4.StructureMapGroup, vars: Variables): void {
    const site: RuleSite = { map, group, rule: undefined };
    ctx.enterGroup(site, group, group.input.map((i) => (i.mode === 'source' ? vars.getInput(i.name) : vars.getOutput(i.name))?.v));
    try {
      if (group.extends) {
        const base = ctx.groups.byName(map, group.extends, site);
        this.executeGroup(ctx, base.map, base.group, vars);
      }
      (group.rule ?? []).forEach((rule, index) => this.executeRule(ctx, map, group, rule, ruleName(rule, index), vars));
    } finally {
      ctx.leaveGroup();
    }
  }

  /** What a rule needs at run time, worked out once per rule object. */
  private compiled(map: fhir4.StructureMap, group: fhir4.StructureMapGroup, rule: fhir4.StructureMapGroupRule, path: string): CompiledRule {
    let compiled = this.compiledRules.get(rule);
    if (!compiled) {
      compiled = {
        site: { map, group, rule: path },
        simple: isSimpleRule(rule),
        srcVar: rule.source.length === 1 ? rule.source[0]?.variable : undefined,
        children: (rule.rule ?? []).map((child, index) => ({ rule: child, path: `${path}.${ruleName(child, index)}` })),
      };
      this.compiledRules.set(rule, compiled);
    }
    return compiled;
  }

  private executeRule(ctx: ExecutionContext, map: fhir4.StructureMap, group: fhir4.StructureMapGroup, rule: fhir4.StructureMapGroupRule, path: string, vars: Variables): void {
    const { site, simple, srcVar, children } = this.compiled(map, group, rule, path);
    const tuples = this.sourceTuples(ctx, site, rule, vars, simple);
    if (simple) {
      this.executeSimple(ctx, site, rule, tuples);
      return;
    }
    for (const v of tuples) {
      ctx.step(site);
      for (const t of rule.target ?? []) processTarget(ctx, site, v, t, srcVar, vars);
      for (const child of children) this.executeRule(ctx, map, group, child.rule, child.path, v);
      for (const dependent of rule.dependent ?? []) this.executeDependent(ctx, site, dependent, v);
    }
  }

  private executeSimple(ctx: ExecutionContext, site: RuleSite, rule: fhir4.StructureMapGroupRule, tuples: readonly Variables[]): void {
    const src = rule.source[0] as fhir4.StructureMapGroupRuleSource;
    const runGroup = (m: fhir4.StructureMap, g: fhir4.StructureMapGroup, gv: Variables): void => this.executeGroup(ctx, m, g, gv);
    for (const v of tuples) {
      ctx.step(site);
      const value = src.variable ? v.getInput(src.variable) : undefined;
      if (value) executeSimpleRule(ctx, site, rule, v, value, runGroup);
      else for (const one of this.bareSourceValue(ctx, site, src, v)) executeSimpleRule(ctx, site, rule, v, one, runGroup);
    }
  }

  /** Values of a simple rule's source when it binds no variable (the bare `src.a -> tgt.a`). */
  private bareSourceValue(ctx: ExecutionContext, site: RuleSite, src: fhir4.StructureMapGroupRuleSource, v: Variables): Value[] {
    let synthetic = this.syntheticSources.get(src);
    if (!synthetic) this.syntheticSources.set(src, (synthetic = { ...src, variable: '__simple' }));
    return processSource(ctx, site, v, synthetic).map((bound) => bound.getInput('__simple') as Value);
  }

  /** Several sources: the cartesian product of their values, each tuple in its own variables. */
  private sourceTuples(ctx: ExecutionContext, site: RuleSite, rule: fhir4.StructureMapGroupRule, vars: Variables, simple: boolean): Variables[] {
    if (rule.source.length === 0) return [vars.copy()];
    if (simple && !rule.source[0]?.variable) return [vars.copy()];
    if (rule.source.length === 1) return processSource(ctx, site, vars, rule.source[0] as fhir4.StructureMapGroupRuleSource);
    let tuples = [vars];
    for (const src of rule.source) {
      const next: Variables[] = [];
      for (const t of tuples) for (const bound of processSource(ctx, site, t, src)) next.push(bound);
      tuples = next;
    }
    return tuples;
  }

  private executeDependent(ctx: ExecutionContext, site: RuleSite, dependent: fhir4.StructureMapGroupRuleDependent, vin: Variables): void {
    const resolved = ctx.groups.byName(site.map, dependent.name, site);
    const args = dependentArguments(dependent);
    const inputs = resolved.group.input;
    if (inputs.length !== args.length) {
      failAt(site, 'FHIRMIG_ERR_MAP_INVALID', `Group "${dependent.name}" has ${inputs.length} inputs but the invocation passes ${args.length}.`);
    }
    const v = new Variables();
    inputs.forEach((input, i) => {
      const arg = args[i] as fhir4.StructureMapGroupRuleTargetParameter;
      const value = argumentValue(input, arg, vin);
      if (!value) failAt(site, 'FHIRMIG_ERR_MAP_INVALID', `Group "${dependent.name}" input "${input.name}" is bound to "${describe(arg)}", which has no value (${vin.summary()}).`);
      if (input.mode === 'source') v.setInput(input.name, value);
      else v.setOutput(input.name, value);
    });
    this.executeGroup(ctx, resolved.map, resolved.group, v);
  }
}

interface CompiledRule {
  readonly site: RuleSite;
  readonly simple: boolean;
  readonly srcVar: string | undefined;
  readonly children: readonly { readonly rule: fhir4.StructureMapGroupRule; readonly path: string }[];
}

function singleStructure(map: fhir4.StructureMap, mode: 'source' | 'target'): string | undefined {
  const matching = (map.structure ?? []).filter((s) => s.mode === mode);
  return matching.length === 1 ? matching[0]?.url : undefined;
}

function argumentValue(input: fhir4.StructureMapGroupInput, arg: fhir4.StructureMapGroupRuleTargetParameter, vin: Variables): Value | undefined {
  if (arg.valueId === undefined) return parameterLiteral(arg);
  // "once source, always source", but a target may be handed to a group as its source.
  return input.mode === 'source' ? (vin.getInput(arg.valueId) ?? vin.getOutput(arg.valueId)) : vin.getOutput(arg.valueId);
}

function describe(arg: fhir4.StructureMapGroupRuleTargetParameter): string {
  return arg.valueId ?? String(parameterLiteral(arg)?.v);
}

/** Runs a StructureMap once (creates a throwaway engine; use StructureMapEngine to reuse caches). */
export function transformStructureMap(map: fhir4.StructureMap, source: unknown, options: TransformOptions, target?: unknown): unknown {
  return new StructureMapEngine(options).transform(map, source, target);
}
