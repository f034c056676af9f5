import type { ExportFile, ExportRecord } from '../jobs/index.ts';
import type { ExportRequest } from './export-request.ts';
import { fileKind } from './ndjson-files.ts';

/** The complete-status body (Bulk Data IG v2.0.0, "Response - Complete Status"). */
export interface ExportManifest {
  readonly transactionTime: string;
  readonly request: string;
  readonly requiresAccessToken: boolean;
  readonly output: readonly ManifestFile[];
  readonly deleted: readonly ManifestFile[];
  readonly error: readonly ManifestFile[];
}

export interface ManifestFile {
  readonly type: string;
  readonly url: string;
  readonly count: number;
}

/** The path of the status URL under the service base (Content-Location of the kick-off). */
export function statusPath(exportId: string): string {
  return `/fhir/bulk-export/${encodeURIComponent(exportId)}`;
}

export function fileName(file: ExportFile): string {
  return file.path.slice(file.path.lastIndexOf('/') + 1);
}

export function buildManifest(record: ExportRecord, files: readonly ExportFile[], baseUrl: string, requiresAccessToken: boolean): ExportManifest {
  const request = record.request as unknown as ExportRequest;
  const lists: Record<'output' | 'deleted' | 'error', ManifestFile[]> = { output: [], deleted: [], error: [] };
  for (const file of files) {
    const name = fileName(file);
    lists[fileKind(name)].push({ type: file.type, url: `${baseUrl}${statusPath(record.id)}/files/${encodeURIComponent(name)}`, count: file.count });
  }
  return { transactionTime: record.transactionTime, request: request.requestUrl, requiresAccessToken, ...lists };
}

/** `X-Progress` while in progress: percent of the planned resources looked at, and the type in hand. */
export function progressText(record: ExportRecord): string {
  const { resourcesWritten, resourcesPlanned, currentType } = record.progress;
  if (resourcesPlanned === 0) return 'planning';
  const percent = Math.min(99, Math.floor((resourcesWritten / resourcesPlanned) * 100));
  return `${percent}% (${resourcesWritten} of ${resourcesPlanned}${currentType ? `, ${currentType}` : ''})`;
}
