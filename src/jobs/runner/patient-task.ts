import { uuidV5 } from '../../core/index.ts';
import type { SourceRecord } from '../../core/index.ts';
import { buildProvenance, jobTag } from '../../provenance/index.ts';
import { isSourceRejection } from '../../sources/index.ts';
import type { SourceRejection } from '../../sources/index.ts';
import { buildPatientBundle, createWriteSession } from '../../target/index.ts';
import type { BundleResourceInput, PlannedBundle, PlannedEntry, WriteResult } from '../../target/index.ts';
import type { IdMapEntryInput } from '../model/id-map.ts';
import type { Job } from '../model/job.ts';
import type { LedgerEntryInput, PreviousLoad, RecordLookup } from '../model/ledger.ts';
import type { Task } from '../model/task.ts';
import { ALL_PHASE, phaseKinds, recordType, splitForTask, tableType } from '../phases/split.ts';
import type { EarlierResource, PhaseSplit } from '../phases/split.ts';
import { UNCHANGED_RULE, contentHash, isErrorIssue, loadedEntry, rejectedEntry, skippedEntry, sourceRejectionEntry, targetIssues } from './record-outcomes.ts';
import { processorOf } from './record-processor.ts';
import { indexIdentifiers, logicalReferenceKeys, resolveLogicalReferences } from './references.ts';
import type { IdentifierIndex } from './references.ts';
import type { KeepLease, MappedRecord, MigrationEnv } from './types.ts';
import { noLease } from './types.ts';

/** The task of the records that belong to no patient (organisations, practitioners, payers). */
export const SHARED_TASK_KEY = '(shared)';
export const PROVENANCE_KIND = '(provenance)';

export interface TaskTotals {
  readonly read: number;
  readonly loaded: number;
  readonly rejected: number;
  readonly skipped: number;
  readonly resourcesWritten: number;
}

/** A record that passed the gate: its resources (one per table row, several per message) go to the target. */
interface Accepted {
  readonly record: SourceRecord;
  readonly hash: string;
  readonly resources: readonly fhir4.Resource[];
}

/**
 * One patient in one phase, end to end: read its records, map, keep the phase's own (the rest
 * belongs to other phases' tasks), skip what is unchanged since a live load, validate, resolve
 * references (to earlier phases' resources too), build the transaction (a Provenance per chunk),
 * write it (not in a dry run), then record every record's outcome and every written id with the
 * phase. A target that stays down throws FHIRMIG_ERR_TARGET_UNAVAILABLE before anything is
 * recorded: the task runs again. `keepLease` (the runner's) is awaited between records and around
 * the write: it renews the task's lease when due, and throws when the task is no longer ours.
 */
export async function runPatientTask(env: MigrationEnv, job: Job, task: Task, signal?: AbortSignal, keepLease: KeepLease = noLease): Promise<TaskTotals> {
  const shared = task.patientKey === SHARED_TASK_KEY;
  const read = await readRecords(env, shared, task, keepLease, signal, await phaseKinds(env, job, task, shared));
  // The shared task (organisations, practitioners: referenced by every phase) runs whole, first.
  const readKinds = async (kinds: readonly string[]): Promise<SourceRecord[]> => (await readRecords(env, shared, task, keepLease, signal, kinds)).records;
  const split = await splitForTask(env, job, task, shared, read.rejections, read.records, keepLease, readKinds);
  const ledger: LedgerEntryInput[] = split.rejections.map(sourceRejectionEntry);
  const index: IdentifierIndex = new Map();
  const hasPatientRecord = split.earlier.some((e) => e.resourceType === 'Patient') || split.current.some((m) => recordType(env.mapSet, m) === 'Patient')
    || [...read.records, ...read.rejections].some((r) => tableType(env.mapSet, r.ref.kind) === 'Patient');
  const accepted = await gate(env, job, shared ? undefined : task.patientKey, split, hasPatientRecord, ledger, index, keepLease);
  const resources = accepted.map((a) => ({ ...a, resources: a.resources.map((r) => tagged(resolveLogicalReferences(r, index), job.id)) }));
  let written = 0;
  const ids: IdMapEntryInput[] = [];
  if (resources.length > 0) {
    const bundle = buildBundle(env, job, task, resources);
    await keepLease();
    const result = job.spec.options.dryRun ? undefined : await writeBundle(env, bundle, signal);
    written = recordResults(env, bundle, result, resources, ledger, ids, task);
  }
  // Only the lease holder records: a task that lost its lease stops here, its new holder records it.
  await keepLease();
  await env.store.recordTaskResults(job.id, ledger.map((entry) => ({ ...entry, phase: task.phase })), ids.map((entry) => ({ ...entry, phase: task.phase })));
  return totals(ledger, written);
}

