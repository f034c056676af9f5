import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AssessmentReport } from '../../src/assessment/index.ts';
import { profileCommand } from '../../src/cli/commands/profile.ts';

/**
 * `fhir-migrate profile` of the HL7 v2 and C-CDA samples with their map sets (issue 4): the map
 * set loads through the migration's loader (routing by messages.json / document.map), so every
 * record is mapped with the rule for its kind and untranslated codes are collected; neither map
 * set carries a decision register, so every field seen is listed undecided and --strict fails.
 */
const repo = join(__dirname, '..', '..');
const testdata = join(repo, '..', 'shared', 'testdata');
const scratch = mkdtempSync(join(tmpdir(), 'fhirmig-profile-msg-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

interface Run {
  readonly status: number;
  readonly stderr: string;
  readonly report: AssessmentReport;
  readonly html: string;
}

async function profile(source: string, out: string, ...extra: string[]): Promise<Run> {
  let stderr = '';
  const io = { stdout: () => undefined, stderr: (t: string) => void (stderr += t), cwd: repo, packageRoot: repo };
  const status = await profileCommand.run(['--source', source, '--out', out, ...extra], io);
  const report = JSON.parse(readFileSync(join(out, 'profile.json'), 'utf8')) as AssessmentReport;
  return { status, stderr, report, html: readFileSync(join(out, 'profile.html'), 'utf8') };
}

const NO_REGISTER = /has no decision register \(decisions\.json\): every field seen is listed undecided/;

describe('profile --source hl7v2: --maps maps/hl7v2', () => {
  let run: Run;
  beforeAll(async () => {
    run = await profile(`hl7v2:${join(testdata, 'hl7v2')}`, join(scratch, 'hl7v2'), '--maps', 'maps/hl7v2');
  }, 60_000);

  it('exits 0 and lists message types (MSH-9) as the kinds', () => {
    expect(run.status).toBe(0);
    const kinds = run.report.inventory.map((k) => k.kind);
    expect(kinds).toEqual(expect.arrayContaining(['ADT^A01', 'ORU^R01', 'ORM^O01', 'VXU^V04', 'SIU^S12']));
    expect(run.report.summary.records).toBeGreaterThan(100);
  });

  it('lists every field seen as undecided, with a note that the map set has no register', () => {
    const seen = run.report.decisions.filter((d) => d.seen);
    expect(seen.length).toBeGreaterThan(0);
    expect(seen.every((d) => d.decision === 'undecided')).toBe(true);
    expect(seen).toEqual(expect.arrayContaining([expect.objectContaining({ kind: 'ADT^A01', column: 'PID' })]));
    expect(run.report.summary.undecidedFields).toBe(seen.length);
    expect(run.report.decisionsNote).toMatch(NO_REGISTER);
    expect(run.html).toMatch(NO_REGISTER);
  });

  it('collects the codes no ConceptMap translates, per message type and rule', () => {
    // ORM^O01 samples carry address use "M", which the v2-0190-address-use ConceptMap does not translate.
    expect(run.report.unmappedCodes).toEqual(expect.arrayContaining([expect.objectContaining({
      kind: 'ORM^O01', conceptMap: 'https://fhir-migrate.dev/ConceptMap/v2-0190-address-use', code: 'M',
    })]));
    expect(run.report.summary.unmappedCodes).toBeGreaterThan(0);
    expect(run.report.summary.mappingFailures).toBe(0);
  });

  it('--strict exits 1 and names the undecided fields (the report is still written)', async () => {
    const out = join(scratch, 'hl7v2-strict');
    mkdirSync(out);
    const strict = await profile(`hl7v2:${join(testdata, 'hl7v2')}`, out, '--maps', 'maps/hl7v2', '--strict');
    expect(strict.status).toBe(1);
    expect(strict.stderr).toMatch(/field\(s\) seen in the data have no decision: .*ADT\^A01\.PID/);
    expect(strict.report.summary.undecidedFields).toBe(run.report.summary.undecidedFields);
  }, 60_000);
});

describe('profile --source ccda: --maps maps/ccda', () => {
  const source = `ccda:${join(testdata, 'ccda')}`;
  let run: Run;
  beforeAll(async () => {
    run = await profile(source, join(scratch, 'ccda'), '--maps', 'maps/ccda');
  }, 60_000);

  it('exits 0, lists document types as the kinds, every document maps without failures', () => {
    expect(run.status).toBe(0);
    expect(run.report.inventory.map((k) => k.kind)).toEqual(expect.arrayContaining(['CCD', 'DischargeSummary', 'ProgressNote']));
    expect(run.report.summary.mappingFailures).toBe(0);
    expect(run.report.unmappedCodes).toEqual([]);
  });

  it('lists every field seen as undecided and notes the missing register', () => {
    const seen = run.report.decisions.filter((d) => d.seen);
    expect(seen.length).toBeGreaterThan(0);
    expect(seen.every((d) => d.decision === 'undecided')).toBe(true);
    expect(run.report.decisionsNote).toMatch(NO_REGISTER);
  });

  it('runs document.map over every document: without its ConceptMaps each one fails in translate()', async () => {
    const empty = join(scratch, 'no-conceptmaps');
    mkdirSync(empty);
    const bare = await profile(source, join(scratch, 'ccda-bare'), '--maps', 'maps/ccda', '--conceptmaps', empty);
    expect(bare.status).toBe(0);
    expect(bare.report.summary.mappingFailures).toBe(bare.report.summary.records);
    expect(bare.report.mappingFailures[0]?.messages[0]).toMatch(/translate\(\)/);
  }, 60_000);

  it('--strict exits 1', async () => {
    const strict = await profile(source, join(scratch, 'ccda-strict'), '--maps', 'maps/ccda', '--strict');
    expect(strict.status).toBe(1);
    expect(strict.stderr).toMatch(/have no decision: .*CCD\./);
  }, 60_000);
});

describe('profile --maps of a folder that does not exist', () => {
  it('fails before reading the source, with the migration loader\'s error code', async () => {
    const io = { stdout: () => undefined, stderr: () => undefined, cwd: repo, packageRoot: repo };
    const run = profileCommand.run(['--source', `hl7v2:${join(testdata, 'hl7v2')}`, '--maps', 'maps/no-such-set', '--out', join(scratch, 'none')], io);
    await expect(run).rejects.toMatchObject({ code: 'FHIRMIG_ERR_CONFIG_INVALID', message: expect.stringMatching(/map set folder maps\/no-such-set does not exist/) });
  });
});
