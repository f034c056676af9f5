import { MigrateError } from '../core/index.ts';
import type { Job, JobStore } from '../jobs/index.ts';
import { patientCompartmentTypes } from './compartment.ts';
import type { ExportRequest } from './export-request.ts';

/** What an export reads: per target, per type, the ids live migrations wrote (with their id-map seq, i.e. write order). */
export interface ExportSources {
  readonly byTarget: Map<string, Map<string, Map<string, number>>>;
  /** Provenance ids per target, for `includeAssociatedData=LatestProvenanceResources` when Provenance itself is not exported. */
  readonly provenance: Map<string, Map<string, number>>;
  /** Type → ids a rollback deleted after `_since` (system level only; see manifest `deleted`). */
  readonly deleted: Map<string, Set<string>>;
  /** Patient and Group level: the patients whose compartments are exported; undefined: every patient. */
  readonly patients: ReadonlySet<string> | undefined;
  readonly planned: number;
  /** The live jobs read (each gets an `export` step in the audit log). */
  readonly jobIds: readonly string[];
}

const PAGE = 1_000;

async function allJobs(store: JobStore): Promise<Job[]> {
  const jobs: Job[] = [];
  for (let offset = 0; ; offset += PAGE) {
    const page = await store.listJobs({ limit: PAGE, offset });
    jobs.push(...page);
    if (page.length < PAGE) return jobs;
  }
}

/** A job whose writes are on its target: not a dry run, not (being) rolled back. */
export function isLiveJob(job: Job): boolean {
  return !job.spec.options.dryRun && job.state !== 'rolled-back' && job.state !== 'rolling-back';
}

/** The Group of a migration (Group id = job id): the Patient ids its live job wrote. */
export async function groupPatients(store: JobStore, groupId: string): Promise<{ job: Job; patients: string[] }> {
  const job = await store.getJob(groupId).catch((error: unknown) => {
    if ((error as MigrateError).code === 'FHIRMIG_ERR_JOB_NOT_FOUND') throw groupNotFound(groupId);
    throw error;
  });
  if (!isLiveJob(job)) throw groupNotFound(groupId);
  const patients = (await store.listIds(job.id, { status: 'written' })).filter((e) => e.resourceType === 'Patient').map((e) => e.targetId);
  return { job, patients };
}

function groupNotFound(groupId: string): MigrateError {
  return new MigrateError('FHIRMIG_ERR_BULK_GROUP_NOT_FOUND', `No Group '${groupId}': no live migration job has that id.`);
}

function typeScope(request: ExportRequest): (type: string) => boolean {
  if (request.types) {
    const types = new Set(request.types);
    return (type) => types.has(type);
  }
  if (request.level === 'system') return () => true;
  const compartment = patientCompartmentTypes();
  return (type) => compartment.has(type);
}

async function exportPatients(store: JobStore, request: ExportRequest): Promise<ReadonlySet<string> | undefined> {
  if (request.level === 'system') return undefined;
  if (request.level === 'patient') return request.patients ? new Set(request.patients) : undefined;
  const { patients } = await groupPatients(store, request.groupId ?? '');
  const members = new Set(patients);
  return request.patients ? new Set(request.patients.filter((p) => members.has(p))) : members;
}

/** The map under `key`, created when missing. */
function child<V>(map: Map<string, V>, key: string, create: () => V): V {
  let value = map.get(key);
  if (value === undefined) map.set(key, (value = create()));
  return value;
}

/** Keeps the latest write (highest seq) of an id written by several jobs. */
function addId(ids: Map<string, number>, id: string, seq: number): void {
  ids.set(id, Math.max(seq, ids.get(id) ?? 0));
}

/** Reads the id maps of every live job (and, with `_since`, the rollbacks since then). */
export async function collectSources(store: JobStore, request: ExportRequest): Promise<ExportSources> {
  const inScope = typeScope(request);
  const wantProvenance = request.includeLatestProvenance && !inScope('Provenance');
  const sources: ExportSources = { byTarget: new Map(), provenance: new Map(), deleted: new Map(), patients: await exportPatients(store, request), planned: 0, jobIds: [] };
  const jobIds: string[] = [];
  const since = request.since === undefined ? undefined : Date.parse(request.since);
  for (const job of await allJobs(store)) {
    if (job.spec.options.dryRun) continue;
    if (isLiveJob(job)) {
      jobIds.push(job.id);
      const byType = child(sources.byTarget, job.spec.target, () => new Map<string, Map<string, number>>());
      for (const entry of await store.listIds(job.id, { status: 'written' })) {
        if (inScope(entry.resourceType)) addId(child(byType, entry.resourceType, () => new Map()), entry.targetId, entry.seq);
        else if (wantProvenance && entry.resourceType === 'Provenance') addId(child(sources.provenance, job.spec.target, () => new Map()), entry.targetId, entry.seq);
      }
    }
    if (since !== undefined && request.level === 'system' && Date.parse(job.updatedAt) > since) {
      for (const entry of await store.listIds(job.id, { status: 'deleted' })) {
        if (inScope(entry.resourceType)) child(sources.deleted, entry.resourceType, () => new Set<string>()).add(entry.targetId);
      }
    }
  }
  let planned = 0;
  for (const byType of sources.byTarget.values()) for (const ids of byType.values()) planned += ids.size;
  return { ...sources, planned, jobIds };
}