async function readRecords(env: MigrationEnv, shared: boolean, task: Task, keepLease: KeepLease, signal?: AbortSignal, kinds?: readonly string[]): Promise<{ rejections: SourceRejection[]; records: SourceRecord[] }> {
  const rejections: SourceRejection[] = [];
  const records: SourceRecord[] = [];
  for await (const item of env.source.read(shared ? { withoutPatient: true } : { patientKeys: [task.patientKey], ...(kinds ? { kinds } : {}) })) {
    signal?.throwIfAborted();
    await keepLease();
    if (shared !== (item.patientKey === undefined)) continue;
    if (isSourceRejection(item)) rejections.push(item);
    else records.push(item);
  }
  return { rejections, records };
}

/** The rule of a patient's records when its Patient record was rejected: not loaded as orphans. */
export const PATIENT_NOT_MIGRATED_RULE = 'patient-not-migrated: the patient record was rejected or is not on the target';

interface Gate {
  readonly env: MigrationEnv;
  readonly job: Job;
  readonly previous: ReadonlyMap<string, PreviousLoad>;
  /** Validation errors of the records that were validated (changed since their last load). */
  readonly errors: ReadonlyMap<MappedRecord, fhir4.OperationOutcomeIssue[]>;
  readonly ledger: LedgerEntryInput[];
  readonly index: IdentifierIndex;
  readonly accepted: Accepted[];
}

const keyOf = (m: MappedRecord): string => `${m.record.ref.kind}\u001f${m.record.key}`;

/**
 * Delta check and validation; returns the resources to send. Unchanged ones are indexed for
 * references only, and so are earlier phases' resources that are on the target (in a dry run,
 * all of them: nothing is on the target). When the patient has a Patient record and none of
 * them made it (rejected in mapping or validation, here or in an earlier phase), its other
 * records are skipped by PATIENT_NOT_MIGRATED_RULE.
 */
async function gate(env: MigrationEnv, job: Job, patientKey: string | undefined, split: PhaseSplit, hasPatientRecord: boolean, ledger: LedgerEntryInput[], index: IdentifierIndex, keepLease: KeepLease): Promise<Accepted[]> {
  const earlier = neededEarlier(split);
  // Earlier phases' resources are of the task's patient (the ledger keys records by their patient).
  const lookups: RecordLookup[] = [
    ...split.current.filter((m) => m.state === 'mapped').map((m) => ({ patientKey: m.record.patientKey, kind: m.record.ref.kind, recordKey: m.record.key })),
    ...earlier.map((e) => ({ patientKey, kind: e.kind, recordKey: e.recordKey })),
  ];
  const previous = new Map((await env.store.findPreviousLoads(env.source.name, lookups)).map((p) => [`${p.kind}\u001f${p.recordKey}`, p]));
  const onTarget = (e: EarlierResource): boolean => job.spec.options.dryRun || previous.has(`${e.kind}\u001f${e.recordKey}`);
  for (const e of earlier) if (onTarget(e)) for (const id of e.identifiers) if (!index.has(id)) index.set(id, e.key);
  const isPatient = (m: MappedRecord): boolean => recordType(env.mapSet, m) === 'Patient';
  const items = [...split.current].sort((a, b) => Number(isPatient(b)) - Number(isPatient(a)));
  const hashes = new Map(items.map((m) => [m, contentHash(m.record, env.mapSet.versionHash)]));
  let patientOk = !hasPatientRecord || split.earlier.some((e) => e.resourceType === 'Patient' && onTarget(e));
  const mayLoad = patientOk || items.some((m) => m.state === 'mapped' && isPatient(m));
  const changed = mayLoad ? items.filter((m) => m.state === 'mapped' && previous.get(keyOf(m))?.contentHash !== hashes.get(m)) : [];
  await keepLease();
  const g: Gate = { env, job, previous, errors: await validationErrors(env, changed), ledger, index, accepted: [] };
  for (const item of items) {
    await keepLease();
    const hash = hashes.get(item) as string;
    if (!patientOk && !isPatient(item)) ledger.push(skippedEntry(item.record, hash, PATIENT_NOT_MIGRATED_RULE, recordType(env.mapSet, item)));
    else if (gateRecord(g, item, hash) && isPatient(item)) patientOk = true;
  }
  return g.accepted;
}

