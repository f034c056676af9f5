import { failAt } from './location.ts';
import type { RuleSite } from './location.ts';
import type { FhirPathEvaluator } from './fhirpath-eval.ts';
import type { GroupResolver } from './groups.ts';
import { resolveLimits } from './options.ts';
import type { ResolvedLimits, TransformOptions } from './options.ts';
import type { TypeModel } from './type-model.ts';

interface Invocation {
  readonly group: fhir4.StructureMapGroup;
  readonly inputs: readonly unknown[];
}

/** Per-transform state: counters for the guard rails and the group invocation stack. */
export class ExecutionContext {
  readonly options: TransformOptions;
  readonly types: TypeModel;
  readonly fhirpath: FhirPathEvaluator;
  readonly groups: GroupResolver;
  readonly limits: ResolvedLimits;
  private steps = 0;
  private outputNodes = 0;
  private readonly stack: Invocation[] = [];

  constructor(options: TransformOptions, fhirpath: FhirPathEvaluator, groups: GroupResolver) {
    this.options = options;
    this.types = options.typeModel;
    this.fhirpath = fhirpath;
    this.groups = groups;
    this.limits = resolveLimits(options.limits);
  }

  step(site: RuleSite): void {
    if (++this.steps > this.limits.maxSteps) {
      failAt(site, 'FHIRMIG_ERR_MAP_LIMIT', `The transform ran past its step limit (${this.limits.maxSteps}); the map or the input is too large.`);
    }
  }

  countOutput(site: RuleSite): void {
    if (++this.outputNodes > this.limits.maxOutputNodes) {
      failAt(site, 'FHIRMIG_ERR_MAP_LIMIT', `The transform produced more than ${this.limits.maxOutputNodes} output values.`);
    }
  }

  /** Enters a group; a group re-entered with the very same inputs, or nesting past maxDepth, is recursion. */
  enterGroup(site: RuleSite, group: fhir4.StructureMapGroup, inputs: readonly unknown[]): void {
    if (this.stack.length >= this.limits.maxDepth) {
      failAt(site, 'FHIRMIG_ERR_MAP_RECURSION', `Group invocations nest deeper than ${this.limits.maxDepth} (calling group "${group.name}").`);
    }
    const cyclic = this.stack.some((s) => s.group === group && s.inputs.length === inputs.length && s.inputs.every((v, i) => v === inputs[i]));
    if (cyclic) {
      const path = [...this.stack.map((s) => s.group.name), group.name].join(' -> ');
      failAt(site, 'FHIRMIG_ERR_MAP_RECURSION', `Group "${group.name}" is invoked again with the same inputs (cycle: ${path}).`);
    }
    this.stack.push({ group, inputs });
  }

  leaveGroup(): void {
    this.stack.pop();
  }

  uuid(): string {
    return this.options.uuid ? this.options.uuid() : globalThis.crypto.randomUUID();
  }

  now(): Date {
    return this.options.now ? this.options.now() : new Date();
  }
}
