import type { ErrorCode, SourceRecord, SourceRef } from '../core/index.ts';

/** Declared column types, as source descriptors name them. */
export type ColumnType = 'string' | 'integer' | 'decimal' | 'boolean' | 'date' | 'dateTime';

/** A record the source could not read (the connectors' SourceRejection, by shape). */
export interface AssessmentRejection {
  readonly ref: SourceRef;
  readonly code: ErrorCode;
  readonly message: string;
  readonly field?: string;
}

export type AssessmentItem = SourceRecord | AssessmentRejection;

export type Decision = 'migrate' | 'transform' | 'archive' | 'drop-with-reason';

export interface ColumnDecision {
  readonly decision: Decision;
  readonly target?: string;
  readonly how?: string;
  readonly reason?: string;
}

export interface TableDecisions {
  readonly map?: string | null;
  readonly resourceType?: string | null;
  readonly key?: string | null;
  readonly rows?: Decision;
  readonly rowsReason?: string;
  readonly columns: Readonly<Record<string, ColumnDecision>>;
}

/** A map set's `decisions.json`. */
export interface DecisionRegister {
  readonly mapSet?: string;
  readonly tables: Readonly<Record<string, TableDecisions>>;
}

/** Which columns of the patient kind hold the demographics compared for duplicates. */
export interface PatientFields {
  readonly kind: string;
  readonly given: readonly string[];
  readonly family: readonly string[];
  readonly birthDate?: string;
  readonly sex?: string;
  readonly identifiers: readonly string[];
}

/** A code translate() found in no ConceptMap, as the engine's onUnmappedCode reports it. */
export interface UnmappedCodeEvent {
  readonly conceptMap: string;
  readonly code?: string;
  readonly rule: string;
}

/** What mapping one record gave: the unmapped codes met, and the error if the map failed. */
export interface MappingProbe {
  readonly unmapped: readonly UnmappedCodeEvent[];
  readonly error?: string;
}

/** A column whose values a ConceptMap translates: the codes it knows. */
export interface CodeSet {
  readonly conceptMap: string;
  readonly codes: ReadonlySet<string>;
}

export type PerKind<T> = Readonly<Record<string, Readonly<Record<string, T>>>>;

export interface AssessmentOptions {
  /** The source's name, as the report shows it. */
  readonly source: string;
  /** Declared types per kind and column: values that do not parse are counted. */
  readonly columnTypes?: PerKind<ColumnType>;
  /** Every column of a kind (empty ones included), when the source can list them. */
  readonly columns?: Readonly<Record<string, readonly string[]>>;
  /** Columns a ConceptMap translates, with the codes it knows. */
  readonly codeSets?: PerKind<CodeSet>;
  readonly decisions?: DecisionRegister;
  /** Said next to the decision register (e.g. that the map set has none). */
  readonly decisionsNote?: string;
  /** Demographic columns; derived from the decisions' Patient table when absent. */
  readonly patients?: PatientFields;
  /** Maps one record and reports what translate() could not (the CLI runs the map set). */
  readonly probeMapping?: (record: SourceRecord) => MappingProbe | undefined;
  /** Exact distinct counting up to this many values per column (default 10 000). */
  readonly distinctCap?: number;
  /** Jaro-Winkler similarity from which two names count as the same (default 0.9). */
  readonly nameThreshold?: number;
  readonly now?: () => Date;
}
