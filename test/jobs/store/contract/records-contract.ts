import { auditEntryHash, GENESIS_HASH } from '../../../../src/jobs/index.ts';
import type { JobStore, LedgerEntryInput } from '../../../../src/jobs/index.ts';
import { jobSpec, ledgerEntry, uniqueSource } from './harness.ts';
import type { StoreHarness } from './harness.ts';

const ISSUE: fhir4.OperationOutcomeIssue = { severity: 'error', code: 'value', diagnostics: 'bad date', expression: ['Observation.effectiveDateTime'] };

/** 250 records: 150 loaded Observations, 60 rejected (two codes), 40 skipped Patients. */
function mixedBatch(source: string): LedgerEntryInput[] {
  return Array.from({ length: 250 }, (_, i) => {
    if (i < 150) return ledgerEntry(source, 'observations', `o${i}`, { resourceType: 'Observation', targetIds: [`Observation/${i}`], contentHash: `h${i}` });
    if (i < 210) return ledgerEntry(source, 'observations', `o${i}`, { outcome: 'rejected', resourceType: 'Observation', errorCode: i % 2 ? 'FHIRMIG_ERR_SOURCE_VALUE' : 'FHIRMIG_ERR_MAP_CHECK_FAILED', issues: [ISSUE] });
    return ledgerEntry(source, 'patients', `p${i}`, { outcome: 'skipped', resourceType: 'Patient', errorCode: 'deceased-before-cutoff' });
  });
}

