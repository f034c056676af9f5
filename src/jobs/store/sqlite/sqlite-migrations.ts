import { exportsTableSql } from '../export-rows.ts';
import type { Migration } from '../shared.ts';

/**
 * 4: the ledger's and the id map's unique keys and the id map's record index lead with the
 * patient (`''`: no patient). Keyed by record key or target id (UUIDs) first, every row of a task
 * landed on its own random index page: at 1,000 patients the three indexes outgrew the page cache
 * and each task's commit wrote ~800 scattered pages to the WAL (its cost grew with the store,
 * 19% of a migration's runner). Patient first, a task's rows share a few pages. SQLite cannot
 * change a table's constraints in place, hence the rebuilds; the Provenance rows of the id map
 * (record key `<patient>/<36-character id>`) get their patient from their key.
 */
const PATIENT_CLUSTERED_KEYS = `
-- the id map first: its patients come from the ledger's old (source, kind, record key) index
CREATE TABLE id_map_v4 (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  job_id TEXT NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
  source TEXT NOT NULL,
  patient_key TEXT NOT NULL DEFAULT '',
  kind TEXT NOT NULL,
  record_key TEXT NOT NULL,
  resource_type TEXT NOT NULL,
  target_id TEXT NOT NULL,
  version_id TEXT,
  last_updated TEXT,
  status TEXT NOT NULL DEFAULT 'written',
  phase TEXT,
  UNIQUE (job_id, patient_key, resource_type, target_id)
);
INSERT INTO id_map_v4 (seq, job_id, source, patient_key, kind, record_key, resource_type, target_id, version_id, last_updated, status, phase)
  SELECT m.seq, m.job_id, m.source,
    CASE WHEN m.kind = '(provenance)' THEN substr(m.record_key, 1, max(length(m.record_key) - 37, 0))
      ELSE COALESCE((SELECT l.patient_key FROM ledger l WHERE l.job_id = m.job_id AND l.source = m.source AND l.kind = m.kind AND l.record_key = m.record_key LIMIT 1), '') END,
    m.kind, m.record_key, m.resource_type, m.target_id, m.version_id, m.last_updated, m.status, m.phase
  FROM id_map m;
DROP TABLE id_map;
ALTER TABLE id_map_v4 RENAME TO id_map;
CREATE INDEX id_map_record ON id_map (job_id, patient_key, kind, record_key);

CREATE TABLE ledger_v4 (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  job_id TEXT NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
  source TEXT NOT NULL,
  kind TEXT NOT NULL,
  locator TEXT NOT NULL,
  record_key TEXT NOT NULL,
  patient_key TEXT NOT NULL DEFAULT '',
  outcome TEXT NOT NULL,
  resource_type TEXT,
  error_code TEXT,
  issues TEXT,
  target_ids TEXT,
  content_hash TEXT,
  updated_at INTEGER NOT NULL,
  phase TEXT,
  UNIQUE (source, patient_key, kind, record_key, job_id)
);
INSERT INTO ledger_v4 (id, job_id, source, kind, locator, record_key, patient_key, outcome, resource_type, error_code, issues, target_ids, content_hash, updated_at, phase)
  SELECT id, job_id, source, kind, locator, record_key, COALESCE(patient_key, ''), outcome, resource_type, error_code, issues, target_ids, content_hash, updated_at, phase FROM ledger;
DROP TABLE ledger;
ALTER TABLE ledger_v4 RENAME TO ledger;
CREATE INDEX ledger_job ON ledger (job_id, outcome, error_code);
`;

/**
 * The SQLite schema, versioned. Append a migration; never edit one that shipped. Columns match
 * postgres/postgres-migrations.ts (the shared row mappers rely on it). Times are epoch ms.
 */
export const SQLITE_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    sql: `
CREATE TABLE jobs (
  id TEXT PRIMARY KEY,
  state TEXT NOT NULL,
  dry_run INTEGER NOT NULL,
  spec TEXT NOT NULL,
  tasks_total INTEGER NOT NULL DEFAULT 0,
  tasks_done INTEGER NOT NULL DEFAULT 0,
  tasks_failed INTEGER NOT NULL DEFAULT 0,
  records_read INTEGER NOT NULL DEFAULT 0,
  records_loaded INTEGER NOT NULL DEFAULT 0,
  records_rejected INTEGER NOT NULL DEFAULT 0,
  records_skipped INTEGER NOT NULL DEFAULT 0,
  resources_written INTEGER NOT NULL DEFAULT 0,
  error_code TEXT,
  error_message TEXT,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE INDEX jobs_state ON jobs (state, created_at);

CREATE TABLE tasks (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  job_id TEXT NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
  patient_key TEXT NOT NULL,
  phase TEXT NOT NULL,
  priority INTEGER NOT NULL DEFAULT 0,
  state TEXT NOT NULL DEFAULT 'pending',
  attempts INTEGER NOT NULL DEFAULT 0,
  claimed_by TEXT,
  lease_expires_at INTEGER,
  error_code TEXT,
  error_message TEXT,
  updated_at INTEGER NOT NULL,
  UNIQUE (job_id, patient_key, phase)
);
CREATE INDEX tasks_claimable ON tasks (job_id, state, priority, id);

CREATE TABLE ledger (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
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
  updated_at INTEGER NOT NULL,
  -- record first: the delta lookup across jobs uses this index's prefix
  UNIQUE (source, kind, record_key, job_id)
);
CREATE INDEX ledger_job ON ledger (job_id, outcome, error_code);

CREATE TABLE id_map (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
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
  seq INTEGER PRIMARY KEY,
  at TEXT NOT NULL,
  type TEXT NOT NULL,
  payload TEXT NOT NULL,
  prev_hash TEXT NOT NULL,
  hash TEXT NOT NULL
);

CREATE TABLE export_files (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  export_id TEXT NOT NULL,
  job_id TEXT,
  type TEXT NOT NULL,
  path TEXT NOT NULL,
  count INTEGER NOT NULL,
  created_at INTEGER NOT NULL
);
CREATE INDEX export_files_export ON export_files (export_id, id);
`,
  },
  // 2: Bulk Data $export state (restart-safe exports).
  { version: 2, sql: exportsTableSql('INTEGER') },
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
  { version: 4, sql: PATIENT_CLUSTERED_KEYS },
];
