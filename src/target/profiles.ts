import { MigrateError } from '../core/index.ts';

/**
 * How a target accepts writes (DESIGN.md §5). `put`: client-assigned ids, `PUT Type/id`.
 * `conditional-create`: the server assigns ids; `POST` with `ifNoneExist` on the source identifier.
 */
export type WriteStrategy = 'put' | 'conditional-create';

/** What one transaction may hold on a target. `Infinity` means no limit. */
export interface TransactionLimits {
  /** Entries per transaction. */
  readonly maxEntries: number;
  /** PUT (update) entries per transaction. */
  readonly maxPuts: number;
  /** Conditional entries (ifNoneExist, conditional PUT/DELETE) per transaction. */
  readonly maxConditional: number;
  /** Entries per transaction once it holds any conditional entry (strict isolation). */
  readonly maxEntriesWithConditional: number;
}

export interface TargetProfile {
  readonly name: string;
  readonly strategy: WriteStrategy;
  readonly limits: TransactionLimits;
}

export const DEFAULT_LIMITS: TransactionLimits = {
  maxEntries: 500,
  maxPuts: Infinity,
  maxConditional: Infinity,
  maxEntriesWithConditional: Infinity,
};

/**
 * Medplum's FhirRouter refuses a transaction with more than 50 updates, and one with any
 * conditional entry once it has more than 8 entries ("requires strict isolation but has too many
 * entries"); Medplum's server uses the same router.
 */
export const MEDPLUM_LIMITS: TransactionLimits = {
  maxEntries: 500,
  maxPuts: 50,
  maxConditional: 8,
  maxEntriesWithConditional: 8,
};

export const TARGET_PROFILES = {
  put: { name: 'put', strategy: 'put', limits: DEFAULT_LIMITS },
  'conditional-create': { name: 'conditional-create', strategy: 'conditional-create', limits: DEFAULT_LIMITS },
  medplum: { name: 'medplum', strategy: 'put', limits: MEDPLUM_LIMITS },
  'medplum-conditional': { name: 'medplum-conditional', strategy: 'conditional-create', limits: MEDPLUM_LIMITS },
} as const satisfies Record<string, TargetProfile>;

export type TargetProfileName = keyof typeof TARGET_PROFILES;

export interface TargetProfileOptions {
  readonly base?: TargetProfileName;
  readonly strategy?: WriteStrategy;
  readonly limits?: Partial<TransactionLimits>;
}

/** A named profile, optionally with its strategy or some limits overridden. */
export function resolveTargetProfile(options: TargetProfileName | TargetProfileOptions = 'put'): TargetProfile {
  const spec: TargetProfileOptions = typeof options === 'string' ? { base: options } : options;
  const baseName = spec.base ?? 'put';
  const base: TargetProfile | undefined = (TARGET_PROFILES as Record<string, TargetProfile>)[baseName];
  if (!base) {
    throw new MigrateError('FHIRMIG_ERR_CONFIG_INVALID', `Unknown target profile "${baseName}" (known: ${Object.keys(TARGET_PROFILES).join(', ')})`);
  }
  const limits = { ...base.limits, ...spec.limits };
  for (const [key, value] of Object.entries(limits)) {
    if (!(value >= 1)) throw new MigrateError('FHIRMIG_ERR_CONFIG_INVALID', `Target limit ${key} must be at least 1, got ${value}`);
  }
  return { name: base.name, strategy: spec.strategy ?? base.strategy, limits };
}