export function recordsContract(harness: StoreHarness): void {
  let store: JobStore;
  beforeAll(async () => {
    store = await harness.open();
  });
  afterAll(async () => {
    await store.close();
  });

  it('counts outcomes per kind, per resource type and per error code (read = loaded + rejected + skipped)', async () => {
    const source = uniqueSource();
    const { id } = await store.createJob(jobSpec());
    await store.recordTaskResults(id, mixedBatch(source), []);
    const counts = await store.countOutcomes(id);
    expect(counts.total).toEqual({ read: 250, loaded: 150, rejected: 60, skipped: 40 });
    expect(counts.byKind).toEqual({ observations: { read: 210, loaded: 150, rejected: 60, skipped: 0 }, patients: { read: 40, loaded: 0, rejected: 0, skipped: 40 } });
    expect(counts.byResourceType.Patient).toEqual({ read: 40, loaded: 0, rejected: 0, skipped: 40 });
    expect(counts.rejectedByCode).toEqual({ FHIRMIG_ERR_SOURCE_VALUE: 30, FHIRMIG_ERR_MAP_CHECK_FAILED: 30 });
  });

  it('upserts by record: a retried record updates its row instead of adding one', async () => {
    const source = uniqueSource();
    const { id } = await store.createJob(jobSpec());
    await store.recordTaskResults(id, [ledgerEntry(source, 'observations', 'o1', { outcome: 'rejected', errorCode: 'FHIRMIG_ERR_TARGET_REJECTED' })], []);
    await store.recordTaskResults(id, [
      ledgerEntry(source, 'observations', 'o1', { outcome: 'rejected', errorCode: 'ignored-duplicate' }),
      ledgerEntry(source, 'observations', 'o1', { targetIds: ['Observation/x'], contentHash: 'h2' }),
    ], []);
    const page = await store.listOutcomes(id);
    expect(page.total).toBe(1);
    expect(page.entries[0]).toMatchObject({ jobId: id, outcome: 'loaded', errorCode: undefined, targetIds: ['Observation/x'], contentHash: 'h2', patientKey: undefined, issues: [] });
    expect(page.entries[0]!.ref).toEqual({ source, kind: 'observations', locator: 'observations.csv:o1' });
  });

  it("keys ledger rows and ids by patient: a record is found under the patient it was recorded with", async () => {
    const source = uniqueSource();
    const { id } = await store.createJob(jobSpec());
    await store.recordTaskResults(id, [
      ledgerEntry(source, 'observations', 'o1', { patientKey: 'pa', contentHash: 'ha', targetIds: ['Observation/a'] }),
      ledgerEntry(source, 'observations', 'o1', { patientKey: 'pa', contentHash: 'ha2', targetIds: ['Observation/a'] }),
      ledgerEntry(source, 'organizations', 'org1', { contentHash: 'hs', targetIds: ['Organization/s'] }),
    ], [
      { source, patientKey: 'pa', kind: 'observations', recordKey: 'o1', resourceType: 'Observation', targetId: 'a' },
      { source, kind: 'organizations', recordKey: 'org1', resourceType: 'Organization', targetId: 's' },
    ]);
    await store.recordTaskResults(id, [ledgerEntry(source, 'observations', 'o1', { patientKey: 'pa', contentHash: 'ha3', targetIds: ['Observation/a'] })],
      [{ source, patientKey: 'pa', kind: 'observations', recordKey: 'o1', resourceType: 'Observation', targetId: 'a', versionId: '2' }]);
    const page = await store.listOutcomes(id);
    expect(page.entries.map((e) => [e.recordKey, e.patientKey, e.contentHash])).toEqual([['o1', 'pa', 'ha3'], ['org1', undefined, 'hs']]);
    expect((await store.listIds(id)).map((e) => [e.targetId, e.patientKey, e.versionId])).toEqual([['a', 'pa', '2'], ['s', undefined, undefined]]);
    const found = async (patientKey: string | undefined, kind: string, recordKey: string) => (await store.findPreviousLoads(source, [{ patientKey, kind, recordKey }])).map((p) => p.contentHash);
    expect(await found('pa', 'observations', 'o1')).toEqual(['ha3']);
    expect(await found('pb', 'observations', 'o1')).toEqual([]);
    expect(await found(undefined, 'observations', 'o1')).toEqual([]);
    expect(await found(undefined, 'organizations', 'org1')).toEqual(['hs']);
  });

  it('pages and filters the ledger, keeping located issues', async () => {
    const source = uniqueSource();
    const { id } = await store.createJob(jobSpec());
    await store.recordTaskResults(id, mixedBatch(source), []);
    const last = await store.listOutcomes(id, { limit: 100, offset: 200 });
    expect(last.total).toBe(250);
    expect(last.entries.map((e) => e.recordKey)).toEqual(mixedBatch(source).slice(200).map((e) => e.recordKey));
    const byCode = await store.listOutcomes(id, { outcome: 'rejected', errorCode: 'FHIRMIG_ERR_SOURCE_VALUE', limit: 10 });
    expect(byCode.total).toBe(30);
    expect(byCode.entries).toHaveLength(10);
    expect(byCode.entries[0]!.issues).toEqual([ISSUE]);
    expect((await store.listOutcomes(id, { kind: 'patients', limit: 0 })).total).toBe(40);
  });

  it('finds the last live load of a record across jobs (dry runs excluded)', async () => {
    const source = uniqueSource();
    const load = async (hash: string, dryRun: boolean) => {
      const job = await store.createJob(jobSpec({ dryRun }));
      await store.recordTaskResults(job.id, [ledgerEntry(source, 'patients', 'p1', { contentHash: hash, targetIds: [`Patient/${hash}`] }), ledgerEntry(source, 'patients', 'p2', { outcome: 'rejected' })], []);
      return job.id;
    };
    const first = await load('h1', false);
    await load('h-dry', true);
    const lookups = [
      { patientKey: undefined, kind: 'patients', recordKey: 'p1' },
      { patientKey: undefined, kind: 'patients', recordKey: 'p2' },
      { patientKey: undefined, kind: 'patients', recordKey: 'never-seen' },
    ];
    expect(await store.findPreviousLoads(source, lookups)).toEqual([{ jobId: first, kind: 'patients', recordKey: 'p1', contentHash: 'h1', targetIds: ['Patient/h1'], updatedAt: expect.any(Number) }]);
    await new Promise((resolve) => setTimeout(resolve, 5));
    const third = await load('h3', false);
    expect((await store.findPreviousLoads(source, lookups)).map((p) => [p.jobId, p.contentHash])).toEqual([[third, 'h3']]);
    expect(await store.findPreviousLoads('other-source', lookups)).toEqual([]);
  });

  it('forgets a load whose resources a later rollback deleted (ids are deterministic: the same resources)', async () => {
    const source = uniqueSource();
    const lookups = [{ patientKey: undefined, kind: 'patients', recordKey: 'p1' }];
    const load = async (hash: string, outcome: 'loaded' | 'skipped' = 'loaded') => {
      const job = await store.createJob(jobSpec());
      await store.recordTaskResults(job.id, [ledgerEntry(source, 'patients', 'p1', { outcome, contentHash: hash, targetIds: ['Patient/p1'] })], []);
      await store.recordTaskResults(job.id, [], [{ source, kind: 'patients', recordKey: 'p1', resourceType: 'Patient', targetId: 'p1' }]);
      await new Promise((resolve) => setTimeout(resolve, 3));
      return job.id;
    };
    await load('h1');
    const second = await load('h2');
    expect((await store.findPreviousLoads(source, lookups)).map((p) => p.contentHash)).toEqual(['h2']);
    await load('h-unchanged', 'skipped');
    expect((await store.findPreviousLoads(source, lookups)).map((p) => p.contentHash)).toEqual(['h2']);
    for (const state of ['running', 'completed', 'rolling-back'] as const) await store.transitionJob(second, state);
    expect(await store.findPreviousLoads(source, lookups)).toEqual([]);
    await store.transitionJob(second, 'failed', { error: { code: 'FHIRMIG_ERR_TARGET_UNAVAILABLE', message: 'rollback stopped' } });
    expect((await store.findPreviousLoads(source, lookups)).map((p) => p.contentHash)).toEqual(['h2']);
    await store.setIdStatus(second, (await store.listIds(second)).map((e) => e.seq), 'deleted');
    expect(await store.findPreviousLoads(source, lookups)).toEqual([]);
    const third = await load('h3');
    expect((await store.findPreviousLoads(source, lookups)).map((p) => [p.jobId, p.contentHash])).toEqual([[third, 'h3']]);
  });

  it('keeps the id map in write order, lists it newest first for rollback and tracks status', async () => {
    const { id } = await store.createJob(jobSpec());
    const entry = (type: string, targetId: string, versionId: string) => ({ source: 's', kind: 'patients', recordKey: 'p1', resourceType: type, targetId, versionId, lastUpdated: '2026-01-02T03:04:05.000Z' });
    await store.recordTaskResults(id, [], [entry('Patient', 'a', '1'), entry('Encounter', 'b', '1')]);
    await store.recordTaskResults(id, [], [entry('Observation', 'c', '1'), entry('Patient', 'a', '2')]);
    const written = await store.listIds(id);
    expect(written.map((e) => `${e.resourceType}/${e.targetId}@${e.versionId}`)).toEqual(['Patient/a@2', 'Encounter/b@1', 'Observation/c@1']);
    expect(written[0]).toMatchObject({ jobId: id, status: 'written', lastUpdated: '2026-01-02T03:04:05.000Z', recordKey: 'p1' });
    expect((await store.listIds(id, { order: 'reverse' })).map((e) => e.targetId)).toEqual(['c', 'b', 'a']);
    const seqOf = (targetId: string): number => written.find((e) => e.targetId === targetId)!.seq;
    await store.setIdStatus(id, [seqOf('c')], 'deleted');
    await store.setIdStatus(id, [seqOf('a')], 'changed-on-target');
    expect((await store.listIds(id, { status: 'written' })).map((e) => e.targetId)).toEqual(['b']);
    expect((await store.listIds(id, { status: 'changed-on-target' }))[0]?.versionId).toBe('2');
  });

  it("records a task's ledger rows and ids together, and neither when one part fails (one transaction)", async () => {
    const source = uniqueSource();
    const { id } = await store.createJob(jobSpec());
    const ids = [{ source, kind: 'observations', recordKey: 'o0', resourceType: 'Observation', targetId: '0', phase: 'clinical' }];
    await store.recordTaskResults(id, mixedBatch(source), ids);
    expect((await store.countOutcomes(id)).total).toEqual({ read: 250, loaded: 150, rejected: 60, skipped: 40 });
    expect((await store.listIds(id)).map((e) => `${e.resourceType}/${e.targetId}:${e.phase}`)).toEqual(['Observation/0:clinical']);
    const other = await store.createJob(jobSpec());
    // resource_type is NOT NULL: the id batch fails after the ledger rows were written in the same transaction
    const broken = [{ ...ids[0]!, resourceType: null as unknown as string }];
    await expect(store.recordTaskResults(other.id, mixedBatch(source), broken)).rejects.toThrow();
    expect((await store.countOutcomes(other.id)).total).toEqual({ read: 0, loaded: 0, rejected: 0, skipped: 0 });
    expect(await store.listIds(other.id)).toEqual([]);
  });

  it('records the priority phase of ledger rows and id map entries, and filters by it', async () => {
    const source = uniqueSource();
    const { id } = await store.createJob(jobSpec());
    await store.recordTaskResults(id, [
      { ...ledgerEntry(source, 'allergies', 'a1', { resourceType: 'AllergyIntolerance' }), phase: 'critical' },
      { ...ledgerEntry(source, 'claims', 'c1', { resourceType: 'Claim' }), phase: 'administrative' },
      ledgerEntry(source, 'claims', 'c2', { resourceType: 'Claim' }),
    ], []);
    const critical = await store.listOutcomes(id, { phase: 'critical' });
    expect(critical.total).toBe(1);
    expect(critical.entries[0]).toMatchObject({ recordKey: 'a1', phase: 'critical' });
    expect((await store.listOutcomes(id, { phase: 'administrative', outcome: 'loaded' })).entries.map((e) => e.recordKey)).toEqual(['c1']);
    expect((await store.listOutcomes(id, { kind: 'claims' })).entries.map((e) => e.phase)).toEqual(['administrative', undefined]);
    const entry = (type: string, targetId: string, phase: string) => ({ source, kind: 'k', recordKey: targetId, resourceType: type, targetId, phase });
    await store.recordTaskResults(id, [], [entry('AllergyIntolerance', 'a1', 'critical'), entry('Claim', 'c1', 'administrative'), entry('Patient', 'p1', 'critical')]);
    expect((await store.listIds(id, { phase: 'critical', order: 'reverse' })).map((e) => `${e.targetId}:${e.phase}`)).toEqual(['p1:critical', 'a1:critical']);
    await store.setIdStatus(id, (await store.listIds(id)).filter((e) => e.targetId === 'p1').map((e) => e.seq), 'deleted');
    expect((await store.listIds(id, { phase: 'critical', status: 'written' })).map((e) => e.targetId)).toEqual(['a1']);
  });

  it('keeps one phase plan per (job, patient), replaced on save', async () => {
    const { id } = await store.createJob(jobSpec());
    expect(await store.loadPhasePlan(id, 'p1')).toBeUndefined();
    await store.savePhasePlan(id, 'p1', { records: { 'a\u001f1': 0 }, resources: [['a', '1', 'Patient', 'Patient/x', 0, ['s|v']]] });
    await store.savePhasePlan(id, 'p2', { records: {}, resources: [] });
    expect(await store.loadPhasePlan(id, 'p1')).toEqual({ records: { 'a\u001f1': 0 }, resources: [['a', '1', 'Patient', 'Patient/x', 0, ['s|v']]] });
    await store.savePhasePlan(id, 'p1', { records: { 'a\u001f1': 2 }, resources: [] });
    expect(await store.loadPhasePlan(id, 'p1')).toEqual({ records: { 'a\u001f1': 2 }, resources: [] });
    expect(await store.loadPhasePlan(id, 'p3')).toBeUndefined();
  });

  it('appends a hash chain atomically, even from two stores at once, and reads it in order', async () => {
    const other = await harness.open();
    try {
      const before = (await store.readAudit()).at(-1);
      const appends = Array.from({ length: 20 }, (_, i) => (i % 2 ? store : other).appendAudit({ type: 'job.step', payload: { i, nested: { z: [1, 'two', null], a: true } } }));
      await Promise.all(appends);
      const chain = await store.readAudit({ afterSeq: before?.seq ?? 0 });
      expect(chain).toHaveLength(20);
      let previous = before?.hash ?? GENESIS_HASH;
      for (const [index, entry] of chain.entries()) {
        expect(entry.seq).toBe((before?.seq ?? 0) + index + 1);
        expect(entry.prevHash).toBe(previous);
        expect(entry.hash).toBe(auditEntryHash(entry));
        previous = entry.hash;
      }
      expect(chain.map((e) => (e.payload as { i: number }).i).sort((a, b) => a - b)).toEqual([...Array(20).keys()]);
      expect(await store.readAudit({ afterSeq: chain[0]!.seq, limit: 2 })).toEqual(chain.slice(1, 3));
    } finally {
      await other.close();
    }
  });

  it('registers export files per export', async () => {
    const exportId = `export-${Date.now()}-${Math.random()}`;
    await store.registerExportFile({ exportId, type: 'Patient', path: 'out/Patient.ndjson', count: 12 });
    await store.registerExportFile({ exportId, jobId: 'job-1', type: 'Provenance', path: 'out/Provenance.ndjson', count: 3 });
    const files = await store.listExportFiles(exportId);
    expect(files.map((f) => [f.type, f.path, f.count, f.jobId])).toEqual([
      ['Patient', 'out/Patient.ndjson', 12, undefined],
      ['Provenance', 'out/Provenance.ndjson', 3, 'job-1'],
    ]);
  });
}
