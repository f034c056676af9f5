import type { Value } from './values.ts';

/**
 * Variables in scope for a rule: source (input) and target (output) variables are separate
 * namespaces, as in HAPI's `Variables`. A copy is a cheap child scope: it sees its parent's
 * variables and keeps its own additions (a rule's iterations each work on their own copy).
 */
interface Binding {
  readonly name: string;
  readonly input: boolean;
  readonly value: Value;
}

export class Variables {
  private readonly parent: Variables | undefined;
  /** Own bindings, latest last (a later binding of a name shadows an earlier one). */
  private own: Binding[] | undefined;
  private sharedTargets: Map<string, Value> | undefined;

  constructor(parent?: Variables) {
    this.parent = parent;
  }

  /** Targets created with list mode `share`, keyed by listRuleId; shared by the rules of one scope. */
  get shared(): Map<string, Value> {
    return (this.sharedTargets ??= new Map());
  }

  copy(): Variables {
    return new Variables(this);
  }

  setInput(name: string, value: Value): void {
    (this.own ??= []).push({ name, input: true, value });
  }

  setOutput(name: string, value: Value): void {
    (this.own ??= []).push({ name, input: false, value });
  }

  private find(name: string, input: boolean): Value | undefined {
    for (let scope: Variables | undefined = this; scope; scope = scope.parent) {
      const own = scope.own;
      if (!own) continue;
      for (let i = own.length - 1; i >= 0; i--) {
        const b = own[i] as Binding;
        if (b.input === input && b.name === name) return b.value;
      }
    }
    return undefined;
  }

  getInput(name: string): Value | undefined {
    return this.find(name, true);
  }

  getOutput(name: string): Value | undefined {
    return this.find(name, false);
  }

  /** A parameter variable: inputs first, then outputs (HAPI `getParam`). */
  get(name: string): Value | undefined {
    return this.find(name, true) ?? this.find(name, false);
  }

  has(name: string): boolean {
    return this.get(name) !== undefined;
  }

  /** All variables as plain values for FHIRPath `%name`; inner scopes and inputs win. */
  toEnvironment(): Record<string, unknown> {
    const env: Record<string, unknown> = {};
    const chain: Variables[] = [];
    for (let scope: Variables | undefined = this; scope; scope = scope.parent) chain.push(scope);
    for (const input of [false, true]) {
      for (let i = chain.length - 1; i >= 0; i--) {
        for (const b of chain[i]?.own ?? []) if (b.input === input) env[b.name] = b.value.v;
      }
    }
    return env;
  }

  summary(): string {
    const ins = new Set<string>();
    const outs = new Set<string>();
    for (let scope: Variables | undefined = this; scope; scope = scope.parent) {
      for (const b of scope.own ?? []) (b.input ? ins : outs).add(b.name);
    }
    return `source: [${[...ins].join(', ')}], target: [${[...outs].join(', ')}]`;
  }
}
