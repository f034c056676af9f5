import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

/** The `transform` command as an outside checker drives it: the real binary, stdout JSON, exit codes. */
const ROOT = join(__dirname, '..', '..');
const CASES = 'test/mapping/structuremap/cases';
const FIXTURES = 'test/mapping/structuremap/cli-fixtures';
const PATH = `${join(ROOT, 'node_modules', '.bin')}:${process.env.PATH ?? ''}`;

// Each run starts a process that loads the R4 definitions; under a loaded full test run that takes a while.
jest.setTimeout(120_000);

interface Run {
  readonly status: number | null;
  readonly json: unknown;
  readonly stdout: string;
}

function transform(...args: string[]): Run {
  const child = spawnSync('node', ['bin/fhir-migrate.js', 'transform', ...args], { cwd: ROOT, env: { ...process.env, PATH }, encoding: 'utf8' });
  let json: unknown;
  try {
    json = JSON.parse(child.stdout);
  } catch {
    json = undefined;
  }
  return { status: child.status, json, stdout: child.stdout };
}

function issueCode(run: Run): string | undefined {
  const outcome = run.json as fhir4.OperationOutcome;
  return outcome.issue[0]?.details?.coding?.[0]?.code;
}

describe('fhir-migrate transform', () => {
  it('runs an FML map with logical models (--model) and prints the result', () => {
    const dir = `${CASES}/tutorial-07b-dependent-group`;
    const run = transform('--map', `${dir}/map.map`, '--source', `${dir}/source.json`, '--model', `${dir}/models`);
    expect(run.status).toBe(0);
    expect(run.json).toEqual({ resourceType: 'TRight', aa: [{ ac: '1' }, { ac: '2' }] });
  });

  it('runs the legacy CSV-row map with --conceptmaps', () => {
    const dir = `${CASES}/legacy-csv-us-core-patient`;
    const run = transform('--map', 'maps/bench/legacy-patient.map', '--source', `${dir}/source.json`, '--conceptmaps', 'maps/bench/conceptmaps');
    expect(run.status).toBe(0);
    const patient = run.json as fhir4.Patient;
    expect(patient.resourceType).toBe('Patient');
    expect(patient.gender).toBe('female');
    expect(patient.identifier?.map((i) => i.system)).toEqual(['https://github.com/synthetichealth/synthea', 'http://hl7.org/fhir/sid/us-ssn', 'urn:oid:2.16.840.1.113883.4.3.25']);
    expect(run.stdout).toContain('\n  "resourceType": "Patient"');
  });

  it('runs a StructureMap JSON map', () => {
    const dir = `${CASES}/source-default-value`;
    const run = transform('--map', `${dir}/map.json`, '--source', `${dir}/source.json`);
    expect(run.status).toBe(0);
    expect(run.json).toEqual({ resourceType: 'Patient', gender: 'unknown' });
  });

  it('resolves imports against the maps in the same folder', () => {
    const dir = `${FIXTURES}/imports`;
    const run = transform('--map', `${dir}/main.map`, '--source', `${dir}/source.json`, '--conceptmaps', 'maps/bench/conceptmaps');
    expect(run.status).toBe(0);
    expect(run.json).toEqual({ resourceType: 'Patient', name: [{ given: ['Ann'], family: 'Lee' }], gender: 'female' });
  });

  it('prints an OperationOutcome naming the group and rule and exits 1 when a check fails', () => {
    const dir = `${CASES}/tutorial-03c-check`;
    const run = transform('--map', `${dir}/map.map`, '--source', `${dir}/source.json`, '--model', `${dir}/models`);
    expect(run.status).toBe(1);
    expect(issueCode(run)).toBe('FHIRMIG_ERR_MAP_CHECK_FAILED');
    const issue = (run.json as fhir4.OperationOutcome).issue[0];
    expect(issue?.expression).toEqual(['group "tutorial" / rule "check_a2"']);
    expect(issue?.diagnostics).toContain('Rule "check_a2" in group "tutorial"');
  });

  it('reports an unresolvable import as FHIRMIG_ERR_MAP_NOT_FOUND', () => {
    const dir = `${CASES}/imports-missing`;
    const run = transform('--map', `${dir}/map.map`, '--source', `${dir}/source.json`);
    expect(run.status).toBe(1);
    expect(issueCode(run)).toBe('FHIRMIG_ERR_MAP_NOT_FOUND');
  });

  it('reports usage errors, unreadable inputs and bad FML as OperationOutcomes with exit 1', () => {
    const usage = transform('--source', 'x.json');
    expect(usage.status).toBe(1);
    expect(issueCode(usage)).toBe('FHIRMIG_ERR_CLI_USAGE');
    const missing = transform('--map', 'maps/bench/legacy-patient.map', '--source', 'no/such/file.json');
    expect(missing.status).toBe(1);
    expect(issueCode(missing)).toBe('FHIRMIG_ERR_INPUT_READ');
    const notAMap = transform('--map', `${FIXTURES}/imports/source.json`, '--source', `${FIXTURES}/imports/source.json`);
    expect(notAMap.status).toBe(1);
    expect(issueCode(notAMap)).toBe('FHIRMIG_ERR_MAP_INVALID');
    const syntax = transform('--map', `${FIXTURES}/broken/broken.map`, '--source', `${FIXTURES}/imports/source.json`);
    expect(syntax.status).toBe(1);
    expect(issueCode(syntax)).toBe('FHIRMIG_ERR_FML_SYNTAX');
    expect((syntax.json as fhir4.OperationOutcome).issue[0]?.diagnostics).toContain('broken.map:4');
  });
});
