import { randomUUID } from 'node:crypto';
import { buildAuditEvent } from '../../provenance/index.ts';
import type { AuditOutcome, JobStep } from '../../provenance/index.ts';
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

/** Appends one job step to the store's hash-chained audit log, the step's AuditEvent as payload. */
export async function recordJobStep(record: JobStepRecord): Promise<AuditEntry> {
  const at = (record.now ?? (() => new Date()))().toISOString();
  const event = buildAuditEvent({
    id: randomUUID(),
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
