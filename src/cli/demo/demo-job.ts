import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { canonicalJson } from '../../jobs/index.ts';
import { openSqliteJobStore, planMigration, reconcileJob, runJob } from '../../jobs/index.ts';
import type { Job, JobSpec, LedgerEntry, MapSet, MigrationEnv, ReconciliationReport, ResourceValidator, TableRule } from '../../jobs/index.ts';
import { StructureMapEngine, createR4TypeModel } from '../../mapping/index.ts';
import type { UnmappedCodeInfo } from '../../mapping/index.ts';
import { loadConceptMaps, loadMapFile, loadR4StructureDefinitions } from '../../runtime/index.ts';
import { createSource } from '../../sources/index.ts';
import { createTarget, resolveTargetProfile } from '../../target/index.ts';
import { DEMO_TABLES, writeDemoExtract } from './demo-extract.ts';
import type { DemoDataset } from './demo-dataset.ts';

export const DEMO_SOURCE = 'demo-legacy-ehr';

export interface UnmappedCode {
  readonly table: string;
  readonly rule: string;
  readonly code: string;
  readonly conceptMap: string;
}

/** What the demo's job did: its reconciliation, every ledger row, the codes no ConceptMap translates. */
export interface DemoJobRun {
  readonly job: Job;
  readonly report: ReconciliationReport;
  readonly entries: readonly LedgerEntry[];
  readonly unmapped: readonly UnmappedCode[];
  /** Resources in the NDJSON target per type (Provenance, Device and AuditEvent included). */
  readonly written: Readonly<Record<string, number>>;
}

/**
 * The demo's map set: maps/demo on one engine whose unmapped-code callback is attributed to the
 * table being mapped. A record is mapped by every phase task of its patient; the same input to
 * the same map is counted once, so each record's unmapped codes count once.
 */
function demoMapSet(packageRoot: string, unmapped: UnmappedCode[]): MapSet {
  const maps = new Map(DEMO_TABLES.map((t) => [t.kind, loadMapFile(join(packageRoot, 'maps', 'demo', t.map), packageRoot)]));
  const tableOf = new Map([...maps].map(([kind, map]) => [map, kind]));
  const conceptMaps = new Map(loadConceptMaps([join(packageRoot, 'conceptmaps')], packageRoot).map((m) => [m.url ?? '', m]));
  const seen = new Set<string>();
  let current: { table: string; counted: boolean } | undefined;
  class DemoEngine extends StructureMapEngine {
    override transform(map: fhir4.StructureMap, source: unknown, target?: unknown): unknown {
      const key = `${map.url ?? ''}\u0000${canonicalJson(JSON.parse(JSON.stringify(source)))}`;
      current = { table: tableOf.get(map) ?? '?', counted: seen.has(key) };
      seen.add(key);
      try {
        return super.transform(map, source, target);
      } finally {
        current = undefined;
      }
    }
  }
  const onUnmappedCode = (info: UnmappedCodeInfo): void => {
    if (current && !current.counted) unmapped.push({ table: current.table, rule: info.rule, code: info.code ?? '', conceptMap: info.conceptMap });
  };
  const engine = new DemoEngine({ typeModel: createR4TypeModel(loadR4StructureDefinitions()), resolveConceptMap: (url) => conceptMaps.get(url), onUnmappedCode });
  const hash = createHash('sha256');
  for (const t of DEMO_TABLES) hash.update(readFileSync(join(packageRoot, 'maps', 'demo', t.map)));
  const tables = new Map<string, TableRule>(DEMO_TABLES.map((t) => [t.kind, { kind: 'map', map: maps.get(t.kind) as fhir4.StructureMap, resourceType: t.resourceType }]));
  return { id: 'demo', versionHash: hash.digest('hex').slice(0, 16), engine, tables };
}

async function allEntries(env: MigrationEnv, jobId: string): Promise<LedgerEntry[]> {
  const entries: LedgerEntry[] = [];
  for (let offset = 0; ; offset += 1000) {
    const page = await env.store.listOutcomes(jobId, { limit: 1000, offset });
    entries.push(...page.entries);
    if (page.entries.length < 1000) return entries;
  }
}

/**
 * The demo through the job engine: the dataset as a CSV extract in `dir`, an embedded SQLite job
 * store, a `file:` NDJSON target, and a real job (planner + runner: priority phases, per-patient
 * transactions with Provenance, the ledger, the audit log, AuditEvents to the target).
 */
export async function runDemoJob(packageRoot: string, dataset: DemoDataset, validate: ResourceValidator, device: fhir4.Device, dir: string): Promise<DemoJobRun> {
  const extract = writeDemoExtract(join(dir, 'extract'), dataset);
  const targetSpec = `file:${join(dir, 'target')}`;
  const unmapped: UnmappedCode[] = [];
  const mapSet = demoMapSet(packageRoot, unmapped);
  const store = await openSqliteJobStore({ path: join(dir, 'jobs.sqlite') });
  const source = createSource(`csv:${extract}`, { name: DEMO_SOURCE });
  const target = createTarget(targetSpec);
  try {
    const env: MigrationEnv = { store, source, mapSet, validate, target, profile: resolveTargetProfile('put'), device };
    const spec: JobSpec = {
      source: `csv:${extract}`, target: targetSpec, mapSet: { id: mapSet.id, versionHash: mapSet.versionHash }, scope: { kind: 'all' },
      options: { dryRun: false, phases: [], thresholds: {}, auditToTarget: true },
    };
    const job = await runJob(env, (await planMigration(store, spec, source)).id, { concurrency: 1 });
    const report = await reconcileJob(store, job.id, target);
    const written: Record<string, number> = {};
    for (const type of ['Patient', 'Observation', 'Provenance', 'Device', 'AuditEvent']) written[type] = await target.count(type);
    return { job, report, entries: await allEntries(env, job.id), unmapped, written };
  } finally {
    await source.close();
    await target.close();
    await store.close();
  }
}
