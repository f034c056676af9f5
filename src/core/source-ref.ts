/**
 * Where a record came from, without its content (DESIGN.md §2): every error, ledger row and
 * Provenance entity carries one. Locators never hold PHI: row numbers, keys, message control ids.
 */
export interface SourceRef {
  /** The configured source's name, e.g. `synthea-csv`, `legacy-emr`. */
  readonly source: string;
  /** The record kind: table name, HL7 message type, C-CDA document type, e.g. `patients`, `ORU^R01`. */
  readonly kind: string;
  /** The position inside the source, e.g. `patients.csv:12`, `lab_results#4711`, `MSG00001/OBX[3]`. */
  readonly locator: string;
}

/** One record read from a source, with its lineage. `data` is the raw record (PHI: never logged). */
export interface SourceRecord<T = unknown> {
  readonly ref: SourceRef;
  /** The record's stable key within its kind (primary key, row id, MSH-10 + segment …). */
  readonly key: string;
  /** The source's patient key this record belongs to, when it belongs to one. */
  readonly patientKey?: string;
  readonly data: T;
}

export const SOURCE_REF_SYSTEM = 'https://fhir-migrate.dev/source-ref';

/** `source/kind/locator` — the one textual form, used in logs, ledger rows and identifiers. */
export function formatSourceRef(ref: SourceRef): string {
  return `${ref.source}/${ref.kind}/${ref.locator}`;
}

/** The SourceRef as a FHIR Identifier (Provenance.entity.what, resource lineage). */
export function sourceRefToIdentifier(ref: SourceRef): fhir4.Identifier {
  return { system: SOURCE_REF_SYSTEM, value: formatSourceRef(ref) };
}
