import type { JobStore } from '../jobs/index.ts';
import { groupPatients } from './export-sources.ts';

/**
 * A migration's cohort as an R4 Group (http://hl7.org/fhir/R4/group.html): Group id = job id,
 * members = the Patients the job wrote (their ids on the target), so that
 * `/fhir/Group/{jobId}/$export` exports that cohort.
 */
export async function migrationGroup(store: JobStore, groupId: string): Promise<fhir4.Group> {
  const { job, patients } = await groupPatients(store, groupId);
  return {
    resourceType: 'Group',
    id: job.id,
    meta: { lastUpdated: job.updatedAt },
    type: 'person',
    actual: true,
    name: `Migration ${job.id} (${job.spec.mapSet.id}) cohort`,
    quantity: patients.length,
    member: patients.map((id) => ({ entity: { reference: `Patient/${id}` } })),
  };
}
