import type { ConformanceContext } from './context.ts';
import type { InvariantScope } from './invariants.ts';
import type { IssueCollector } from './issues.ts';

export type UnknownExtensionPolicy = 'error' | 'warning' | 'information' | 'ignore';

export interface ValidateOptions {
  /** Profiles (canonical URLs) to validate against in addition to those the resource claims. */
  readonly profiles?: readonly string[];
  /** What an extension whose definition is not loaded gives. Default `warning`. */
  readonly unknownExtensions?: UnknownExtensionPolicy;
  /** Note absent must-support elements of profiles as `information` issues. Default false (as the HL7 validator). */
  readonly reportMustSupport?: boolean;
}

/** Resources of the enclosing Bundle, by fullUrl and by `Type/id`. */
export interface BundleIndex {
  readonly type: string | undefined;
  readonly byUrl: Map<string, Record<string, unknown>>;
}

/** Per validation run: reference target → profile url → conforms, and the targets being checked (cycle guard). */
export interface TargetState {
  readonly results: WeakMap<object, Map<string, boolean>>;
  readonly inProgress: WeakSet<object>;
}

/** The state a validation walk carries down the tree. */
export interface Walk {
  readonly context: ConformanceContext;
  readonly issues: IssueCollector;
  readonly unknownExtensions: UnknownExtensionPolicy;
  readonly reportMustSupport: boolean;
  readonly scope: InvariantScope;
  readonly bundle: BundleIndex | undefined;
  /** The expression of the resource being validated (`Bundle.entry[2].resource`). */
  readonly resourceExpression: string;
  /** Inside a contained resource (dom-6 narrative is not expected there). */
  readonly contained: boolean;
  /** Reference targets checked against targetProfiles in this run (cache and cycle guard). */
  readonly targets: TargetState;
}

/** One value of an element in the JSON: the value, its `_element` companion, its type and location. */
export interface Item {
  readonly value: unknown;
  readonly ext: unknown;
  readonly typeCode: string;
  readonly expression: string;
  /** Definition path of the element holding it (`HumanName` for a given name), for extension contexts. */
  readonly hostPath: string;
  /** The url of the object holding it when that has one (an Extension): the `extension` context of use. */
  readonly hostUrl?: string | undefined;
  /** The JSON object it came from (whose `extension` holds it, for an extension). */
  readonly host?: Record<string, unknown>;
}
