import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AssessmentReport } from '../../src/assessment/index.ts';
import { profileCommand } from '../../src/cli/commands/profile.ts';

/** `fhir-migrate profile` on the Synthea CSV and on a copy with seeded problems. */
const repo = join(__dirname, '..', '..');
const node = join(repo, 'node_modules', '.bin', 'node');
const syntheaCsv = join(repo, '..', 'shared', 'testdata', 'synthea', 'csv');
const scratch = mkdtempSync(join(tmpdir(), 'fhirmig-profile-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const MARGORIE = '515991e2-40dd-22c1-c377-e0b71ad973b9';
const TEMIKA = 'b37f7960-7e9e-f3f7-f891-79ae4f632406';
const MISSING_PATIENT = 'ffffffff-0000-4000-8000-000000000000';
const DUPLICATE = 'dddddddd-0000-4000-8000-000000000001';

interface Run {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly report: AssessmentReport;
  readonly html: string;
}

/** In process (one R4 load for every run); the usage check below runs the real binary. */
async function profile(source: string, out: string, ...extra: string[]): Promise<Run> {
  let stdout = '';
  let stderr = '';
  const io = { stdout: (t: string) => void (stdout += t), stderr: (t: string) => void (stderr += t), cwd: repo, packageRoot: repo };
  const status = await profileCommand.run(['--source', `csv:${source}`, '--maps', 'maps/synthea-csv', '--out', out, ...extra], io);
  const report = existsSync(join(out, 'profile.json')) ? (JSON.parse(readFileSync(join(out, 'profile.json'), 'utf8')) as AssessmentReport) : (undefined as unknown as AssessmentReport);
  const html = existsSync(join(out, 'profile.html')) ? readFileSync(join(out, 'profile.html'), 'utf8') : '';
  return { status, stdout, stderr, report, html };
}

const lines = (file: string): string[] => readFileSync(join(syntheaCsv, file), 'utf8').trimEnd().split('\n');

/** patients + encounters + conditions of the Synthea export, with five problems seeded in. */
function seededCopy(): string {
  const dir = join(scratch, 'seeded');
  mkdirSync(dir);
  const [header = '', ...patients] = lines('patients.csv');
  const columns = header.split(',');
  const at = (name: string): number => columns.indexOf(name);
  const rows = patients.map((line) => line.split(','));
  const margorie = rows.find((r) => r[0] === MARGORIE) as string[];
  const duplicate = [...margorie];
  duplicate[0] = DUPLICATE;
  duplicate[at('FIRST')] = 'Margroie48';
  for (const row of rows) {
    if (row[0] === TEMIKA) row[at('GENDER')] = 'U';
    if (row[0] === '6fc4436c-20cc-50f7-cabc-a19442b5837e') row[at('BIRTHDATE')] = '2000-02-30';
  }
  const withFlag = [...rows, duplicate].map((r, i) => [...r, i % 2 === 0 ? 'Y' : ''].join(','));
  writeFileSync(join(dir, 'patients.csv'), [`${header},LEGACY_FLAG`, ...withFlag].join('\n') + '\n');
  const [encounterHeader = '', first = '', ...encounters] = lines('encounters.csv');
  const orphan = first.split(',');
  orphan[0] = 'eeeeeeee-0000-4000-8000-000000000001';
  orphan[3] = MISSING_PATIENT;
  writeFileSync(join(dir, 'encounters.csv'), [encounterHeader, first, ...encounters, orphan.join(',')].join('\n') + '\n');
  writeFileSync(join(dir, 'conditions.csv'), readFileSync(join(syntheaCsv, 'conditions.csv')));
  return dir;
}

describe('fhir-migrate profile', () => {
  let synthea: Run;
  let seeded: Run;
  let seededStrict: Run;
  beforeAll(async () => {
    synthea = await profile(syntheaCsv, join(scratch, 'synthea'), '--strict');
    const dir = seededCopy();
    seeded = await profile(dir, join(scratch, 'seeded-out'));
    seededStrict = await profile(dir, join(scratch, 'seeded-strict'), '--strict');
  }, 120_000);

  it('profiles the whole Synthea export: inventory, no orphans, no duplicates, every field decided', () => {
    expect(synthea.stderr).toBe('');
    expect(synthea.status).toBe(0);
    const { summary, inventory } = synthea.report;
    expect(summary).toMatchObject({ records: 11969, rejected: 0, kinds: 18, invalidValues: 0, codesOutsideCodeSystem: 0, duplicateCandidates: 0, orphanRecords: 0, undecidedFields: 0, mappingFailures: 0 });
    expect(inventory.find((k) => k.kind === 'observations')).toMatchObject({ records: 3626, withPatient: 3626 });
    expect(inventory.find((k) => k.kind === 'patients')?.columns).toHaveLength(27);
    const patients = synthea.report.columns.filter((c) => c.kind === 'patients');
    expect(patients.find((c) => c.column === 'DEATHDATE')).toMatchObject({ present: 1, empty: 10, emptyRate: 0.9091, declaredType: 'date' });
    expect(patients.find((c) => c.column === 'SSN')).toMatchObject({ distinct: 11, patterns: [{ pattern: '999-99-9999', count: 11 }] });
    expect(patients.find((c) => c.column === 'SUFFIX')).toMatchObject({ present: 0, emptyRate: 1 });
    expect(JSON.parse(synthea.stdout).summary.records).toBe(11969);
    // undeclared columns get the type almost all their values have; the rest are suspects
    expect(synthea.report.summary.inferredTypeOutliers).toBe(2);
    const phone = synthea.report.columns.find((c) => c.kind === 'organizations' && c.column === 'PHONE');
    expect(phone).toMatchObject({ inferredType: 'decimal', invalid: { count: 2, reason: 'not a decimal number' } });
    expect(synthea.report.columns.find((c) => c.kind === 'encounters' && c.column === 'BASE_ENCOUNTER_COST')?.inferredType).toBe('decimal');
  });

  it('reports the codes the Synthea maps leave untranslated, per source field', () => {
    const unmapped = synthea.report.unmappedCodes;
    expect(synthea.report.summary.unmappedCodes).toBe(unmapped.reduce((n, u) => n + u.count, 0));
    expect(unmapped.every((u) => u.kind === 'observations' && u.field === 'VALUE' && u.conceptMap.endsWith('synthea-observation-answer'))).toBe(true);
    expect(synthea.report.summary.unmappedCodes).toBeGreaterThan(0);
  });

  it('finds the duplicated patient with a typo, with the evidence', () => {
    expect(seeded.report.duplicates).toHaveLength(1);
    const [candidate] = seeded.report.duplicates;
    expect(candidate?.patients.map((p) => p.key)).toEqual([MARGORIE, DUPLICATE]);
    expect(candidate?.patients[1]).toMatchObject({ name: 'Margroie48 Cormier289', birthDate: '1987-04-27', sex: 'F', locator: 'patients.csv:13' });
    expect(candidate?.reasons).toEqual(['same birth date and sex, name similarity 0.987', 'same identifier DRIVERS', 'same identifier PASSPORT', 'same identifier SSN']);
    expect(candidate?.sharedIdentifiers.map((i) => i.column)).toEqual(['SSN', 'DRIVERS', 'PASSPORT']);
  });

  it('finds the orphan encounter', () => {
    expect(seeded.report.orphans).toEqual([{ kind: 'encounters', patientKey: MISSING_PATIENT, records: 1, samples: ['encounters.csv:390'] }]);
    expect(seeded.report.summary.orphanRecords).toBe(1);
  });

  it('finds the unknown gender code: outside the ConceptMap, and untranslated by the map', () => {
    const gender = seeded.report.columns.find((c) => c.kind === 'patients' && c.column === 'GENDER');
    expect(gender?.codeSystem).toEqual({ conceptMap: 'https://fhir-migrate.dev/ConceptMap/synthea-gender', outside: 1, codes: [{ code: 'U', count: 1 }] });
    expect(seeded.report.unmappedCodes).toContainEqual({ kind: 'patients', field: 'GENDER', conceptMap: 'https://fhir-migrate.dev/ConceptMap/synthea-gender', code: 'U', count: 1 });
  });

  it('finds the impossible date without losing the record', () => {
    const birthDate = seeded.report.columns.find((c) => c.kind === 'patients' && c.column === 'BIRTHDATE');
    expect(birthDate?.invalid).toEqual({ count: 1, reason: 'not a real date (YYYY-MM-DD)', patterns: [{ pattern: '9999-99-99', count: 1 }], samples: ['patients.csv:4'] });
    expect(seeded.report.inventory.find((k) => k.kind === 'patients')).toMatchObject({ records: 12, rejected: 0 });
  });

  it('lists the undecided extra column; --strict fails on it, and still writes the report', () => {
    const undecided = seeded.report.decisions.filter((d) => d.seen && d.decision === 'undecided');
    expect(undecided).toEqual([{ kind: 'patients', column: 'LEGACY_FLAG', seen: true, decision: 'undecided', note: 'no decision for this column' }]);
    expect(seeded.status).toBe(0);
    expect(seededStrict.status).toBe(1);
    expect(seededStrict.stderr).toContain('patients.LEGACY_FLAG');
    expect(seededStrict.report.summary.undecidedFields).toBe(1);
  });

  it('writes the HTML page with every section and the seeded findings', () => {
    for (const id of ['summary', 'inventory', 'columns', 'invalid-values', 'duplicates', 'orphans', 'unmapped-codes', 'decisions']) {
      expect(seeded.html).toContain(`<section id="${id}">`);
    }
    expect(seeded.html).toContain(DUPLICATE);
    expect(seeded.html).toContain(MISSING_PATIENT);
    expect(seeded.html).toContain('LEGACY_FLAG');
    expect(seeded.html).toContain('<svg class="chart"');
    expect(seeded.html).not.toMatch(/<(script|link|img)\b/);
  });

  it('answers a usage error with an OperationOutcome', () => {
    const child = spawnSync(node, ['bin/fhir-migrate.js', 'profile'], { cwd: repo, encoding: 'utf8' });
    expect(child.status).toBe(1);
    expect(child.stdout).toContain('FHIRMIG_ERR_CLI_USAGE');
  });
});
