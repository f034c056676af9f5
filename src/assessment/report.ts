import type { ColumnType, Decision } from './types.ts';

/** The pre-migration assessment, as JSON and as the HTML page renders it. */
export interface AssessmentReport {
  readonly generatedAt: string;
  readonly source: string;
  readonly mapSet?: string;
  readonly summary: AssessmentSummary;
  readonly inventory: readonly KindInventory[];
  readonly columns: readonly ColumnReport[];
  readonly rejections: readonly RejectionSummary[];
  readonly duplicates: readonly DuplicateCandidate[];
  readonly orphans: readonly OrphanGroup[];
  readonly unmappedCodes: readonly UnmappedCodeCount[];
  readonly mappingFailures: readonly MappingFailureSummary[];
  readonly decisions: readonly DecisionRow[];
  /** About the decision register (e.g. that the map set has none). */
  readonly decisionsNote?: string;
}

export interface AssessmentSummary {
  readonly records: number;
  readonly rejected: number;
  readonly kinds: number;
  readonly seconds: number;
  readonly recordsPerSecond: number;
  /** Values that do not parse as their column's declared type. */
  readonly invalidValues: number;
  /** Values that do not parse as the type inferred for their (undeclared) column: suspects. */
  readonly inferredTypeOutliers: number;
  readonly codesOutsideCodeSystem: number;
  readonly duplicateCandidates: number;
  readonly orphanRecords: number;
  readonly unmappedCodes: number;
  readonly undecidedFields: number;
  readonly mappingFailures: number;
}

export interface KindInventory {
  readonly kind: string;
  readonly records: number;
  readonly rejected: number;
  readonly columns: readonly string[];
  /** Records carrying a patient key. */
  readonly withPatient: number;
}

export interface ShapeCount {
  readonly pattern: string;
  readonly count: number;
}

export interface ColumnReport {
  readonly kind: string;
  readonly column: string;
  readonly present: number;
  readonly empty: number;
  readonly emptyRate: number;
  readonly distinct: number;
  readonly distinctExact: boolean;
  readonly patterns: readonly ShapeCount[];
  /** Values in shapes past the pattern cap. */
  readonly otherPatterns: number;
  readonly declaredType?: ColumnType;
  /** Without a declared type: the type at least 95 % of the (20 or more) text values have. */
  readonly inferredType?: ColumnType;
  readonly invalid?: InvalidValues;
  readonly codeSystem?: CodeSystemCheck;
}

/** Values that do not parse as the declared type: count, reasons, shapes, where (no content). */
export interface InvalidValues {
  readonly count: number;
  readonly reason: string;
  readonly patterns: readonly ShapeCount[];
  readonly samples: readonly string[];
}

export interface CodeSystemCheck {
  readonly conceptMap: string;
  readonly outside: number;
  readonly codes: readonly { readonly code: string; readonly count: number }[];
}

export interface RejectionSummary {
  readonly kind: string;
  readonly code: string;
  readonly field?: string;
  readonly count: number;
  readonly samples: readonly string[];
}

export interface PatientEvidence {
  readonly key: string;
  readonly locator: string;
  readonly name: string;
  readonly birthDate?: string;
  readonly sex?: string;
}

export interface DuplicateCandidate {
  readonly patients: readonly [PatientEvidence, PatientEvidence];
  readonly reasons: readonly string[];
  /** Jaro-Winkler similarity of the normalised full names. */
  readonly nameSimilarity: number;
  readonly sharedIdentifiers: readonly { readonly column: string; readonly value: string }[];
}

export interface OrphanGroup {
  readonly kind: string;
  readonly patientKey: string;
  readonly records: number;
  readonly samples: readonly string[];
}

export interface UnmappedCodeCount {
  readonly kind: string;
  readonly field: string;
  readonly conceptMap: string;
  readonly code: string;
  readonly count: number;
}

export interface MappingFailureSummary {
  readonly kind: string;
  readonly count: number;
  readonly messages: readonly string[];
  readonly samples: readonly string[];
}

export interface DecisionRow {
  readonly kind: string;
  readonly column: string;
  readonly seen: boolean;
  readonly decision: Decision | 'undecided';
  readonly target?: string;
  readonly note?: string;
}
