import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

jest.setTimeout(120_000); // each case spawns the real CLI (loads the R4 definitions)

const ROOT = join(__dirname, '..', '..');
const NODE = join(ROOT, 'node_modules', '.bin', 'node');
const US_CORE = join(ROOT, '..', 'shared', 'fhir-packages', 'hl7.fhir.us.core');

interface DemoReport {
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
  });

  it('is deterministic: two runs give the same report', () => {
    expect(runDemo('--patients', '10').report).toEqual(runDemo('--patients', '10').report);
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
