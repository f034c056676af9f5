import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

jest.setTimeout(120_000); // each case spawns the real CLI (loads the R4 definitions)

const ROOT = join(__dirname, '..', '..');
const NODE = join(ROOT, 'node_modules', '.bin', 'node');
const US_CORE = join(ROOT, '..', 'shared', 'fhir-packages', 'hl7.fhir.us.core');

interface DemoReport {
  job: { id: string; state: string; phases: string[] };
  phases: Record<string, { read: number; loaded: number; rejected: number; skipped: number }>;
  target: Record<string, number>;
  tables: Record<string, { read: number; loaded: number; rejected: number; skipped: number }>;
  resources: Record<string, number>;
  rejected: { ref: string; code: string; reason: string }[];
  skipped: { ref: string; rule: string }[];
  unmappedCodes: { table: string; code: string; count: number }[];
  balanced: boolean;
}

function runDemo(...args: string[]): { status: number | null; report: DemoReport } {
  const child = spawnSync(NODE, ['bin/fhir-migrate.js', 'demo', '--json', ...args], { cwd: ROOT, encoding: 'utf8' });
  if (child.status !== 0) throw new Error(`demo exited ${child.status}: ${child.stdout}${child.stderr}`);
  return { status: child.status, report: JSON.parse(child.stdout) as DemoReport };
}

describe('fhir-migrate demo (the newcomer\'s path, DESIGN.md §1)', () => {
  it('accounts for every generated record: read = loaded + rejected + skipped (DESIGN.md §2)', () => {
    const { report } = runDemo('--patients', '25');
    expect(report.balanced).toBe(true);
    expect(report.tables.patients).toEqual({ read: 25, loaded: 24, rejected: 1, skipped: 0 });
    const labs = report.tables.lab_results!;
    expect(labs.read).toBe(labs.loaded + labs.rejected + labs.skipped);
    expect(report.resources).toEqual({ Patient: 24, Observation: labs.loaded });
    // The dirty rows: an impossible birth date and a non-numeric lab value are rejected by `check`, located by SourceRef.
    expect(report.rejected.map((r) => [r.ref, r.code])).toEqual([
      ['demo-legacy-ehr/patients/patients.csv:2#MRN000001', 'FHIRMIG_ERR_MAP_CHECK_FAILED'],
      ['demo-legacy-ehr/lab_results/lab_results.csv:5#4', 'FHIRMIG_ERR_MAP_CHECK_FAILED'],
    ]);
    expect(report.skipped.every((s) => s.rule.startsWith('patient-not-migrated'))).toBe(true);
    expect(report.unmappedCodes).toEqual([expect.objectContaining({ table: 'patients', code: '9', count: 1 })]);
    // The rejected patient's results are not loaded as orphans: skipped by a named rule.
    expect(report.skipped.length).toBeGreaterThan(0);
  });

  it('runs a real job: priority phases, a Provenance per patient transaction, AuditEvents, all counted back on the NDJSON target', () => {
    const out = mkdtempSync(join(tmpdir(), 'fhirmig-demo-out-'));
    try {
      const { report } = runDemo('--patients', '25', '--out', out);
      expect(report.job).toMatchObject({ state: 'completed', phases: ['critical', 'clinical'] });
      expect(report.phases['critical']).toEqual(report.tables['patients']); // Patients are critical data, lab results clinical history
      expect(report.phases['clinical']).toEqual(report.tables['lab_results']);
      const lines = (type: string): fhir4.Resource[] => readFileSync(join(out, 'target', `${type}.ndjson`), 'utf8').split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as fhir4.Resource);
      const patients = new Set(lines('Patient').map((p) => `Patient/${p.id}`));
      const observations = lines('Observation') as fhir4.Observation[];
      expect(patients.size).toBe(report.resources['Patient']);
      expect(observations).toHaveLength(report.resources['Observation'] as number);
      expect(observations.every((o) => patients.has(o.subject?.reference ?? ''))).toBe(true); // references resolved to the loaded Patients
      const provenanceTargets = new Set(lines('Provenance').flatMap((p) => (p as fhir4.Provenance).target.map((t) => t.reference)));
      for (const key of [...patients, ...observations.map((o) => `Observation/${o.id}`)]) expect(provenanceTargets.has(key)).toBe(true);
      expect(report.target).toMatchObject({ Patient: patients.size, Observation: observations.length, Device: 1 });
      expect(report.target['AuditEvent']).toBe(5); // start, each phase, the job's end
      // The job store stays usable with the other commands.
      const again = spawnSync(NODE, ['bin/fhir-migrate.js', 'report', '--job', report.job.id, '--store', join(out, 'jobs.sqlite')], { cwd: ROOT, encoding: 'utf8' });
      expect(again.status).toBe(0);
      expect((JSON.parse(again.stdout) as { total: { read: number } }).total.read).toBe(25 + (report.tables['lab_results']?.read ?? 0));
      const audit = spawnSync(NODE, ['bin/fhir-migrate.js', 'audit', 'verify', '--store', join(out, 'jobs.sqlite')], { cwd: ROOT, encoding: 'utf8' });
      expect(audit.status).toBe(0);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });

  it('is deterministic: two runs give the same report (but for the new job\'s id)', () => {
    const withoutJobId = (r: DemoReport): DemoReport => ({ ...r, job: { ...r.job, id: '' } });
    const [first, second] = [runDemo('--patients', '10').report, runDemo('--patients', '10').report];
    expect(first.job.id).not.toBe(second.job.id);
    expect(withoutJobId(first)).toEqual(withoutJobId(second));
  });

  it('rejects what US Core 6.1.0 refuses when the IG is loaded (a Patient without gender)', () => {
    const { report } = runDemo('--patients', '25', '--ig', US_CORE);
    expect(report.balanced).toBe(true);
    const validation = report.rejected.filter((r) => r.code === 'FHIRMIG_ERR_VALIDATION_FAILED');
    expect(validation).toEqual([expect.objectContaining({ ref: 'demo-legacy-ehr/patients/patients.csv:3#MRN000002' })]);
    expect(validation[0]!.reason).toContain('Patient.gender');
    expect(report.tables.patients).toEqual({ read: 25, loaded: 23, rejected: 2, skipped: 0 });
  });

  it('refuses a bad --patients value with an OperationOutcome', () => {
    const child = spawnSync(NODE, ['bin/fhir-migrate.js', 'demo', '--patients', 'many'], { cwd: ROOT, encoding: 'utf8' });
    expect(child.status).toBe(1);
    expect(JSON.parse(child.stdout)).toMatchObject({ resourceType: 'OperationOutcome', issue: [{ details: { text: 'FHIRMIG_ERR_CLI_USAGE' } }] });
  });
});
