/** Code systems and tag systems of the lineage resources this product writes. */
export const JOB_TAG_SYSTEM = 'https://fhir-migrate.dev/job';
export const SERVICE_DEVICE_SYSTEM = 'https://fhir-migrate.dev/device';
export const MAP_SET_POLICY_BASE = 'https://fhir-migrate.dev/map-set';
export const MIGRATION_ACTIVITY_SYSTEM = 'https://fhir-migrate.dev/CodeSystem/activity';
export const JOB_STEP_SYSTEM = 'https://fhir-migrate.dev/CodeSystem/job-step';
export const DATA_OPERATION_SYSTEM = 'http://terminology.hl7.org/CodeSystem/v3-DataOperation';
export const PARTICIPANT_TYPE_SYSTEM = 'http://terminology.hl7.org/CodeSystem/provenance-participant-type';
/** The product's profile for the Provenance it writes (profiles/migration-provenance.json). */
export const MIGRATION_PROVENANCE_PROFILE = 'https://fhir-migrate.dev/StructureDefinition/migration-provenance';
export const DICOM_DCM_SYSTEM = 'http://dicom.nema.org/resources/ontology/DCM';

/** The job's tag: every resource a job writes carries it, so the target can be counted and cleaned by job. */
export function jobTag(jobId: string): fhir4.Coding {
  return { system: JOB_TAG_SYSTEM, code: jobId };
}
