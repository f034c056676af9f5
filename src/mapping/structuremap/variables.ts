import type { Value } from './values.ts';

/**
 * Variables in scope for a rule: source (input) and target (output) variables are separate
 * namespaces, as in HAPI's `Variables`. A copy is a cheap child scope: it sees the variables
 * its parent had when copied (HAPI's copy is a snapshot too) and keeps its own additions (a
 * rule's iterations each work on their own copy).
 *
 * The bindings form one chain, latest first; a scope holds the head of its chain, and a copy
 * starts from its parent's head. A copy is one object and a binding another: no per-scope array
 * (mapping makes a copy per source value of every rule).
 */
interface Binding {
  readonly name: string;
  readonly input: boolean;
  readonly value: Value;
  readonly next: Binding | undefined;
}

export class Variables {
  private head: Binding | undefined;
  private sharedTargets: Map<string, Value> | undefined;

  constructor(parent?: Variables) {
    this.head = parent?.head;
  }

  /** Targets created with list mode `share`, keyed by listRuleId; shared by the rules of one scope. */
  get shared(): Map<string, Value> {
    return (this.sharedTargets ??= new Map());
  }

  copy(): Variables {
    return new Variables(this);
  }

  setInput(name: string, value: Value): void {
    this.head = { name, input: true, value, next: this.head };
  }

  setOutput(name: string, value: Value): void {
    this.head = { name, input: false, value, next: this.head };
  }

  private find(name: string, input: boolean): Value | undefined {
    for (let b = this.head; b; b = b.next) if (b.input === input && b.name === name) return b.value;
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
    for (const input of [true, false]) {
      for (let b = this.head; b; b = b.next) if (b.input === input && !Object.hasOwn(env, b.name)) env[b.name] = b.value.v;
    }
    return env;
  }

  summary(): string {
    const ins = new Set<string>();
    const outs = new Set<string>();
    for (let b = this.head; b; b = b.next) (b.input ? ins : outs).add(b.name);
    return `source: [${[...ins].reverse().join(', ')}], target: [${[...outs].reverse().join(', ')}]`;
  }
}
