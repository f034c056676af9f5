/**
 * Map + validate throughput for the Synthea mix: every row of every table of the shared Synthea
 * CSV export (../shared/testdata/synthea/csv, 18 tables) read through the csv connector, mapped
 * with the map set maps/synthea-csv (routed by its decisions.json; archived tables are read and
 * counted, not mapped) and each produced resource validated against R4 core + the US Core 6.1.0
 * profiles it claims. One warm-up pass, then ROUNDS timed passes; the median is reported.
 * Run alone with `node bench/maps-bench.ts`; `npm run bench` imports runMapsBench.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { loadConceptMaps, loadConformanceContext, loadMapFile, loadR4StructureDefinitions } from '../src/runtime/index.ts';
import { StructureMapEngine, createR4TypeModel } from '../src/mapping/index.ts';
import { CsvSource, isSourceRejection } from '../src/sources/index.ts';
import { isValid, validateResource } from '../src/validation/index.ts';
import type { ConformanceContext } from '../src/validation/index.ts';

const REPO = join(import.meta.dirname, '..');
const SHARED = join(REPO, '..', 'shared');
const CSV_DIR = join(SHARED, 'testdata', 'synthea', 'csv');
const US_CORE = join(SHARED, 'fhir-packages', 'hl7.fhir.us.core');
const MAP_DIR = join(REPO, 'maps', 'synthea-csv');
const ROUNDS = 3;

export interface MapsBenchResult {
  name: string;
  /** Median over ROUNDS passes: source rows mapped and validated per wall-clock second. */
  recordsPerSecond: number;
  /** The same per CPU second of this process (user + system): steadier on a busy machine. */
  cpuRecordsPerSecond: number;
  /** Rows read per second, archived tables included (read and counted, not mapped). */
  rowsReadPerSecond: number;
  /** Rows mapped to a resource and validated, per pass. */
  records: number;
  /** Rows of archived tables, read but not mapped, per pass. */
  archivedRows: number;
  /** Rows a row rule of the map set skips (the map yields an empty resource), per pass. */
  skippedRows: number;
  tables: number;
  resourceTypes: number;
  /** Resources with an error issue (the map set is US Core-clean: expected 0). */
  resourcesWithErrors: number;
  /** Rows the connector or a map rejected (expected 0). */
  rejected: number;
  mapMsPerPass: number;
  validateMsPerPass: number;
  setupMs: number;
}

interface Table {
  readonly map: string | null;
  readonly rows?: string;
}

interface Pass {
  records: number;
  archived: number;
  skipped: number;
  rejected: number;
  errors: number;
  rows: number;
  mapMs: number;
  validateMs: number;
  types: Set<string>;
  tables: Set<string>;
}

interface Setup {
  readonly engine: StructureMapEngine;
  readonly mapFor: ReadonlyMap<string, fhir4.StructureMap | undefined>;
  readonly context: ConformanceContext;
}

function byUrl<T extends { url?: string }>(items: readonly T[]): Map<string, T> {
  return new Map(items.filter((i) => i.url).map((i) => [i.url as string, i]));
}

function setUp(): Setup {
  const maps = new Map(readdirSync(MAP_DIR).filter((f) => f.endsWith('.map')).map((f) => [f, loadMapFile(join(MAP_DIR, f), REPO)]));
  const mapIndex = byUrl([...maps.values()]);
  const conceptMaps = byUrl(loadConceptMaps(['conceptmaps', join('conceptmaps', 'synthea')], REPO));
  const engine = new StructureMapEngine({
    typeModel: createR4TypeModel(loadR4StructureDefinitions()),
    resolveMap: (url) => mapIndex.get(url),
    listMaps: () => [...maps.values()],
    resolveConceptMap: (url) => conceptMaps.get(url),
  });
  const tables = (JSON.parse(readFileSync(join(MAP_DIR, 'decisions.json'), 'utf8')) as { tables: Record<string, Table> }).tables;
  const mapFor = new Map(Object.entries(tables).map(([name, t]) => [name, t.rows === 'archive' || !t.map ? undefined : maps.get(t.map)]));
  return { engine, mapFor, context: loadConformanceContext({ igs: [US_CORE] }) };
}

function mapAndValidate(setup: Setup, map: fhir4.StructureMap, row: Record<string, unknown>, pass: Pass): void {
  const t0 = performance.now();
  let resource: Record<string, unknown>;
  try {
    resource = setup.engine.transform(map, row) as Record<string, unknown>;
  } catch {
    pass.rejected++;
    return;
  }
  const t1 = performance.now();
  pass.mapMs += t1 - t0;
  // A row rule that yields an empty resource (e.g. a skipped observation) is not validated.
  if (Object.keys(resource).length <= 1) {
    pass.skipped++;
    return;
  }
  pass.records++;
  pass.types.add(String(resource['resourceType']));
  if (!isValid(validateResource(setup.context, resource))) pass.errors++;
  pass.validateMs += performance.now() - t1;
}

async function runPass(setup: Setup): Promise<Pass> {
  const pass: Pass = { records: 0, archived: 0, skipped: 0, rejected: 0, errors: 0, rows: 0, mapMs: 0, validateMs: 0, types: new Set(), tables: new Set() };
  const source = new CsvSource(CSV_DIR, { name: 'synthea-csv' });
  try {
    for await (const item of source.read()) {
      pass.rows++;
      if (isSourceRejection(item)) {
        pass.rejected++;
        continue;
      }
      pass.tables.add(item.ref.kind);
      const map = setup.mapFor.get(item.ref.kind);
      if (map) mapAndValidate(setup, map, { ...(item.data as Record<string, unknown>), _key: item.key }, pass);
      else if (setup.mapFor.has(item.ref.kind)) pass.archived++;
      else pass.rejected++;
    }
  } finally {
    await source.close();
  }
  return pass;
}

export async function runMapsBench(): Promise<MapsBenchResult> {
  const setupStart = performance.now();
  const setup = setUp();
  const setupMs = performance.now() - setupStart;
  await runPass(setup);
  const timed: { pass: Pass; wallMs: number; cpuMs: number }[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    const start = performance.now();
    const cpuStart = process.cpuUsage();
    const pass = await runPass(setup);
    const cpu = process.cpuUsage(cpuStart);
    timed.push({ pass, wallMs: performance.now() - start, cpuMs: (cpu.user + cpu.system) / 1000 });
  }
  timed.sort((a, b) => a.wallMs - b.wallMs);
  const median = timed[Math.floor(ROUNDS / 2)] as (typeof timed)[number];
  const { pass } = median;
  return {
    name: 'map-validate-synthea-mix',
    recordsPerSecond: Math.round(pass.records / (median.wallMs / 1000)),
    cpuRecordsPerSecond: Math.round(pass.records / (median.cpuMs / 1000)),
    rowsReadPerSecond: Math.round(pass.rows / (median.wallMs / 1000)),
    records: pass.records,
    archivedRows: pass.archived,
    skippedRows: pass.skipped,
    tables: pass.tables.size,
    resourceTypes: pass.types.size,
    resourcesWithErrors: pass.errors,
    rejected: pass.rejected,
    mapMsPerPass: Math.round(pass.mapMs),
    validateMsPerPass: Math.round(pass.validateMs),
    setupMs: Math.round(setupMs),
  };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const result = await runMapsBench();
  const peakRssMb = Math.round(process.resourceUsage().maxRSS / 1024);
  process.stdout.write(`${JSON.stringify({ ...result, peakRssMb }, null, 2)}\n`);
}
