import { MigrateError, uuidV5 } from '../core/index.ts';
import { buildProvenance } from '../provenance/index.ts';
import { buildPatientBundle } from '../target/index.ts';
import type { EntryResult, PlannedBundle, PlannedEntry, WriteResult } from '../target/index.ts';
import type { IntakeEntry } from './entries.ts';
import type { IntakeDeps, IntakeLineage } from './types.ts';

export interface ForwardResult {
  readonly write: WriteResult;
  readonly byKey: ReadonlyMap<string, EntryResult>;
  /** `Provenance/id` of the written Provenance(s). */
  readonly provenance: readonly string[];
}

/**
 * Plans the entries as one target transaction with the service Device and a Provenance
 * (DESIGN.md §5: target = every resource written, entity = the intake's sources, agent = the
 * Device), via src/target's bundle builder (references between entries resolved, the write
 * strategy and limits of the target profile applied), and writes it. `atomic`: the whole intake
 * must fit one transaction, or nothing is sent (FHIRMIG_ERR_TARGET_CHUNKING).
 */
export async function forwardEntries(deps: IntakeDeps, lineage: IntakeLineage, entries: readonly IntakeEntry[], atomic: boolean, part = 0): Promise<ForwardResult> {
  const plan = planTransaction(deps, lineage, entries, part);
  if (atomic && plan.chunks.length > 1) {
    throw new MigrateError('FHIRMIG_ERR_TARGET_CHUNKING', `The transaction needs ${plan.chunks.length} target transactions under the target profile "${deps.profile.name}" (limits ${JSON.stringify(deps.profile.limits)}); send fewer entries per Bundle, or a batch.`);
  }
  const write = await deps.target.write(plan);
  const provenance = plan.entries.filter((e) => e.resourceType === 'Provenance').map((e) => e.key);
  return { write, byKey: new Map(write.entries.map((e) => [e.key, e])), provenance };
}

/** `part` tells apart the transactions of one intake (a batch sends one per entry). */
function planTransaction(deps: IntakeDeps, lineage: IntakeLineage, entries: readonly IntakeEntry[], part: number): PlannedBundle {
  const deviceKey = `Device/${deps.device.id ?? ''}`;
  // The Device first: the Provenance references it, and chunks follow input order.
  const inputs = [{ resource: deps.device }, ...entries.map((e) => ({ resource: e.resource }))];
  return buildPatientBundle(inputs, {
    profile: deps.profile,
    chunkLineage: (chunk: readonly PlannedEntry[], chunkIndex: number) => ({
      resource: buildProvenance({
        id: uuidV5(`intake-provenance|${lineage.intakeId}|${part}|${chunkIndex}`),
        targets: chunk.filter((e) => e.key !== deviceKey).map((e) => e.key),
        recorded: lineage.recorded,
        sources: lineage.sources,
        device: { reference: deviceKey },
        activity: lineage.activity,
        mapSet: lineage.mapSet,
        jobId: lineage.intakeId,
      }),
    }),
  });
}
