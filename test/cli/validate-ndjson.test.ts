import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConformanceContext, readNdjsonLines } from '../../src/runtime/index.ts';
import type { NdjsonLine } from '../../src/runtime/index.ts';
import { validateResource } from '../../src/validation/index.ts';

/**
 * `fhir-migrate validate` on NDJSON (Bulk Data IG §"Bulk Data Output File Format": one resource per
 * line, newline-delimited), through the real command in a child process. Contract: one
 * OperationOutcome per file; each issue located by its line as the HL7 validator does (location
 * `Line[n]`, extension operationoutcome-issue-line), FHIRPath `expression` kept.
 */
const repo = join(__dirname, '..', '..');
const node = join(repo, 'node_modules', '.bin', 'node');
const usCore = join(repo, '..', 'shared', 'fhir-packages', 'hl7.fhir.us.core');
const syntheaDir = join(repo, '..', 'shared', 'testdata', 'synthea', 'fhir');
const scratch = mkdtempSync(join(tmpdir(), 'fhirmig-ndjson-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const LINE = 'http://hl7.org/fhir/StructureDefinition/operationoutcome-issue-line';
const COL = 'http://hl7.org/fhir/StructureDefinition/operationoutcome-issue-col';
const TEXT = { status: 'generated', div: '<div xmlns="http://www.w3.org/1999/xhtml">x</div>' };

function write(name: string, content: string): string {
  const path = join(scratch, name);
  writeFileSync(path, content);
  return path;
}

function validate(...args: string[]): { status: number | null; outcomes: fhir4.OperationOutcome[] } {
  const child = spawnSync(node, ['bin/fhir-migrate.js', 'validate', ...args], { cwd: repo, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  const lines = child.stdout.split('\n').filter((l) => l !== '');
  return { status: child.status, outcomes: lines.map((l) => JSON.parse(l) as fhir4.OperationOutcome) };
}

const lineOf = (i: fhir4.OperationOutcomeIssue): number | undefined => i.extension?.find((e) => e.url === LINE)?.valueInteger;
const brief = (i: fhir4.OperationOutcomeIssue) => [lineOf(i), i.severity, i.code, i.expression?.[0], i.location?.[0]];
const patient = (id: string, extra: Record<string, unknown> = {}) => JSON.stringify({ resourceType: 'Patient', id, text: TEXT, ...extra });

jest.setTimeout(180_000);

describe('fhir-migrate validate FILE.ndjson', () => {
  it('gathers every line\'s issues in line order, located by line; empty lines skipped; a non-JSON line is fatal with line and column', () => {
    const file = write('mixed.ndjson', [
      patient('ok1', { gender: 'female' }),
      patient('bad', { gender: 'xyz', birthDate: '1970-13-01' }),
      '',
      '   ',
      '{"resourceType": "Patient", "id": }',
      `${patient('crlf', { birthDate: '2001-02-30' })}\r`,
      patient('ok2'),
    ].join('\n'));
    const run = validate(file);
    expect(run.status).toBe(1);
    expect(run.outcomes).toHaveLength(1);
    const issues = run.outcomes[0]?.issue ?? [];
    expect(issues.map(brief)).toEqual([
      [2, 'error', 'code-invalid', 'Patient.gender', 'Line[2]'],
      [2, 'error', 'value', 'Patient.birthDate', 'Line[2]'],
      [5, 'fatal', 'structure', undefined, 'Line[5] Col[35]'],
      [6, 'error', 'value', 'Patient.birthDate', 'Line[6]'],
    ]);
    const fatal = issues[2];
    expect(fatal?.diagnostics).toBe('Line 5, column 35: Not valid JSON: Unexpected token \'}\', ..."t", "id": }" is not valid JSON');
    expect(fatal?.extension).toEqual([{ url: LINE, valueInteger: 5 }, { url: COL, valueInteger: 35 }]);
    expect(fatal?.details?.coding?.[0]?.code).toBe('FHIRMIG_ERR_INPUT_JSON');
  });

  it('an all-valid file is one "All OK" outcome (exit 0); an empty one is a warning; a .json file holding NDJSON is detected', () => {
    const good = write('good.ndjson', `${patient('a')}\n${patient('b')}\n`);
    const empty = write('empty.ndjson', '\n\n');
    const disguised = write('lines.json', `${patient('a')}\n${patient('b', { gender: 'xyz' })}\n`);
    const run = validate(good, empty, disguised);
    expect(run.status).toBe(1);
    expect(run.outcomes[0]?.issue).toEqual([{ severity: 'information', code: 'informational', diagnostics: 'All OK' }]);
    expect(run.outcomes[1]?.issue.map((i) => [i.severity, i.diagnostics])).toEqual([['warning', 'The NDJSON file holds no resource (every line is empty).']]);
    expect(run.outcomes[2]?.issue.map(brief)).toEqual([[2, 'error', 'code-invalid', 'Patient.gender', 'Line[2]']]);
    expect(validate(good, empty).status).toBe(0);
  });

  it('--profile applies to every line; an unknown profile is one error outcome for the file, not one per line', () => {
    const file = write('profiled.ndjson', `${patient('a')}\n${patient('b')}\n`);
    const run = validate(file, '--profile', 'http://example.org/StructureDefinition/unknown');
    expect(run.status).toBe(1);
    expect(run.outcomes[0]?.issue.map((i) => i.details?.coding?.[0]?.code)).toEqual(['FHIRMIG_ERR_VALIDATION_PROFILE_NOT_FOUND']);
    const usCorePatient = validate(file, '--ig', usCore, '--profile', 'http://hl7.org/fhir/us/core/StructureDefinition/us-core-patient');
    const required = (usCorePatient.outcomes[0]?.issue ?? []).filter((i) => i.severity === 'error').map((i) => [lineOf(i), i.diagnostics?.split(':')[0]]);
    expect(required).toEqual([
      [1, 'Patient.identifier'], [1, 'Patient.name'], [1, 'Patient.gender'],
      [2, 'Patient.identifier'], [2, 'Patient.name'], [2, 'Patient.gender'],
    ]);
  });

  it('a Synthea export as NDJSON (R4 + US Core): each line reports exactly what validating that resource alone reports', () => {
    const bundle = JSON.parse(readFileSync(join(syntheaDir, readdirSync(syntheaDir).sort()[0] ?? ''), 'utf8')) as fhir4.Bundle;
    const resources = (bundle.entry ?? []).map((e) => e.resource).filter((r) => r !== undefined);
    expect(resources.length).toBeGreaterThan(100);
    const file = write('synthea.ndjson', `${resources.map((r) => JSON.stringify(r)).join('\n')}\n`);
    const run = validate(file, '--ig', usCore);
    const context = loadConformanceContext({ load: [], igs: [usCore], cwd: repo });
    const expected = resources.flatMap((resource, index) => {
      const outcome = validateResource(context, resource);
      if (outcome.issue.length === 1 && outcome.issue[0]?.diagnostics === 'All OK') return [];
      return outcome.issue.map((issue) => [index + 1, issue.severity, issue.code, issue.expression?.[0], issue.diagnostics]);
    });
    const actual = (run.outcomes[0]?.issue ?? []).map((i) => [lineOf(i), i.severity, i.code, i.expression?.[0], i.diagnostics]);
    expect(actual).toEqual(expected);
    expect(actual.length).toBeGreaterThan(0); // Synthea's export has genuine US Core findings to locate
    expect(run.status).toBe(expected.some((e) => e[1] === 'error' || e[1] === 'fatal') ? 1 : 0);
  });

  it('streams a 10,000-line file and names the one bad line', () => {
    const lines = Array.from({ length: 10_000 }, (_, i) => patient(`p${i}`, i === 9_876 ? { gender: 'xyz' } : { gender: 'male' }));
    const file = write('big.ndjson', `${lines.join('\n')}\n`);
    const started = Date.now();
    const run = validate(file);
    const seconds = (Date.now() - started) / 1000;
    expect(run.outcomes[0]?.issue.map(brief)).toEqual([[9_877, 'error', 'code-invalid', 'Patient.gender', 'Line[9877]']]);
    expect(run.status).toBe(1);
    expect(seconds).toBeLessThan(60);
  });
});

describe('readNdjsonLines (the streaming reader)', () => {
  async function collect(path: string, maxLineBytes?: number): Promise<NdjsonLine[]> {
    const out: NdjsonLine[] = [];
    for await (const line of readNdjsonLines(path, repo, maxLineBytes)) out.push(line);
    return out;
  }

  it('splits lines across read chunks (64 KiB), strips CR and the BOM, reads a last line without newline', async () => {
    const long = 'x'.repeat(150_000);
    const file = write('chunks.ndjson', `\uFEFFfirst\r\n${long}\n\nlast`);
    const lines = await collect(file);
    expect(lines.map((l) => [l.line, l.text?.length])).toEqual([[1, 5], [2, 150_000], [3, 0], [4, 4]]);
    expect(lines[0]?.text).toBe('first');
  });

  it('a line over the limit is not held in memory: only its length is reported, and the next lines still come', async () => {
    const file = write('too-long.ndjson', `${'y'.repeat(200_000)}\nafter\n`);
    const lines = await collect(file, 100_000);
    expect(lines).toEqual([{ line: 1, bytes: 200_000 }, { line: 2, text: 'after', bytes: 5 }]);
  });

  it('a missing file is FHIRMIG_ERR_INPUT_READ', async () => {
    await expect(collect(join(scratch, 'nope.ndjson'))).rejects.toMatchObject({ code: 'FHIRMIG_ERR_INPUT_READ' });
  });
});

describe('validateNdjsonLines', () => {
  it('a line over the read limit is a fatal FHIRMIG_ERR_INPUT_LINE_TOO_LONG naming the line; the other lines are still validated', async () => {
    const { validateNdjsonLines } = await import('../../src/cli/commands/validate-ndjson.ts');
    const context = loadConformanceContext({ load: [], igs: [], cwd: repo });
    const outcome = await validateNdjsonLines(context, [{ line: 1, bytes: 70_000_000 }, { line: 2, text: patient('x', { gender: 'xyz' }), bytes: 10 }], []);
    expect(outcome.issue.map(brief)).toEqual([[1, 'fatal', 'too-long', undefined, 'Line[1]'], [2, 'error', 'code-invalid', 'Patient.gender', 'Line[2]']]);
    expect(outcome.issue[0]?.details?.coding?.[0]?.code).toBe('FHIRMIG_ERR_INPUT_LINE_TOO_LONG');
    expect(outcome.issue[0]?.diagnostics).toBe('Line 1 is 70000000 bytes long, over the 67108864-byte limit for one resource; not validated.');
  });
});

describe('parseJsonText locates every JSON syntax error (also where V8 names no position)', () => {
  it.each([
    ['{\n  "a": }', 2, 8], // V8: "Unexpected token '}'" without a position
    ['{\n  "a": tru\n}', 2, 8],
    ['{"a":1,}', 1, 8],
    ['[1,\n2', 2, 2],
    ['{"a":1} x', 1, 9],
  ])('%j → line %i, column %i', async (text, line, column) => {
    const { parseJsonText } = await import('../../src/runtime/index.ts');
    expect(() => parseJsonText(text, 'f.json')).toThrow(expect.objectContaining({ code: 'FHIRMIG_ERR_INPUT_JSON', location: { file: 'f.json', line, column } }));
  });
});
