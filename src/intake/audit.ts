import { isMigrateError } from '../core/index.ts';
import { recordJobStep } from '../jobs/index.ts';
import type { AuditEntry } from '../jobs/index.ts';
import type { AuditOutcome } from '../provenance/index.ts';
import { buildPatientBundle } from '../target/index.ts';
import type { IntakeDeps, IntakeLineage, IntakeReply } from './types.ts';

/** Facts about one intake for its AuditEvent (no PHI: counts, codes, ids, hashes). */
export type IntakeFacts = Record<string, string | number | boolean>;

export interface IntakeRun {
  readonly reply: IntakeReply;
  readonly facts: IntakeFacts;
}

/**
 * Runs one intake and appends its AuditEvent to the store's hash-chained audit log (DESIGN.md §5:
 * the same audit guarantees as a migration), whether it was forwarded, refused or failed; a
 * failure is recorded with its error code, then rethrown for the error handler. When resources
 * were forwarded, the same AuditEvent is written to the target too (header `X-Audit-Event`).
 */
export async function audited(deps: IntakeDeps, lineage: IntakeLineage, kind: string, run: () => Promise<IntakeRun>): Promise<IntakeReply> {
  const record = (outcome: AuditOutcome, description: string, facts: IntakeFacts) => recordJobStep({
    store: deps.store,
    jobId: lineage.intakeId,
    step: 'intake',
    device: deps.device,
    outcome,
    description,
    details: { kind, ...facts },
    ...(deps.now ? { now: deps.now } : {}),
  });
  let result: IntakeRun;
  try {
    result = await run();
  } catch (error) {
    const code = isMigrateError(error) ? error.code : 'FHIRMIG_ERR_CORE_INTERNAL';
    await record('serious-failure', code, { status: isMigrateError(error) ? error.status : 500 });
    throw error;
  }
  const { status } = result.reply;
  const entry = await record(status < 300 ? 'success' : 'minor-failure', `${kind}: HTTP ${status}`, { ...result.facts, status });
  const written = Number(result.facts['written'] ?? 0) > 0 ? await writeAuditEvent(deps, entry) : undefined;
  return written ? { ...result.reply, headers: { ...result.reply.headers, 'x-audit-event': written } } : result.reply;
}

/**
 * The AuditEvent beside the data it describes. Best effort: the resources and the store's audit
 * entry are already written, so a target that refuses it now does not fail the intake (the
 * response then has no `X-Audit-Event`).
 */
async function writeAuditEvent(deps: IntakeDeps, entry: AuditEntry): Promise<string | undefined> {
  const event = (entry.payload as { auditEvent?: fhir4.AuditEvent } | null)?.auditEvent;
  if (!event) return undefined;
  try {
    const write = await deps.target.write(buildPatientBundle([{ resource: event }], { profile: deps.profile }));
    const written = write.entries[0];
    return write.complete && written ? `AuditEvent/${written.id ?? event.id ?? ''}` : undefined;
  } catch (error) {
    if (isMigrateError(error)) return undefined;
    throw error;
  }
}
