import type { ExecutionContext } from '../context.ts';
import type { RuleSite } from '../location.ts';
import type { Value } from '../values.ts';
import type { Variables } from '../variables.ts';

/** Everything a transform sees: its parameters, the variables, the target element it feeds. */
export interface TransformCall {
  readonly ctx: ExecutionContext;
  readonly site: RuleSite;
  readonly name: string;
  readonly params: readonly fhir4.StructureMapGroupRuleTargetParameter[];
  readonly vars: Variables;
  /** The target object the result is set on, when the target has a context. */
  readonly dest: Value | undefined;
  readonly element: string | undefined;
  /** The rule's single source variable, when it has exactly one source. */
  readonly srcVar: string | undefined;
}

export type Transform = (call: TransformCall) => Value | undefined;
