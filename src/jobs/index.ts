/**
 * src/jobs public API. The store and job model today; the planner and runner join here.
 */
export type { JobStore, JobStoreOptions } from './store/job-store.ts';
export { openJobStore, jobStoreOptionsFromLocation } from './store/open-job-store.ts';
export type { OpenJobStoreOptions } from './store/open-job-store.ts';
export { openSqliteJobStore, SqliteJobStore } from './store/sqlite/sqlite-job-store.ts';
export type { SqliteJobStoreOptions } from './store/sqlite/sqlite-job-store.ts';
export { openPostgresJobStore, PostgresJobStore } from './store/postgres/postgres-job-store.ts';
export type { PostgresJobStoreOptions } from './store/postgres/postgres-job-store.ts';

export { JOB_STATES, allowedTransitions, assertTransition, canTransition, isJobState, isSettled } from './model/job-state.ts';
export type { JobState } from './model/job-state.ts';
export { EMPTY_PROGRESS, PROGRESS_FIELDS } from './model/job.ts';
export type { CreateJobOptions, Job, JobError, JobOptions, JobProgress, JobProgressDelta, JobScope, JobSpec, JobThresholds, ListJobsOptions, TransitionOptions } from './model/job.ts';
export { TASK_STATES } from './model/task.ts';
export type { ClaimOptions, FailTaskOptions, ListTasksOptions, Task, TaskCounts, TaskInput, TaskState } from './model/task.ts';
export { LEDGER_OUTCOMES, NO_RESOURCE_TYPE, foldLedgerCounts } from './model/ledger.ts';
export type { LedgerCounts, LedgerEntry, LedgerEntryInput, LedgerOutcome, LedgerPage, ListLedgerOptions, OutcomeCounts, PreviousLoad, RecordLookup } from './model/ledger.ts';
export type { IdMapEntry, IdMapEntryInput, IdMapStatus, ListIdMapOptions } from './model/id-map.ts';
export { GENESIS_HASH, auditEntryHash, canonicalJson, nextAuditEntry } from './model/audit.ts';
export type { AuditAppend, AuditEntry, JsonValue, ReadAuditOptions } from './model/audit.ts';
export type { ExportFile, ExportFileInput } from './model/export-file.ts';
export type { MigrationRequest } from './model/migration-request.ts';
export { EMPTY_EXPORT_PROGRESS, EXPORT_STATES } from './model/export.ts';
export type { CreateExportInput, ExportProgress, ExportRecord, ExportState, ExportUpdate, ListExportsOptions } from './model/export.ts';

export { departmentFilter, planMigration, scopePatients } from './planner/planner.ts';
export type { PlanOptions } from './planner/planner.ts';
export { DEFAULT_PHASE_TABLE, parsePhaseTable, phaseIndex, selectPhases } from './phases/phase-table.ts';
export type { PhaseDefinition, PhaseRule, PhaseTable } from './phases/phase-table.ts';
export { assignPhases } from './phases/assign.ts';
export type { PhaseItem } from './phases/assign.ts';
export { ALL_PHASE, phaseTableOf } from './phases/split.ts';
export { runJob } from './runner/runner.ts';
export type { RunJobOptions } from './runner/runner.ts';
export { PATIENT_NOT_MIGRATED_RULE, PROVENANCE_KIND, SHARED_TASK_KEY } from './runner/patient-task.ts';
export { UNCHANGED_RULE } from './runner/record-outcomes.ts';
export { lineageKey, mapRecord } from './runner/record-mapper.ts';
export type { MapRecordOptions } from './runner/record-mapper.ts';
export { indexIdentifiers, resolveLogicalReferences } from './runner/references.ts';
export type { IdentifierIndex } from './runner/references.ts';
export { jobAuditEvents, publishJobAudit, recordJobStep } from './runner/audit.ts';
export type { AuditPublishEnv } from './runner/audit.ts';
export type { KeepLease, MapSet, MappedRecord, MigrationEnv, RecordProcessor, ResourceValidator, TableRule, ValidationPolicy } from './runner/types.ts';
export { inThreadProcessor } from './runner/record-processor.ts';
export { reconcileJob } from './reconcile/reconcile.ts';
export type { ReconciliationReport, ReconciliationRow } from './reconcile/reconcile.ts';
export { rollbackJob } from './rollback/rollback.ts';
export type { RollbackEnv, RollbackOptions, RollbackReport } from './rollback/rollback.ts';
