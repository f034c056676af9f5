export { buildProvenance, mapSetPolicy } from './provenance-builder.ts';
export type { MapSetVersion, ProvenanceActivity, ProvenanceOptions } from './provenance-builder.ts';
export { buildServiceDevice, serviceDeviceId } from './device.ts';
export type { ServiceDeviceOptions } from './device.ts';
export { buildAuditEvent } from './audit-event.ts';
export type { AuditEventOptions, AuditOutcome, JobStep } from './audit-event.ts';
export { appendAuditEntry, createAuditEntry, hashAuditEntry, verifyAuditChain, GENESIS_HASH } from './audit-chain.ts';
export type { AuditChainProblem, AuditChainVerdict, AuditEntry, AuditEntryInput, VerifyAuditChainOptions } from './audit-chain.ts';
export { canonicalJson } from './canonical-json.ts';
export {
  JOB_TAG_SYSTEM, SERVICE_DEVICE_SYSTEM, MAP_SET_POLICY_BASE, MIGRATION_ACTIVITY_SYSTEM, JOB_STEP_SYSTEM,
  DATA_OPERATION_SYSTEM, MIGRATION_PROVENANCE_PROFILE, jobTag,
} from './codes.ts';
