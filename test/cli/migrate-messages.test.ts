import { spawn } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jobStoreOptionsFromLocation, openJobStore } from '../../src/jobs/index.ts';
import type { JobStore, LedgerEntry } from '../../src/jobs/index.ts';
import { startFhirServer } from '../support/fhir-server.ts';
import type { RunningFhirServer } from '../support/fhir-server.ts';

/**
 * Issues 4/5 end to end: `fhir-migrate migrate` over every HL7 v2 and C-CDA sample into the
 * loopback FHIR server, with the package's default map set for the source kind (no --maps). Each
 * message / document is one record that gives many resources; the ends per record are the map
 * sets' own sample tests' (test/maps/hl7v2: 78 mapped, 53 skipped by rule, 8 rejected by US Core
 * us-core-8; test/maps/ccda: 32 mapped, 2 rejected by an invalid dateTime), the report balances
 * (read = loaded + rejected + skipped), every resource on the target carries the job's Provenance
 * (R4 provenance.html: target), and a re-run of the unchanged source writes nothing.
 */
jest.setTimeout(180_000);

const repo = join(__dirname, '..', '..');
const shared = join(repo, '..', 'shared');
const node = join(repo, 'node_modules', '.bin', 'node');
const usCore = join(shared, 'fhir-packages', 'hl7.fhir.us.core');
const HL7 = `hl7v2:${join(shared, 'testdata', 'hl7v2')}`;
const CCDA = `ccda:${join(shared, 'testdata', 'ccda')}`;
const JOB_TAG = 'https://fhir-migrate.dev/job';
const scratch = mkdtempSync(join(tmpdir(), 'fhirmig-migrate-messages-'));
let server: RunningFhirServer;

beforeAll(async () => {
  server = await startFhirServer();
});
afterAll(async () => {
  await server.close();
  rmSync(scratch, { recursive: true, force: true });
});

interface Row {
  read: number;
  loaded: number;
  rejected: number;
  skipped: number;
}
interface Report {
  jobId: string;
  state: string;
  balanced: boolean;
  total: Row;
  bySourceTable: Record<string, Row>;
  targetCounts?: Record<string, number>;
  targetMismatches?: Record<string, unknown>;
}

function migrate(args: string[]): Promise<{ status: number | null; report: Report; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(node, ['bin/fhir-migrate.js', 'migrate', '--target', server.url, '--ig', usCore, ...args], { cwd: repo });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (status) => {
      try {
        resolve({ status, report: JSON.parse(stdout) as Report, stderr });
      } catch {
        reject(new Error(`migrate ${args.join(' ')} printed no report (exit ${status}): ${stderr}`));
      }
    });
  });
}

async function withStore<T>(file: string, use: (store: JobStore) => Promise<T>): Promise<T> {
  const store = await openJobStore(jobStoreOptionsFromLocation(file));
  try {
    return await use(store);
  } finally {
    await store.close();
  }
}

async function outcomes(store: JobStore, jobId: string): Promise<readonly LedgerEntry[]> {
  return (await store.listOutcomes(jobId, { limit: 10_000 })).entries;
}

async function search(query: string): Promise<fhir4.Bundle> {
  return (await (await fetch(`${server.url}/${query}`)).json()) as fhir4.Bundle;
}

/** `Type/id` of every resource the job's Provenance resources name as their target. */
async function provenanceTargets(jobId: string): Promise<Set<string>> {
  const bundle = await search(`Provenance?_tag=${encodeURIComponent(`${JOB_TAG}|${jobId}`)}&_count=1000`);
  const provenances = (bundle.entry ?? []).map((e) => e.resource as fhir4.Provenance);
  return new Set(provenances.flatMap((p) => p.target.map((t) => t.reference ?? '')));
}

const count = async (type: string): Promise<number> => (await search(`${type}?_summary=count`)).total ?? -1;
const byType = (ids: readonly string[]): Record<string, number> => {
  const counts: Record<string, number> = {};
  for (const id of ids) counts[id.split('/')[0] as string] = (counts[id.split('/')[0] as string] ?? 0) + 1;
  return counts;
};

// The map sets' own sample tests measure these (test/maps/hl7v2/hl7v2-samples.test.ts, test/maps/ccda/ccda-samples.test.ts).
const HL7_RESOURCES: Record<string, number> = {
  Patient: 78, Encounter: 63, AllergyIntolerance: 22, RelatedPerson: 48, Immunization: 8, ServiceRequest: 15,
  DiagnosticReport: 3, Observation: 43, DocumentReference: 7, MedicationRequest: 6, Appointment: 7,
  Condition: 28, Procedure: 19, Coverage: 32, Organization: 32, ChargeItem: 8, Specimen: 7, Account: 30,
};
const CCDA_RESOURCES: Record<string, number> = {
  Patient: 32, Condition: 47, MedicationRequest: 29, AllergyIntolerance: 44, Immunization: 27, Observation: 214, Encounter: 8, Procedure: 27,
  DocumentReference: 228, FamilyMemberHistory: 8, Goal: 2,
};
const sorted = (o: Record<string, number>): Record<string, number> => Object.fromEntries(Object.entries(o).sort(([a], [b]) => a.localeCompare(b)));

