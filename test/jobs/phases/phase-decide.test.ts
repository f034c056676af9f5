import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { isSourceRejection } from '../../../src/sources/index.ts';
import { DEFAULT_PHASE_TABLE, assignPhases, mapRecord, planMigration, runJob } from '../../../src/jobs/index.ts';
import type { JobStore, MapSet, MappedRecord, MigrationEnv, PhaseItem, PhaseTable } from '../../../src/jobs/index.ts';
import type { StructureMapEngine } from '../../../src/mapping/index.ts';
import { PATIENTS, buildEnv, openScratchStore, scratchDir, specFor, useR4OnlyValidation } from '../runner/support.ts';

/**
 * Phases decided phase by phase (issue 5 throughput): each phase's first task maps only the
 * records of its phase (and those they refer to), the others are seen through their maps'
 * identifier projections. The phases are exactly those of mapping every record of the patient
 * and applying the reference rule (assignPhases) over the whole set, and every record is mapped
 * once per job.
 */
jest.setTimeout(180_000);

const dir = scratchDir('phase-decide');
let store: JobStore;
let env: MigrationEnv;
let everyPatient: string[];

beforeAll(async () => {
  useR4OnlyValidation();
  store = await openScratchStore(dir);
  env = buildEnv(store, `file:${join(dir, 'out')}`);
  everyPatient = [];
  for await (const item of env.source.read({ kinds: ['patients'] })) if (!isSourceRejection(item) && item.patientKey !== undefined) everyPatient.push(item.patientKey);
});

afterAll(async () => {
  await env.target.close();
  await env.source.close();
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

/** The engine, each whole-map transform counted per `kind|_key` (projections run other maps and are not counted). */
function counting(mapSet: MapSet, counts: Map<string, number>): MapSet {
  const kindOf = new Map([...mapSet.tables].flatMap(([kind, rule]) => (rule.kind === 'map' ? [[rule.map, kind] as const] : [])));
  const real = mapSet.engine;
  const engine = Object.create(real) as StructureMapEngine;
  engine.transform = (map, source, target) => {
    const kind = kindOf.get(map);
    if (kind !== undefined) {
      const key = `${kind}|${String((source as { _key?: unknown })._key)}`;
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    return real.transform(map, source, target);
  };
  return { ...mapSet, engine };
}

/** The phase of every patient record the old way: map the patient's whole record set, then assignPhases. */
async function phasesByWholeMapping(mapSet: MapSet, table: PhaseTable, patients: readonly string[]): Promise<Map<string, string>> {
  const phases = new Map<string, string>();
  for (const patient of patients) {
    const mapped: MappedRecord[] = [];
    for await (const item of env.source.read({ patientKeys: [patient] })) if (!isSourceRejection(item) && item.patientKey !== undefined) mapped.push(mapRecord(mapSet, item));
    const items = mapped.map((m): PhaseItem => (m.state === 'mapped' ? { resources: m.resources } : m.resourceType ? { resourceType: m.resourceType } : {}));
    assignPhases(table, items).forEach((phase, i) => {
      const record = (mapped[i] as MappedRecord).record;
      phases.set(`${record.ref.kind}|${record.key}`, table.phases[phase]?.name as string);
    });
  }
  return phases;
}

/** A dry run of all phases with the map set's phase table; each record's ledger phase and the whole-map transforms per record. */
async function dryRun(table: PhaseTable, patients: readonly string[]): Promise<{ ledger: Map<string, string>; counts: Map<string, number> }> {
  const counts = new Map<string, number>();
  const live: MigrationEnv = { ...env, mapSet: counting({ ...env.mapSet, phases: table }, counts) };
  const job = await runJob(live, (await planMigration(store, specFor(live, 'file:unused', { dryRun: true, patients }), live.source)).id, { concurrency: 2 });
  expect(job.state).toBe('completed');
  const ledger = new Map<string, string>();
  for (let offset = 0, total = 1; offset < total; ) {
    const page = await store.listOutcomes(job.id, { limit: 1_000, offset });
    for (const e of page.entries) ledger.set(`${e.ref.kind}|${e.recordKey}`, e.phase as string);
    total = page.total;
    offset += page.entries.length;
  }
  return { ledger, counts };
}

/** Every record with a map (not archived) transformed exactly once over the job. */
function expectMappedOnce(counts: ReadonlyMap<string, number>, ledger: ReadonlyMap<string, string>, mapSet: MapSet): void {
  const withMap = [...ledger.keys()].filter((key) => mapSet.tables.get(key.slice(0, key.indexOf('|')))?.kind === 'map');
  expect(withMap.length).toBeGreaterThan(500);
  expect(withMap.filter((key) => counts.get(key) !== 1).map((key) => `${key}: ${counts.get(key) ?? 0}`)).toEqual([]);
}

const onlyPatients = (ledger: ReadonlyMap<string, string>, expected: ReadonlyMap<string, string>): Map<string, string> => new Map([...ledger].filter(([key]) => expected.has(key)));

it('gives every Synthea patient record the phase of whole mapping, mapping each record once', async () => {
  const expected = await phasesByWholeMapping(env.mapSet, DEFAULT_PHASE_TABLE, everyPatient);
  const { ledger, counts } = await dryRun(DEFAULT_PHASE_TABLE, everyPatient);
  expect(expected.size).toBeGreaterThan(5_000);
  expect(onlyPatients(ledger, expected)).toEqual(expected);
  expectMappedOnce(counts, ledger, env.mapSet);
  // A clinical record referred to by a critical one is critical: Encounters of medication requests.
  const encounterPhases = new Set([...ledger].filter(([key]) => key.startsWith('encounters|')).map(([, phase]) => phase));
  expect([...encounterPhases].sort()).toEqual(['clinical', 'critical']);
  // Active conditions are critical by their clinicalStatus (read through the projection), the others clinical.
  expect(new Set([...ledger].filter(([key]) => key.startsWith('conditions|')).map(([, phase]) => phase))).toEqual(new Set(['clinical', 'critical']));
});

it('pulls an administrative record referred to by a clinical one into the clinical phase (and reads its kind for it)', async () => {
  // Encounters administrative: those of observations and procedures come forward to clinical, those of medications to critical.
  const table: PhaseTable = {
    ...DEFAULT_PHASE_TABLE,
    phases: DEFAULT_PHASE_TABLE.phases.map((p) => {
      if (p.name === 'clinical') return { ...p, rules: p.rules.filter((r) => r.resourceType !== 'Encounter') };
      return p.name === 'administrative' ? { ...p, rules: [...p.rules, { resourceType: 'Encounter' }] } : p;
    }),
  };
  const expected = await phasesByWholeMapping(env.mapSet, table, PATIENTS);
  const { ledger, counts } = await dryRun(table, PATIENTS);
  expect(onlyPatients(ledger, expected)).toEqual(expected);
  expectMappedOnce(counts, ledger, env.mapSet);
  const encounterPhases = new Set([...ledger].filter(([key]) => key.startsWith('encounters|')).map(([, phase]) => phase));
  expect(encounterPhases.has('clinical')).toBe(true);
  expect(encounterPhases.has('critical')).toBe(true);
});
