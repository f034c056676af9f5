import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { isMigrateError } from '../core/index.ts';
import type { JobState, JobStore } from '../jobs/index.ts';
import { FhirClient } from '../target/index.ts';

/** Aggregates for /metrics, read from the store. */
export interface MigrationStats {
  readonly jobsByState: Readonly<Record<string, number>>;
  readonly records: { readonly read: number; readonly loaded: number; readonly rejected: number; readonly skipped: number };
  readonly resourcesWritten: number;
  /** Rejected records per error code, over every job's ledger. */
  readonly rejectedByCode: Readonly<Record<string, number>>;
}

export interface MigrationReadiness {
  readonly name: string;
  readonly ok: boolean;
  readonly detail: string;
}

const PAGE = 500;

/** Sums every job of the store: jobs by state, record outcomes, resources written, rejections by code. */
export async function collectStats(store: JobStore, rejections: (jobId: string, state: JobState) => Promise<Readonly<Record<string, number>>>): Promise<MigrationStats> {
  const jobsByState: Record<string, number> = {};
  const records = { read: 0, loaded: 0, rejected: 0, skipped: 0 };
  const rejectedByCode: Record<string, number> = {};
  let resourcesWritten = 0;
  for (let offset = 0; ; offset += PAGE) {
    const page = await store.listJobs({ limit: PAGE, offset });
    for (const { id, state, progress: p } of page) {
      jobsByState[state] = (jobsByState[state] ?? 0) + 1;
      records.read += p.recordsRead;
      records.loaded += p.recordsLoaded;
      records.rejected += p.recordsRejected;
      records.skipped += p.recordsSkipped;
      resourcesWritten += p.resourcesWritten;
      if (p.recordsRejected === 0) continue;
      for (const [code, n] of Object.entries(await rejections(id, state))) rejectedByCode[code] = (rejectedByCode[code] ?? 0) + n;
    }
    if (page.length < PAGE) break;
  }
  return { jobsByState, records, resourcesWritten, rejectedByCode };
}

/** A file: target's folder (or its parent) exists; an http(s) target answers GET metadata with 200. */
export async function checkTarget(spec: string, cwd: string): Promise<MigrationReadiness> {
  if (spec.startsWith('file:')) {
    const dir = resolve(cwd, spec.slice('file:'.length));
    const ok = existsSync(dir) || existsSync(dirname(dir));
    return { name: 'target', ok, detail: ok ? 'file target folder is there' : 'file target folder and its parent are missing' };
  }
  const client = new FhirClient({ baseUrl: spec, retry: { maxAttempts: 1 }, timeouts: { connectMs: 2_000, headersMs: 5_000, bodyMs: 5_000 } });
  try {
    const response = await client.request({ method: 'GET', path: 'metadata' });
    return { name: 'target', ok: response.status === 200, detail: `target answered GET metadata with ${response.status}` };
  } catch (error) {
    return { name: 'target', ok: false, detail: `target unreachable (${isMigrateError(error) ? error.code : 'connection failed'})` };
  } finally {
    await client.close();
  }
}
