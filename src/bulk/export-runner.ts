import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { MigrateError } from '../core/index.ts';
import { recordJobStep } from '../jobs/index.ts';
import type { ExportRecord, JobStore } from '../jobs/index.ts';
import type { Target } from '../target/index.ts';
import { compartmentPatients } from './compartment.ts';
import { createElementFilter } from './elements.ts';
import type { ExportRequest } from './export-request.ts';
import { collectSources } from './export-sources.ts';
import type { ExportSources } from './export-sources.ts';
import { NdjsonFiles } from './ndjson-files.ts';
import { compileTypeFilters } from './type-filter.ts';

export interface ExportRunContext {
  readonly store: JobStore;
  readonly openTarget: (spec: string) => Target;
  /** `dataDir/exports`; this export writes under `{exportsDir}/{id}/`. */
  readonly exportsDir: string;
  readonly maxFileResources: number;
  /** This service as a Device: the agent of the `export` AuditEvents. */
  readonly device: fhir4.Device;
  /** Aborted on cancel (DELETE) and on service shutdown; checked between batches. */
  readonly signal: AbortSignal;
}

/** Ids read from the target per request to it (readMany splits further for http). */
const READ_BATCH = 1_000;

type Keep = (resource: fhir4.Resource) => boolean;

/** The per-resource checks of the request: `_since`, `_typeFilter`, the Patient compartment. */
function resourceFilter(request: ExportRequest, patients: ReadonlySet<string> | undefined): Keep {
  const since = request.since === undefined ? undefined : Date.parse(request.since);
  const typeFilters = compileTypeFilters(request.typeFilters);
  const compartment = request.level !== 'system';
  return (resource) => {
    if (since !== undefined && !(Date.parse(resource.meta?.lastUpdated ?? '') > since)) return false;
    const typeFilter = typeFilters.get(resource.resourceType);
    if (typeFilter && !typeFilter(resource)) return false;
    if (!compartment) return true;
    const members = compartmentPatients(resource);
    if (!patients) return members.size > 0;
    for (const id of members) if (patients.has(id)) return true;
    return false;
  };
}

function warning(code: fhir4.OperationOutcomeIssue['code'], diagnostics: string): fhir4.OperationOutcome {
  return { resourceType: 'OperationOutcome', issue: [{ severity: 'warning', code, diagnostics }] };
}

/** Type order: alphabetical, Provenance last (it points at the others). */
function orderedTypes(byType: ReadonlyMap<string, unknown>): string[] {
  return [...byType.keys()].sort((a, b) => Number(a === 'Provenance') - Number(b === 'Provenance') || a.localeCompare(b));
}

/**
 * Runs one export to its files (Bulk Data IG v2.0.0): reads back from each job's target what live
 * migrations wrote, filters, writes NDJSON per type, then registers the files and completes the
 * export in the store. Cancellation (abort) stops between batches; the caller decides what an
 * aborted run leaves (deleted on cancel, in-progress for a restart).
 */
export async function runExport(context: ExportRunContext, record: ExportRecord): Promise<void> {
  const request = record.request as unknown as ExportRequest;
  const dir = join(context.exportsDir, record.id);
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  const sources = await collectSources(context.store, request);
  const files = new NdjsonFiles(dir, context.maxFileResources);
  const run = new ExportRun(context, record.id, request, sources, files);
  for (const ignored of request.ignored) await files.write('error', 'OperationOutcome', warning('not-supported', `Parameter ${ignored.parameter} was ignored: ${ignored.reason}.`));
  await run.exportAll();
  const written = await files.close();
  context.signal.throwIfAborted();
  for (const file of written) await context.store.registerExportFile({ exportId: record.id, type: file.type, path: `${record.id}/${file.name}`, count: file.count });
  await context.store.updateExport(record.id, { state: 'completed', progress: { resourcesWritten: run.done, resourcesPlanned: sources.planned, currentType: undefined } });
  const details = { exportId: record.id, level: request.level, resources: run.exported.size, files: written.length };
  for (const jobId of sources.jobIds) await recordJobStep({ store: context.store, jobId, step: 'export', device: context.device, description: `Bulk Data export ${record.id}`, details });
}

class ExportRun {
  readonly exported = new Set<string>();
  done = 0;
  readonly #keep: Keep;
  readonly #subset: ((resource: fhir4.Resource) => fhir4.Resource) | undefined;