describe('HL7 v2 samples, migrated through the CLI', () => {
  const store = join(scratch, 'hl7.sqlite');
  const routing = JSON.parse(readFileSync(join(repo, 'maps', 'hl7v2', 'messages.json'), 'utf8')) as { skip: Record<string, string> };
  let first: Report;
  let ledger: readonly LedgerEntry[];

  beforeAll(async () => {
    const run = await migrate(['--source', HL7, '--store', store]);
    expect(run.stderr).toMatch(/completed: read 139 = loaded 78 \+ rejected 8 \+ skipped 53 \(balanced\)/);
    expect(run.status).toBe(0);
    first = run.report;
    ledger = await withStore(store, (s) => outcomes(s, first.jobId));
  });

  it('ends every message as the map set does: 78 loaded, 8 rejected, 53 skipped by rule, balanced', () => {
    expect(first.state).toBe('completed');
    expect(first.total).toMatchObject({ read: 139, loaded: 78, rejected: 8, skipped: 53 });
    expect(first.balanced).toBe(true);
    expect(ledger).toHaveLength(139);
  });

  it('writes every resource of every message, each listed in its record\'s target ids, counted per type on the target', () => {
    const targetIds = ledger.filter((e) => e.outcome === 'loaded').flatMap((e) => e.targetIds ?? []);
    expect(new Set(targetIds).size).toBe(targetIds.length);
    expect(sorted(byType(targetIds))).toEqual(sorted(HL7_RESOURCES));
    const { Provenance: provenances, ...resources } = first.targetCounts ?? {};
    expect(sorted(resources)).toEqual(sorted(HL7_RESOURCES));
    expect(provenances).toBeGreaterThan(0);
    expect(first.targetMismatches).toEqual({});
  });

  it('records each skipped message with its type\'s rule from messages.json', () => {
    const skipped = ledger.filter((e) => e.outcome === 'skipped');
    expect(skipped).toHaveLength(53);
    for (const e of skipped) expect(e.errorCode).toBe(`archived: ${routing.skip[e.ref.kind]}`);
  });

  it('rejects the 8 messages US Core refuses, with issues that name the resource and the element (us-core-8)', () => {
    const rejected = ledger.filter((e) => e.outcome === 'rejected');
    expect(rejected).toHaveLength(8);
    for (const e of rejected) {
      expect(e.errorCode).toBe('FHIRMIG_ERR_VALIDATION_FAILED');
      expect(e.ref.locator).toMatch(/\.hl7#\d+\//);
      expect(e.issues?.some((i) => /^DiagnosticReport\/[0-9a-f-]{36}: .*us-core-8/.test(i.diagnostics ?? '') && (i.expression?.length ?? 0) > 0)).toBe(true);
    }
  });

  it('gives every written resource the job\'s Provenance (R4 provenance.html: Provenance.target)', async () => {
    const targets = await provenanceTargets(first.jobId);
    for (const id of ledger.flatMap((e) => e.targetIds ?? [])) expect(targets.has(id)).toBe(true);
  });

  it('resolves a message\'s references to its own resources (Encounter.subject → the message\'s Patient)', async () => {
    const record = ledger.find((e) => e.outcome === 'loaded' && e.ref.kind === 'ADT^A01' && (e.targetIds ?? []).some((t) => t.startsWith('Encounter/')));
    const encounterId = (record?.targetIds ?? []).find((t) => t.startsWith('Encounter/')) as string;
    const encounter = (await (await fetch(`${server.url}/${encounterId}`)).json()) as fhir4.Encounter;
    expect(record?.targetIds).toContain(encounter.subject?.reference);
  });

  it('writes nothing on a re-run of the unchanged source: loaded records skip as unchanged', async () => {
    const patientsBefore = await count('Patient');
    const again = await migrate(['--source', HL7, '--store', store]);
    expect(again.status).toBe(0);
    expect(again.report.total).toMatchObject({ read: 139, loaded: 0, rejected: 8, skipped: 131 });
    const entries = await withStore(store, (s) => outcomes(s, again.report.jobId));
    expect(entries.filter((e) => e.errorCode === 'unchanged-since-previous-load')).toHaveLength(78);
    expect(await count('Patient')).toBe(patientsBefore);
    expect((await search(`Patient?_summary=count&_tag=${encodeURIComponent(`${JOB_TAG}|${again.report.jobId}`)}`)).total).toBe(0);
  });

  it('scopes a job to one patient key (PID-3): only that patient\'s messages are read', async () => {
    const patientKey = ledger.find((e) => e.outcome === 'loaded' && e.patientKey !== undefined)?.patientKey as string;
    const own = ledger.filter((e) => e.patientKey === patientKey);
    const scoped = await migrate(['--source', HL7, '--store', join(scratch, 'hl7-one.sqlite'), '--patient', patientKey]);
    expect(scoped.status).toBe(0);
    expect(scoped.report.total.read).toBe(own.length);
    const entries = await withStore(join(scratch, 'hl7-one.sqlite'), (s) => outcomes(s, scoped.report.jobId));
    expect(entries.every((e) => e.patientKey === patientKey)).toBe(true);
  });
});

describe('C-CDA samples, migrated through the CLI', () => {
  const store = join(scratch, 'ccda.sqlite');
  let first: Report;
  let ledger: readonly LedgerEntry[];

  beforeAll(async () => {
    const run = await migrate(['--source', CCDA, '--store', store]);
    expect(run.stderr).toMatch(/completed: read 34 = loaded 32 \+ rejected 2 \+ skipped 0 \(balanced\)/);
    first = run.report;
    ledger = await withStore(store, (s) => outcomes(s, first.jobId));
  });

  it('loads 32 documents with all their resources and rejects 2 with a located dateTime issue', async () => {
    expect(first.total).toMatchObject({ read: 34, loaded: 32, rejected: 2, skipped: 0 });
    expect(first.balanced).toBe(true);
    const targetIds = ledger.filter((e) => e.outcome === 'loaded').flatMap((e) => e.targetIds ?? []);
    expect(sorted(byType(targetIds))).toEqual(sorted(CCDA_RESOURCES));
    const { Provenance: _provenances, ...resources } = first.targetCounts ?? {};
    expect(sorted(resources)).toEqual(sorted(CCDA_RESOURCES));
    const rejected = ledger.filter((e) => e.outcome === 'rejected');
    expect(rejected.map((e) => e.ref.kind)).toEqual(['TransferSummary', 'TransferSummary']);
    for (const e of rejected) expect(e.issues?.some((i) => (i.diagnostics ?? '').includes("'2001-30-21' is not a valid dateTime") && (i.expression?.length ?? 0) > 0)).toBe(true);
    const targets = await provenanceTargets(first.jobId);
    for (const id of targetIds) expect(targets.has(id)).toBe(true);
  });

  it('writes nothing on a re-run', async () => {
    const again = await migrate(['--source', CCDA, '--store', store]);
    expect(again.report.total).toMatchObject({ read: 34, loaded: 0, rejected: 2, skipped: 32 });
    expect((await search(`Observation?_summary=count&_tag=${encodeURIComponent(`${JOB_TAG}|${again.report.jobId}`)}`)).total).toBe(0);
  });
});

describe('HL7 v2 routing by messages.json (one map-set loader for CLI, service and intake)', () => {
  /** A copy of maps/hl7v2 whose messages.json is changed by `edit`. */
  function mapSetWith(name: string, edit: (routing: { maps: Record<string, string>; skip: Record<string, string> }) => void): string {
    const dir = join(scratch, name);
    cpSync(join(repo, 'maps', 'hl7v2'), dir, { recursive: true });
    const routing = JSON.parse(readFileSync(join(dir, 'messages.json'), 'utf8')) as { maps: Record<string, string>; skip: Record<string, string> };
    edit(routing);
    writeFileSync(join(dir, 'messages.json'), JSON.stringify(routing));
    return dir;
  }

  it('rejects a message type in neither list with FHIRMIG_ERR_MAP_NOT_FOUND naming the type; the rest still load', async () => {
    const maps = mapSetWith('no-a01', (r) => delete r.maps['ADT^A01']);
    const store = join(scratch, 'no-a01.sqlite');
    const run = await migrate(['--source', HL7, '--maps', maps, '--store', store, '--dry-run']);
    expect(run.report.total).toMatchObject({ read: 139, loaded: 73, rejected: 13, skipped: 53 });
    const unmapped = (await withStore(store, (s) => outcomes(s, run.report.jobId))).filter((e) => e.errorCode === 'FHIRMIG_ERR_MAP_NOT_FOUND');
    expect(unmapped).toHaveLength(5);
    for (const e of unmapped) expect(e.issues?.[0]?.diagnostics).toContain("source kind 'ADT^A01'");
  });

  it('refuses a messages.json that names a map not in the folder, before planning (FHIRMIG_ERR_MAP_NOT_FOUND)', async () => {
    const maps = mapSetWith('bad-file', (r) => (r.maps['ADT^A01'] = 'no-such.map'));
    const child = spawn(node, ['bin/fhir-migrate.js', 'migrate', '--source', HL7, '--maps', maps, '--target', `file:${join(scratch, 'out')}`, '--store', join(scratch, 'bad.sqlite')], { cwd: repo });
    let stdout = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    const status = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(status).toBe(1);
    expect(stdout).toContain('FHIRMIG_ERR_MAP_NOT_FOUND');
    expect(stdout).toContain('messages.json names no-such.map for ADT^A01');
  });
});
