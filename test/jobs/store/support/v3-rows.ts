/**
 * Rows of a job store at schema version 3 (before patient-first keys), the same SQL on both
 * backends: a patient's record, a record of no patient, and a Provenance id whose patient is in
 * its record key (`<patient>/<36-character id>`). Migration tests insert them, then open the store.
 */
export const PROVENANCE_ID = '0f0e0d0c-0b0a-4090-8070-605040302010';

export const V3_ROWS_SQL = `INSERT INTO jobs (id, state, dry_run, spec, created_at, updated_at) VALUES ('j1', 'completed', 0, '{}', 1, 1);
INSERT INTO ledger (job_id, source, kind, locator, record_key, patient_key, outcome, target_ids, content_hash, updated_at, phase) VALUES
  ('j1', 's', 'observations', 'o.csv:2', 'o1', 'pa', 'loaded', '["Observation/a"]', 'h1', 5, 'clinical'),
  ('j1', 's', 'organizations', 'org.csv:2', 'org1', NULL, 'loaded', '["Organization/s"]', 'h2', 5, NULL);
INSERT INTO id_map (job_id, source, kind, record_key, resource_type, target_id, phase) VALUES
  ('j1', 's', 'observations', 'o1', 'Observation', 'a', 'clinical'),
  ('j1', 's', 'organizations', 'org1', 'Organization', 's', NULL),
  ('j1', 's', '(provenance)', 'pa/${PROVENANCE_ID}', 'Provenance', '${PROVENANCE_ID}', 'clinical');`;
