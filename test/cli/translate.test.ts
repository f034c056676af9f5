import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The `fhir-migrate translate` contract, checked from outside: the real command in a child process. */
const repo = join(__dirname, '..', '..');
const node = join(repo, 'node_modules', '.bin', 'node');
const fixtures = 'test/mapping/conceptmap/fixtures';
const scratch = mkdtempSync(join(tmpdir(), 'fhirmig-translate-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

interface Run {
  status: number | null;
  json: { resourceType: string; parameter?: fhir4.ParametersParameter[]; issue?: fhir4.OperationOutcomeIssue[] };
  stdout: string;
}

function translate(...args: string[]): Run {
  const child = spawnSync(node, ['bin/fhir-migrate.js', 'translate', ...args], { cwd: repo, encoding: 'utf8' });
  let json: Run['json'] = { resourceType: '(not JSON)' };
  try {
    json = JSON.parse(child.stdout);
  } catch {
    // left as "(not JSON)": the assertions say what was expected
  }
  return { status: child.status, json, stdout: child.stdout };
}

const errorCode = (run: Run): string | undefined => run.json.issue?.[0]?.details?.coding?.[0]?.code;
const matchCodes = (run: Run): (string | undefined)[] =>
  (run.json.parameter ?? []).filter((p) => p.name === 'match').map((p) => p.part?.find((x) => x.name === 'concept')?.valueCoding?.code);

describe('fhir-migrate translate', () => {
  it('prints the $translate Parameters of R4 example 101 (home → H) and exits 0', () => {
    const run = translate('--conceptmap', `${fixtures}/101.json`, '--system', 'http://hl7.org/fhir/address-use', '--code', 'home');
    expect(run.status).toBe(0);
    expect(run.json).toEqual({
      resourceType: 'Parameters',
      parameter: [
        { name: 'result', valueBoolean: true },
        {
          name: 'match',
          part: [
            { name: 'equivalence', valueCode: 'equivalent' },
            { name: 'concept', valueCoding: { system: 'http://terminology.hl7.org/CodeSystem/v3-AddressUse', code: 'H', display: 'home' } },
            { name: 'source', valueUri: 'http://hl7.org/fhir/ConceptMap/101' },
          ],
        },
      ],
    });
  });

  it('exits 0 with result false and a message when the code has no mapping', () => {
    const run = translate('--conceptmap', 'conceptmaps/v2-0078-interpretation.json', '--system', 'http://terminology.hl7.org/CodeSystem/v2-0078', '--code', 'ZZ');
    expect(run.status).toBe(0);
    expect(run.json.parameter).toEqual([
      { name: 'result', valueBoolean: false },
      {
        name: 'message',
        valueString:
          "No mapping found for code 'ZZ' in system 'http://terminology.hl7.org/CodeSystem/v2-0078' in ConceptMap https://fhir-migrate.dev/ConceptMap/v2-0078-interpretation.",
      },
    ]);
  });

  it('translates a product map: v2 0078 HH → v3 ObservationInterpretation HH', () => {
    const run = translate('--conceptmap', 'conceptmaps/v2-0078-interpretation.json', '--system', 'http://terminology.hl7.org/CodeSystem/v2-0078', '--code', 'HH');
    expect(run.status).toBe(0);
    expect(run.json.parameter?.[1]?.part?.[1]).toEqual({
      name: 'concept',
      valueCoding: { system: 'http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation', code: 'HH', display: 'Critical high' },
    });
  });

  it('--reverse translates a target code back, inverting narrower to wider', () => {
    const run = translate('--conceptmap', `${fixtures}/103.json`, '--system', 'http://hl7.org/fhir/sid/icd-10-us', '--code', 'S52.209A', '--reverse');
    expect(run.status).toBe(0);
    expect(run.json.parameter?.[1]?.part?.slice(0, 2)).toEqual([
      { name: 'equivalence', valueCode: 'wider' },
      { name: 'concept', valueCoding: { system: 'http://snomed.info/sct', code: '263204007', display: 'Fracture of shaft of ulna' } },
    ]);
  });

  it('--target-system keeps only the groups mapping into that system', () => {
    const args = ['--conceptmap', `${fixtures}/multi-group.json`, '--system', 'http://terminology.hl7.org/CodeSystem/v2-0001', '--code', 'F'];
    expect(matchCodes(translate(...args))).toEqual(['female', 'F']);
    expect(matchCodes(translate(...args, '--target-system', 'http://terminology.hl7.org/CodeSystem/v3-AdministrativeGender'))).toEqual(['F']);
  });

  it('--dependency satisfies dependsOn (ELEMENT=SYSTEM|CODE or a bare value); products are printed', () => {
    const base = ['--conceptmap', `${fixtures}/depends-on.json`, '--system', 'http://example.org/fhir-migrate/test/lab-codes'];
    const glucose = translate(...base, '--code', 'GLU', '--dependency', 'http://example.org/fhir-migrate/test/specimen-type=http://example.org/fhir-migrate/test/specimen|BLD');
    expect(matchCodes(glucose)).toEqual(['2339-0']);
    const bare = translate(...base, '--code', 'GLU', '--dependency', 'SER');
    expect(matchCodes(bare)).toEqual(['2345-7']);
    const sodium = translate(...base, '--code', 'NA');
    expect(sodium.json.parameter?.[1]?.part?.filter((p) => p.name === 'product').length).toBe(2);
  });

  it('follows other-map through maps loaded with --conceptmaps', () => {
    const run = translate('--conceptmap', `${fixtures}/chain-a.json`, '--conceptmaps', fixtures, '--system', 'http://example.org/fhir-migrate/test/legacy-status', '--code', 'C');
    expect(run.status).toBe(0);
    expect(run.json.parameter?.[1]?.part).toEqual([
      { name: 'equivalence', valueCode: 'wider' },
      { name: 'concept', valueCoding: { system: 'http://hl7.org/fhir/observation-status', code: 'cancelled' } },
      { name: 'source', valueUri: 'https://fhir-migrate.dev/test/ConceptMap/chain-c' },
    ]);
  });

  it('fails with FHIRMIG_ERR_CONCEPTMAP_NOT_FOUND when other-map names a map that was not loaded', () => {
    const run = translate('--conceptmap', `${fixtures}/chain-a.json`, '--system', 'http://example.org/fhir-migrate/test/legacy-status', '--code', 'C');
    expect(run.status).toBe(1);
    expect(run.json.resourceType).toBe('OperationOutcome');
    expect(errorCode(run)).toBe('FHIRMIG_ERR_CONCEPTMAP_NOT_FOUND');
  });

  it('fails with FHIRMIG_ERR_CONCEPTMAP_RECURSION on an other-map cycle', () => {
    const run = translate('--conceptmap', `${fixtures}/cycle-a.json`, '--conceptmaps', fixtures, '--system', 'http://example.org/fhir-migrate/test/legacy-status', '--code', 'Q');
    expect(run.status).toBe(1);
    expect(errorCode(run)).toBe('FHIRMIG_ERR_CONCEPTMAP_RECURSION');
  });

  it('accepts a canonical URL resolved from --conceptmaps', () => {
    const run = translate(
      '--conceptmap', 'https://fhir-migrate.dev/ConceptMap/v2-0001-gender',
      '--conceptmaps', 'conceptmaps',
      '--system', 'http://terminology.hl7.org/CodeSystem/v2-0001', '--code', 'M',
    );
    expect(run.status).toBe(0);
    expect(matchCodes(run)).toEqual(['male']);
  });

  it('fails with FHIRMIG_ERR_CONCEPTMAP_NOT_FOUND for a canonical URL no loaded map has', () => {
    const run = translate('--conceptmap', 'https://fhir-migrate.dev/ConceptMap/nope', '--conceptmaps', 'conceptmaps', '--system', 'http://s', '--code', 'c');
    expect(run.status).toBe(1);
    expect(errorCode(run)).toBe('FHIRMIG_ERR_CONCEPTMAP_NOT_FOUND');
    expect(run.json.issue?.[0]?.diagnostics).toContain('give its file, or its folder with --conceptmaps');
  });

  it('reads a Bundle of ConceptMaps, choosing one with --url; the others resolve other-map', () => {
    const entry = ['chain-a', 'chain-b', 'chain-c'].map((id) => ({ resource: JSON.parse(readFileSync(join(repo, fixtures, `${id}.json`), 'utf8')) }));
    const file = join(scratch, 'bundle.json');
    writeFileSync(file, JSON.stringify({ resourceType: 'Bundle', type: 'collection', entry }));
    const base = ['--conceptmap', file, '--system', 'http://example.org/fhir-migrate/test/legacy-status'];
    expect(matchCodes(translate(...base, '--code', 'C'))).toEqual(['cancelled']);
    expect(matchCodes(translate(...base, '--code', 'A', '--url', 'https://fhir-migrate.dev/test/ConceptMap/chain-b'))).toEqual(['unknown']);
  });

  it.each([
    ['an unreadable file', () => 'no/such/file.json', 'FHIRMIG_ERR_INPUT_READ', 'no/such/file.json'],
    ['a file that is not JSON', () => writeScratch('bad.json', '{\n  "resourceType": "ConceptMap",\n  oops\n}'), 'FHIRMIG_ERR_INPUT_JSON', 'bad.json:3:'],
    ['a ConceptMap without group', () => writeScratch('nogroup.json', JSON.stringify({ resourceType: 'ConceptMap', status: 'draft' })), 'FHIRMIG_ERR_CONCEPTMAP_INVALID', 'nogroup.json: ConceptMap: has no group'],
    ['a Patient', () => writeScratch('patient.json', JSON.stringify({ resourceType: 'Patient' })), 'FHIRMIG_ERR_CONCEPTMAP_INVALID', 'neither a ConceptMap nor a Bundle'],
  ])('fails on %s with an OperationOutcome and exit 1', (_what, file, code, diagnostics) => {
    const run = translate('--conceptmap', file(), '--system', 'http://s', '--code', 'c');
    expect(run.status).toBe(1);
    expect(run.json.resourceType).toBe('OperationOutcome');
    expect(errorCode(run)).toBe(code);
    expect(run.json.issue?.[0]?.diagnostics).toContain(diagnostics);
  });

  it('fails with FHIRMIG_ERR_CLI_USAGE when --code is missing', () => {
    const run = translate('--conceptmap', `${fixtures}/101.json`, '--system', 'http://hl7.org/fhir/address-use');
    expect(run.status).toBe(1);
    expect(errorCode(run)).toBe('FHIRMIG_ERR_CLI_USAGE');
    expect(run.json.issue?.[0]?.diagnostics).toBe('translate: --code is required.');
  });

  it('--help explains the options and the exit status', () => {
    const run = translate('--help');
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('Usage: fhir-migrate translate --conceptmap FILE|URL --system S --code C');
    expect(run.stdout).toContain('0  The translation ran. This includes a code that has no mapping');
  });
});

function writeScratch(name: string, text: string): string {
  const file = join(scratch, name);
  writeFileSync(file, text);
  return file;
}
