import { MigrateError, uuidV5 } from '../../core/index.ts';
import { buildAuditEvent, canonicalJson } from '../../provenance/index.ts';
import type { AuditOutcome, JobStep } from '../../provenance/index.ts';
import { buildPatientBundle, createWriteSession } from '../../target/index.ts';
import type { Target, TargetProfile } from '../../target/index.ts';
import type { AuditEntry, JsonValue } from '../model/audit.ts';
import type { JobStore } from '../store/job-store.ts';

export interface JobStepRecord {
  readonly store: JobStore;
  readonly jobId: string;
  readonly step: JobStep;
  readonly device: fhir4.Device;
  readonly outcome?: AuditOutcome;
  readonly description?: string;
  readonly details?: Readonly<Record<string, string | number | boolean>>;
  readonly now?: () => Date;
}

/**
 * Appends one job step to the store's hash-chained audit log, the step's AuditEvent as payload.
 * The event's id is deterministic (job, step, instant, what it says), so writing it to the
 * target again is a no-op PUT.
 */
export async function recordJobStep(record: JobStepRecord): Promise<AuditEntry> {
  const at = (record.now ?? (() => new Date()))().toISOString();
  const event = buildAuditEvent({
    id: uuidV5(`auditevent|${record.jobId}|${record.step}|${at}|${record.description ?? ''}|${canonicalJson(record.details ?? {})}`),
    step: record.step,
    jobId: record.jobId,
    recorded: at,
    device: { reference: `Device/${record.device.id ?? ''}` },
    ...(record.outcome ? { outcome: record.outcome } : {}),
    ...(record.description ? { description: record.description } : {}),
    ...(record.details ? { details: record.details } : {}),
  });
  const payload = { jobId: record.jobId, step: record.step, auditEvent: JSON.parse(JSON.stringify(event)) as JsonValue };
  return record.store.appendAudit({ type: `job.${record.step}`, payload, at });
}

export interface AuditPublishEnv {
  readonly store: JobStore;
  readonly target: Target;
  readonly profile: TargetProfile;
}

/** The AuditEvents of a job's steps, from the store's audit log, in step order. */
export async function jobAuditEvents(store: JobStore, jobId: string): Promise<fhir4.AuditEvent[]> {
  const events: fhir4.AuditEvent[] = [];
  for (const entry of await store.readAudit()) {
    const payload = entry.payload as { jobId?: unknown; auditEvent?: unknown } | null;
    if (payload && typeof payload === 'object' && payload.jobId === jobId && payload.auditEvent) events.push(payload.auditEvent as unknown as fhir4.AuditEvent);
  }
  return events;
}

/**
 * `--audit-to-target`: writes every AuditEvent of the job's steps so far to the target (PUT with
 * its deterministic id, so events already there are rewritten unchanged and a missed one is
 * caught up). Returns how many it wrote; a refused entry throws FHIRMIG_ERR_TARGET_REJECTED.
 */
export async function publishJobAudit(env: AuditPublishEnv, jobId: string): Promise<number> {
  const events = await jobAuditEvents(env.store, jobId);
  if (events.length === 0) return 0;
  const bundle = buildPatientBundle(events.map((resource) => ({ resource })), { profile: env.profile });
  const result = await env.target.write(bundle, createWriteSession());
  const refused = result.entries.filter((e) => e.status < 200 || e.status >= 300);
  if (refused.length > 0) throw new MigrateError('FHIRMIG_ERR_TARGET_REJECTED', `The target refused ${refused.length} AuditEvent(s) of job ${jobId} (HTTP ${refused[0]?.status}).`);
  return events.length;
}