/**
 * The earlier phases' resources the gate must know are on the target: the Patient (the phase's
 * records wait for it) and those carrying an identifier that a logical reference of the phase's
 * resources names — in plan order, so the first carrier on the target still wins. The others
 * cannot change how a reference resolves, and looking each up was most of the store's reads in
 * a fresh job's last phase (~600 found rows per patient).
 */
function neededEarlier(split: PhaseSplit): readonly EarlierResource[] {
  const mapped = split.current.filter((m) => m.state === 'mapped');
  // Walking a resource for its references costs about what one lookup does (measured): filter only when it pays.
  if (split.earlier.length <= mapped.reduce((n, m) => n + m.resources.length, 0)) return split.earlier;
  const named = new Set<string>();
  for (const m of mapped) logicalReferenceKeys(m.resources, named);
  return split.earlier.filter((e) => e.resourceType === 'Patient' || e.identifiers.some((id) => named.has(id)));
}

/** One record through the gate; true when it is (or stays) on the target. */
function gateRecord(g: Gate, item: MappedRecord, hash: string): boolean {
  if (item.state === 'skipped') g.ledger.push(skippedEntry(item.record, hash, item.rule, item.resourceType));
  else if (item.state === 'rejected') g.ledger.push(rejectedEntry(item.record, hash, item.code, item.issues, item.resourceType));
  if (item.state !== 'mapped') return false;
  const type = (item.resources[0] as fhir4.Resource).resourceType;
  const before = g.previous.get(keyOf(item));
  if (before && before.contentHash === hash) {
    for (const resource of item.resources) indexIdentifiers(g.index, resource);
    // Loaded by this very job before a crash or pause: it stays `loaded`, and is not sent again.
    if (before.jobId === g.job.id) g.ledger.push(loadedEntry(item.record, hash, type, before.targetIds));
    else g.ledger.push(skippedEntry(item.record, hash, UNCHANGED_RULE, type, before.targetIds));
    return true;
  }
  const errors = g.errors.get(item) ?? [];
  if (errors.length > 0 && (g.env.validationPolicy ?? 'reject-record') === 'reject-record') {
    g.ledger.push(rejectedEntry(item.record, hash, 'FHIRMIG_ERR_VALIDATION_FAILED', errors, type));
    return false;
  }
  for (const resource of item.resources) indexIdentifiers(g.index, resource);
  g.accepted.push({ record: item.record, hash, resources: item.resources });
  return true;
}

/**
 * The error issues of each record's resources, validated in one batch; of a record of several
 * resources, each issue names its resource (`Type/id: …`).
 */
async function validationErrors(env: MigrationEnv, items: readonly MappedRecord[]): Promise<Map<MappedRecord, fhir4.OperationOutcomeIssue[]>> {
  const mapped = items.filter((m): m is Extract<MappedRecord, { state: 'mapped' }> => m.state === 'mapped');
  const outcomes = mapped.length === 0 ? [] : await processorOf(env).validate(mapped.flatMap((m) => m.resources));
  let at = 0;
  return new Map(mapped.map((m) => [m, m.resources.flatMap((resource) => {
    const errors = (outcomes[at++] as fhir4.OperationOutcome).issue.filter(isErrorIssue);
    if (m.resources.length === 1) return errors;
    return errors.map((issue) => ({ ...issue, diagnostics: `${resource.resourceType}/${resource.id ?? ''}: ${issue.diagnostics ?? ''}` }));
  })]));
}

function tagged(resource: fhir4.Resource, jobId: string): fhir4.Resource {
  const tag = jobTag(jobId);
  const tags = (resource.meta?.tag ?? []).filter((t) => t.system !== tag.system);
  return { ...resource, meta: { ...resource.meta, tag: [...tags, tag] } };
}

