import { exportsTableSql } from '../export-rows.ts';
import type { Migration } from '../shared.ts';

/**
 * The PostgreSQL schema, versioned: the same tables and columns as the SQLite one (shared row
 * mappers), BIGINT for epoch-ms times and counters, BIGSERIAL ids. Append; never edit a shipped one.
 */
export const POSTGRES_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    sql: `
CREATE TABLE jobs (
  id TEXT PRIMARY KEY,
  state TEXT NOT NULL,
  dry_run INTEGER NOT NULL,
  spec TEXT NOT NULL,
  tasks_total BIGINT NOT NULL DEFAULT 0,
  tasks_done BIGINT NOT NULL DEFAULT 0,
  tasks_failed BIGINT NOT NULL DEFAULT 0,
  records_read BIGINT NOT NULL DEFAULT 0,
  records_loaded BIGINT NOT NULL DEFAULT 0,
  records_rejected BIGINT NOT NULL DEFAULT 0,
  records_skipped BIGINT NOT NULL DEFAULT 0,
  resources_written BIGINT NOT NULL DEFAULT 0,
  error_code TEXT,
  error_message TEXT,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE INDEX jobs_state ON jobs (state, created_at);

CREATE TABLE tasks (
  id BIGSERIAL PRIMARY KEY,
  job_id TEXT NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
  patient_key TEXT NOT NULL,
  phase TEXT NOT NULL,
  priority INTEGER NOT NULL DEFAULT 0,
  state TEXT NOT NULL DEFAULT 'pending',
  attempts INTEGER NOT NULL DEFAULT 0,
  claimed_by TEXT,
  lease_expires_at BIGINT,
  error_code TEXT,
  error_message TEXT,
  updated_at BIGINT NOT NULL,
  UNIQUE (job_id, patient_key, phase)
);
CREATE INDEX tasks_claimable ON tasks (job_id, state, priority, id);

CREATE TABLE ledger (
  id BIGSERIAL PRIMARY KEY,
  job_id TEXT NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
  source TEXT NOT NULL,
  kind TEXT NOT NULL,
  locator TEXT NOT NULL,
  record_key TEXT NOT NULL,
  patient_key TEXT,
  outcome TEXT NOT NULL,
  resource_type TEXT,
  error_code TEXT,
  issues TEXT,
  target_ids TEXT,
  content_hash TEXT,
  updated_at BIGINT NOT NULL,
  -- record first: the delta lookup across jobs uses this index's prefix
  UNIQUE (source, kind, record_key, job_id)
);
CREATE INDEX ledger_job ON ledger (job_id, outcome, error_code);

CREATE TABLE id_map (
  seq BIGSERIAL PRIMARY KEY,
  job_id TEXT NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
  source TEXT NOT NULL,
  kind TEXT NOT NULL,
  record_key TEXT NOT NULL,
  resource_type TEXT NOT NULL,
  target_id TEXT NOT NULL,
  version_id TEXT,
  last_updated TEXT,
  status TEXT NOT NULL DEFAULT 'written',
  UNIQUE (job_id, resource_type, target_id)
);
CREATE INDEX id_map_record ON id_map (job_id, kind, record_key);

CREATE TABLE audit_log (
  seq BIGINT PRIMARY KEY,
  at TEXT NOT NULL,
  type TEXT NOT NULL,
  payload TEXT NOT NULL,
  prev_hash TEXT NOT NULL,
  hash TEXT NOT NULL
);

CREATE TABLE export_files (
  id BIGSERIAL PRIMARY KEY,
  export_id TEXT NOT NULL,
  job_id TEXT,
  type TEXT NOT NULL,
  path TEXT NOT NULL,
  count BIGINT NOT NULL,
  created_at BIGINT NOT NULL
);
CREATE INDEX export_files_export ON export_files (export_id, id);
`,
  },
  // 2: Bulk Data $export state (restart-safe exports).
  { version: 2, sql: exportsTableSql('BIGINT') },
  {
    version: 3,
    sql: `
-- priority phases: which phase's task recorded a ledger row / wrote a resource
ALTER TABLE ledger ADD COLUMN phase TEXT;
ALTER TABLE id_map ADD COLUMN phase TEXT;
-- each patient's records → phase (and identifiers), computed once by its first phase task
CREATE TABLE phase_plans (
  job_id TEXT NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
  patient_key TEXT NOT NULL,
  plan TEXT NOT NULL,
  PRIMARY KEY (job_id, patient_key)
);
`,
  },
  {
    // 4: unique keys and the record index lead with the patient, as SQLite's migration 4 (why: there).
    version: 4,
    sql: `
ALTER TABLE id_map ADD COLUMN patient_key TEXT NOT NULL DEFAULT '';
UPDATE id_map m SET patient_key = COALESCE(l.patient_key, '') FROM ledger l
  WHERE l.job_id = m.job_id AND l.source = m.source AND l.kind = m.kind AND l.record_key = m.record_key;
UPDATE id_map SET patient_key = substr(record_key, 1, greatest(length(record_key) - 37, 0)) WHERE kind = '(provenance)';
ALTER TABLE id_map DROP CONSTRAINT id_map_job_id_resource_type_target_id_key;
ALTER TABLE id_map ADD CONSTRAINT id_map_target UNIQUE (job_id, patient_key, resource_type, target_id);
DROP INDEX id_map_record;
CREATE INDEX id_map_record ON id_map (job_id, patient_key, kind, record_key);
UPDATE ledger SET patient_key = '' WHERE patient_key IS NULL;
ALTER TABLE ledger ALTER COLUMN patient_key SET DEFAULT '', ALTER COLUMN patient_key SET NOT NULL;
ALTER TABLE ledger DROP CONSTRAINT ledger_source_kind_record_key_job_id_key;
ALTER TABLE ledger ADD CONSTRAINT ledger_record UNIQUE (source, patient_key, kind, record_key, job_id);
`,
  },
];
