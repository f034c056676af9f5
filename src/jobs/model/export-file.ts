/** One NDJSON file of a Bulk Data `$export` (or a `file:DIR` target), for its manifest. */
export interface ExportFileInput {
  readonly exportId: string;
  readonly jobId?: string;
  /** Resource type held by the file (`Patient`, `Provenance`, …). */
  readonly type: string;
  readonly path: string;
  readonly count: number;
}

export interface ExportFile {
  readonly id: number;
  readonly exportId: string;
  readonly jobId: string | undefined;
  readonly type: string;
  readonly path: string;
  readonly count: number;
  readonly createdAt: number;
}