function buildBundle(env: MigrationEnv, job: Job, task: Task, resources: readonly Accepted[]): PlannedBundle {
  const inputs: BundleResourceInput[] = resources.flatMap((r) => r.resources.map((resource) => ({ resource, sourceRefs: [r.record.ref] })));
  return buildPatientBundle(inputs, {
    profile: env.profile,
    chunkLineage: (entries: readonly PlannedEntry[], chunkIndex: number) => ({
      resource: buildProvenance({
        id: uuidV5(`provenance|${job.id}|${task.patientKey}|${task.phase === ALL_PHASE ? '' : `${task.phase}|`}${chunkIndex}`),
        targets: entries.map((e) => e.key),
        recorded: job.createdAt,
        sources: entries.flatMap((e) => e.sourceRefs),
        device: { reference: `Device/${env.device.id ?? ''}` },
        activity: 'migrate',
        mapSet: { id: env.mapSet.id, versionHash: env.mapSet.versionHash },
        jobId: job.id,
      }),
    }),
  });
}

/** Writes the bundle; a refused chunk leaves its entries (and later chunks') unloaded. */
async function writeBundle(env: MigrationEnv, bundle: PlannedBundle, signal?: AbortSignal): Promise<WriteResult> {
  signal?.throwIfAborted();
  return env.target.write(bundle, createWriteSession());
}

/**
 * The ledger and id map after the write: a record is loaded when every one of its resources was
 * written (its target ids all listed), else rejected by the target's answer for the first refused one.
 */
function recordResults(env: MigrationEnv, bundle: PlannedBundle, result: WriteResult | undefined, resources: readonly Accepted[], ledger: LedgerEntryInput[], ids: IdMapEntryInput[], task: Task): number {
  const byKey = new Map(result?.entries.map((e) => [e.key, e]) ?? []);
  const ok = (key: string): boolean => result === undefined || isSuccess(byKey.get(key)?.status);
  const recordOf = new Map<string, Accepted>(resources.flatMap((r) => r.resources.map((resource): [string, Accepted] => [`${resource.resourceType}/${resource.id ?? ''}`, r])));
  const outcomes = new Map<Accepted, { targetIds: string[]; refused?: PlannedEntry }>(resources.map((r) => [r, { targetIds: [] }]));
  let written = 0;
  for (const position of bundle.chunks.flat()) {
    const entry = bundle.entries[position] as PlannedEntry;
    const accepted = recordOf.get(entry.key);
    const targetId = byKey.get(entry.key)?.id ?? entry.id;
    const outcome = accepted ? outcomes.get(accepted) : undefined;
    if (outcome && ok(entry.key)) outcome.targetIds.push(`${entry.resourceType}/${targetId}`);
    else if (outcome) outcome.refused ??= entry;
    if (result === undefined || !ok(entry.key)) continue;
    written++;
    const versionId = byKey.get(entry.key)?.versionId;
    const patientKey = accepted ? accepted.record.patientKey : task.patientKey === SHARED_TASK_KEY ? undefined : task.patientKey;
    ids.push({
      source: accepted?.record.ref.source ?? env.source.name,
      ...(patientKey === undefined ? {} : { patientKey }),
      kind: accepted?.record.ref.kind ?? PROVENANCE_KIND,
      recordKey: accepted?.record.key ?? `${task.patientKey}/${entry.id}`,
      resourceType: entry.resourceType,
      targetId,
      ...(versionId ? { versionId } : {}),
    });
  }
  for (const [accepted, { targetIds, refused }] of outcomes) {
    const type = (accepted.resources[0] as fhir4.Resource).resourceType;
    if (refused) ledger.push(rejectedEntry(accepted.record, accepted.hash, 'FHIRMIG_ERR_TARGET_REJECTED', targetIssues(byKey.get(refused.key)), type));
    else ledger.push(loadedEntry(accepted.record, accepted.hash, type, targetIds));
  }
  return written;
}

function isSuccess(status: number | undefined): boolean {
  return status !== undefined && status >= 200 && status < 300;
}

function totals(ledger: readonly LedgerEntryInput[], resourcesWritten: number): TaskTotals {
  const count = (outcome: LedgerEntryInput['outcome']): number => ledger.filter((e) => e.outcome === outcome).length;
  return { read: ledger.length, loaded: count('loaded'), rejected: count('rejected'), skipped: count('skipped'), resourcesWritten };
}