  readonly context: ExportRunContext;
  readonly exportId: string;
  readonly request: ExportRequest;
  readonly sources: ExportSources;
  readonly files: NdjsonFiles;

  constructor(context: ExportRunContext, exportId: string, request: ExportRequest, sources: ExportSources, files: NdjsonFiles) {
    this.context = context;
    this.exportId = exportId;
    this.request = request;
    this.sources = sources;
    this.files = files;
    this.#keep = resourceFilter(request, sources.patients);
    this.#subset = request.elements ? createElementFilter(request.elements) : undefined;
  }

  async exportAll(): Promise<void> {
    for (const [spec, byType] of this.sources.byTarget) {
      const target = this.context.openTarget(spec);
      try {
        for (const type of orderedTypes(byType)) await this.#exportType(target, type, byType.get(type) ?? new Map());
      } finally {
        await target.close();
      }
    }
    if (this.request.includeLatestProvenance) await this.#exportLatestProvenance();
    await this.#writeDeleted();
  }

  async #exportType(target: Target, type: string, ids: ReadonlyMap<string, number>): Promise<void> {
    const all = [...ids.keys()];
    for (let i = 0; i < all.length; i += READ_BATCH) {
      this.context.signal.throwIfAborted();
      const batch = all.slice(i, i + READ_BATCH);
      const found = await target.readMany(type, batch);
      const seen = new Set<string>();
      for (const resource of found) {
        seen.add(resource.id ?? '');
        const key = `${type}/${resource.id}`;
        if (this.exported.has(key) || !this.#keep(resource)) continue;
        this.exported.add(key);
        await this.files.write('output', type, this.#subset ? this.#subset(resource) : resource);
      }
      for (const id of batch) if (!seen.has(id)) await this.files.write('error', 'OperationOutcome', warning('not-found', `${type}/${id} is in a live migration's id map but not on its target.`));
      this.done += batch.length;
      await this.context.store.updateExport(this.exportId, { progress: { resourcesWritten: this.done, resourcesPlanned: this.sources.planned, currentType: type } });
    }
    await this.files.finishType(type);
  }

  /** `includeAssociatedData=LatestProvenanceResources`: per exported resource, the newest Provenance (by write order) that targets it. */
  async #exportLatestProvenance(): Promise<void> {
    for (const [spec, ids] of this.sources.provenance) {
      const target = this.context.openTarget(spec);
      try {
        const latest = new Map<string, { seq: number; provenance: fhir4.Provenance }>();
        for (const provenance of (await target.readMany('Provenance', [...ids.keys()])) as fhir4.Provenance[]) {
          const seq = ids.get(provenance.id ?? '') ?? 0;
          for (const ref of provenance.target.map((t) => t.reference ?? '')) {
            if (!this.exported.has(ref)) continue;
            const current = latest.get(ref);
            if (!current || current.seq < seq) latest.set(ref, { seq, provenance });
          }
        }
        for (const { provenance } of new Map([...latest.values()].map((l) => [l.provenance.id, l])).values()) {
          if (this.exported.has(`Provenance/${provenance.id}`)) continue;
          this.exported.add(`Provenance/${provenance.id}`);
          await this.files.write('output', 'Provenance', provenance);
        }
      } finally {
        await target.close();
      }
    }
  }

  /** Manifest `deleted`: one transaction Bundle with a DELETE entry per resource a rollback removed since `_since` (not written again since). */
  async #writeDeleted(): Promise<void> {
    for (const [type, ids] of this.sources.deleted) {
      for (const id of ids) {
        if (this.exported.has(`${type}/${id}`) || this.#stillLive(type, id)) continue;
        const bundle: fhir4.Bundle = { resourceType: 'Bundle', type: 'transaction', entry: [{ request: { method: 'DELETE', url: `${type}/${id}` } }] };
        await this.files.write('deleted', 'Bundle', bundle);
      }
    }
  }

  #stillLive(type: string, id: string): boolean {
    for (const byType of this.sources.byTarget.values()) if (byType.get(type)?.has(id)) return true;
    return false;
  }
}

export function exportAborted(error: unknown): boolean {
  return (error as { name?: unknown }).name === 'AbortError' || (error instanceof MigrateError && error.code === 'FHIRMIG_ERR_BULK_NOT_FOUND');
}
