import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFhirServer } from '../support/fhir-server.ts';
import type { RunningFhirServer } from '../support/fhir-server.ts';

/** The `fhir-migrate migrate / report / rollback / audit verify` contract, driven as a real child process. */
jest.setTimeout(90_000);

const repo = join(__dirname, '..', '..');
const node = join(repo, 'node_modules', '.bin', 'node');
const csv = `csv:${join(repo, '..', 'shared', 'testdata', 'synthea', 'csv')}`;
const usCore = join(repo, '..', 'shared', 'fhir-packages', 'hl7.fhir.us.core');
const PATIENT_A = 'b37f7960-7e9e-f3f7-f891-79ae4f632406';
const PATIENT_B = '515991e2-40dd-22c1-c377-e0b71ad973b9';
const scratch = mkdtempSync(join(tmpdir(), 'fhirmig-migrate-cli-'));
let server: RunningFhirServer;

beforeAll(async () => {
  server = await startFhirServer();
});
afterAll(async () => {
  await server.close();
  rmSync(scratch, { recursive: true, force: true });
});

interface Run {
  readonly status: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

function cli(args: string[], onStart?: (child: ChildProcess) => void): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(node, ['bin/fhir-migrate.js', ...args], { cwd: repo });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    onStart?.(child);
    child.on('close', (status, signal) => resolve({ status, signal, stdout, stderr }));
  });
}

const json = <T>(run: Run): T => JSON.parse(run.stdout) as T;

interface Report {
  jobId: string;
  state: string;
  balanced: boolean;
  total: { read: number; loaded: number; rejected: number; skipped: number };
  bySourceTable: Record<string, { read: number }>;
  targetCounts?: Record<string, number>;
  targetMismatches?: Record<string, unknown>;
}

