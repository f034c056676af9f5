import { MigrateError } from '../core/index.ts';
import type { ErrorCode, SourceRecord, SourceRef } from '../core/index.ts';

/**
 * A record the source could not turn into a SourceRecord: located, quarantined, and the read goes
 * on. Every record a connector meets ends as exactly one SourceRecord or one SourceRejection.
 */
export interface SourceRejection {
  readonly ref: SourceRef;
  readonly code: ErrorCode;
  /** What is wrong, without record content (PHI): positions, column names, expected formats. */
  readonly message: string;
  /** The column, field or element at fault, when one is (e.g. `BIRTHDATE`, `PID-7`). */
  readonly field?: string;
  /** The record's key, when it could still be read. */
  readonly key?: string;
  readonly patientKey?: string;
}

export type SourceItem<T = unknown> = SourceRecord<T> | SourceRejection;

export function isSourceRejection(item: SourceItem): item is SourceRejection {
  return !('data' in item);
}

export interface ReadOptions {
  /** Only these kinds (tables, message types, document types); all when absent. */
  readonly kinds?: readonly string[];
  /** Only these patients' records (served from an index or a `WHERE patient IN …`). */
  readonly patientKeys?: readonly string[];
  /**
   * Only the records (and rejections) that belong to no patient — organisations, practitioners,
   * rows with an empty patient cell. A source that cannot pick them out reads everything: the
   * caller still keeps only those without a patient key. Ignored with `patientKeys`.
   */
  readonly withoutPatient?: boolean;
  readonly signal?: AbortSignal;
}

/** A department / service-line filter: records of `kind` whose `field` is one of `values`. */
export interface FieldFilter {
  readonly kind: string;
  readonly field: string;
  /** Compared with the source's text of the field (CSV cell, SQL value). */
  readonly values: readonly string[];
}

/** A legacy source: it names what it holds and streams it, record by record. */
export interface LegacySource {
  /** The SourceRef.source of every record it yields. */
  readonly name: string;
  /** The connector type: `csv`, `sqlite`, `postgres`, `mysql`, `hl7v2`, `ccda`. */
  readonly type: SourceType;
  /** Tables / message types / document types. */
  listKinds(): Promise<string[]>;
  /** The patient keys the source holds, sorted. */
  listPatients(): Promise<string[]>;
  /** Streams records and located rejections; memory stays flat whatever the source size. */
  read(options?: ReadOptions): AsyncIterable<SourceItem>;
  /**
   * Tabular sources (CSV, SQL): a kind's columns, empty ones included (records leave empty values
   * out), for inventories and coverage reports. Undefined for an unknown kind.
   */
  listColumns?(kind: string): Promise<string[] | undefined>;
  /**
   * Tabular sources (CSV: one streaming pass of the table; SQL: one `SELECT DISTINCT patient …
   * WHERE field IN (…)`): the patients with at least one record of the kind whose field is one of
   * the values, sorted. An unknown kind or field, or a kind without a patient column, throws
   * FHIRMIG_ERR_SOURCE_FIELD naming what exists.
   */
  patientsWhere?(filter: FieldFilter): Promise<string[]>;
  close(): Promise<void>;
}

export type SourceType = 'csv' | 'sqlite' | 'postgres' | 'mysql' | 'hl7v2' | 'ccda';

/** Throws the signal's reason when the read was cancelled (checked between records). */
export function throwIfAborted(signal: AbortSignal | undefined): void {
  signal?.throwIfAborted();
}

/** Whether a record of this kind/patient passes the read options' filters. */
export function wantsKind(options: ReadOptions | undefined, kind: string): boolean {
  return !options?.kinds || options.kinds.includes(kind);
}

export function unknownKind(kinds: readonly string[], kind: string): MigrateError {
  return new MigrateError('FHIRMIG_ERR_SOURCE_FIELD', `The source has no table '${kind}' (its tables: ${kinds.join(', ')}).`);
}

export function unknownField(columns: readonly string[], kind: string, field: string): MigrateError {
  return new MigrateError('FHIRMIG_ERR_SOURCE_FIELD', `Table '${kind}' has no column '${field}' (its columns: ${columns.join(', ')}).`);
}

export function noPatientColumn(kind: string): MigrateError {
  return new MigrateError('FHIRMIG_ERR_SOURCE_FIELD', `Table '${kind}' has no patient column: it cannot select patients.`);
}

export function patientFilter(options: ReadOptions | undefined): ReadonlySet<string> | undefined {
  return options?.patientKeys ? new Set(options.patientKeys) : undefined;
}