async function tagCount(type: string, jobId: string): Promise<number> {
  const response = await fetch(`${server.url}/${type}?_summary=count&_tag=${encodeURIComponent(`https://fhir-migrate.dev/job|${jobId}`)}`);
  return ((await response.json()) as fhir4.Bundle).total ?? -1;
}

it('migrate → report → audit verify → rollback, through the CLI', async () => {
  const store = join(scratch, 'a.sqlite');
  const migrated = await cli(['migrate', '--source', csv, '--target', server.url, '--patient', PATIENT_A, '--store', store, '--ig', usCore, '--report', join(scratch, 'a.json')]);
  expect(migrated.stderr).toMatch(/completed: read \d+ = loaded \d+ \+ rejected 0 \+ skipped \d+ \(balanced\)/);
  expect(migrated.status).toBe(0);
  const report = json<Report>(migrated);
  expect(report.total.loaded).toBeGreaterThan(300);
  expect(report.targetMismatches).toEqual({});
  expect(existsSync(join(scratch, 'a.json'))).toBe(true);
  expect(await tagCount('Patient', report.jobId)).toBe(1);

  const again = await cli(['report', '--job', report.jobId, '--store', store]);
  expect(again.status).toBe(0);
  expect(json<Report>(again).total).toEqual(report.total);

  const audit = await cli(['audit', 'verify', '--store', store]);
  expect(audit.status).toBe(0);
  // start, one per finished phase (critical, clinical, administrative), the job's end
  expect(json<{ ok: boolean; count: number }>(audit)).toMatchObject({ ok: true, count: 5 });

  const unknownPhase = await cli(['rollback', '--job', report.jobId, '--phase', 'billing', '--store', store]);
  expect(unknownPhase.status).not.toBe(0);
  expect(unknownPhase.stdout).toContain('FHIRMIG_ERR_JOB_PHASE');
  const phase = await cli(['rollback', '--job', report.jobId, '--phase', 'administrative', '--store', store]);
  expect(phase.status).toBe(0);
  expect(json<{ phase: string; state: string; deleted: number }>(phase)).toMatchObject({ phase: 'administrative', state: 'completed', deleted: expect.any(Number) });
  expect(await tagCount('Claim', report.jobId)).toBe(0); // billing is gone …
  expect(await tagCount('Patient', report.jobId)).toBe(1); // … critical data stays

  const rolledBack = await cli(['rollback', '--job', report.jobId, '--store', store]);
  expect(rolledBack.status).toBe(0);
  expect(json<{ deleted: number; changedOnTarget: string[] }>(rolledBack).changedOnTarget).toEqual([]);
  for (const type of Object.keys(report.targetCounts ?? {})) expect(await tagCount(type, report.jobId)).toBe(0);
});

it('SIGKILL mid-job, then --resume: no gap, no duplicate', async () => {
  const store = join(scratch, 'kill.sqlite');
  const args = ['--store', store, '--lease-ms', '1000', '--concurrency', '1']; // R4 validation only: keeps the two runs short
  const baseline = server.requestCount();
  const killed = await cli(['migrate', '--source', csv, '--target', server.url, '--patient', PATIENT_A, '--patient', PATIENT_B, ...args], (child) => {
    const timer = setInterval(() => {
      if (server.requestCount() >= baseline + 3) {
        clearInterval(timer);
        child.kill('SIGKILL');
      }
    }, 5);
  });
  expect(killed.signal).toBe('SIGKILL');
  const jobId = /job (\S+): 6 task/.exec(killed.stderr)?.[1] as string;
  expect(jobId).toBeDefined();
  const resumed = await cli(['migrate', '--resume', jobId, ...args]);
  expect(resumed.status).toBe(0);
  const report = json<Report>(resumed);
  expect(report.state).toBe('completed');
  expect(report.balanced).toBe(true);
  expect(report.total.rejected).toBe(0);
  expect(report.bySourceTable['patients']?.read).toBe(2);
  expect(report.targetMismatches).toEqual({});
  expect(await tagCount('Patient', jobId)).toBe(2);
});

it('--phase runs only the named phases; --department selects patients by a source field', async () => {
  const store = join(scratch, 'phase.sqlite');
  const run = await cli(['migrate', '--source', csv, '--target', server.url, '--patient', PATIENT_B, '--phase', 'critical', '--dry-run', '--store', store]);
  expect(run.status).toBe(0);
  expect(run.stderr).toMatch(/job \S+: 1 task/);
  const report = json<Report & { byPhase: Record<string, { read: number }> }>(run);
  expect(Object.keys(report.byPhase)).toEqual(['critical']);
  expect(report.bySourceTable['claims']).toBeUndefined();
  const department = await cli(['migrate', '--source', csv, '--target', server.url, '--department', 'encounters.ENCOUNTERCLASS=snf,hospice', '--phase', 'critical', '--dry-run', '--store', store]);
  expect(department.status).toBe(0);
  expect(department.stderr).toMatch(/job \S+: 2 task/); // two Synthea patients had a skilled-nursing or hospice encounter
  const unknown = await cli(['migrate', '--source', csv, '--target', server.url, '--department', 'encounters.WARD=3', '--dry-run', '--store', store]);
  expect(unknown.status).not.toBe(0);
  expect(unknown.stdout).toContain('FHIRMIG_ERR_SOURCE_FIELD');
  const bad = await cli(['migrate', '--source', csv, '--target', server.url, '--patient', PATIENT_B, '--phase', 'billing', '--store', store]);
  expect(bad.status).not.toBe(0);
  expect(bad.stdout).toContain('FHIRMIG_ERR_JOB_PHASE');
});

it('--threads 1 (mapping and validation in a worker thread) and --threads 0 give the same report, and the command exits', async () => {
  const runs: Run[] = [];
  for (const threads of ['1', '0']) {
    runs.push(await cli(['migrate', '--source', csv, '--target', server.url, '--patient', PATIENT_A, '--dry-run', '--store', join(scratch, `threads-${threads}.sqlite`), '--threads', threads]));
  }
  const reports = runs.map((run) => {
    expect(run.status).toBe(0);
    return Object.fromEntries(Object.entries(json<Record<string, unknown>>(run)).filter(([key]) => key !== 'jobId' && !key.endsWith('At')));
  });
  expect((reports[0] as unknown as Report).total.read).toBeGreaterThan(100);
  expect(reports[0]).toEqual(reports[1]);
  const bad = await cli(['migrate', '--source', csv, '--target', server.url, '--threads', '2', '--store', join(scratch, 'threads-2.sqlite')]);
  expect(bad.status).toBe(1);
  expect(bad.stdout).toContain('--threads must be 0 or 1');
});
