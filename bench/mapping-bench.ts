/**
 * StructureMap throughput: the ~40-rule FML map maps/bench/legacy-patient.map (identifiers,
 * names, address, telecom, US Core race/ethnicity/birthsex extensions, one gender translate)
 * turns generated CSV-like rows into US Core Patients. 50,000 rows after a 5,000-row warm-up.
 * Run alone with `node bench/mapping-bench.ts`; `npm run bench` imports runMappingBench.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { loadR4StructureDefinitions, r4DefinitionsLoadMillis } from '../src/runtime/index.ts';
import { parseFml } from '../src/mapping/fml/index.ts';
import { StructureMapEngine, createR4TypeModel } from '../src/mapping/structuremap/index.ts';

const ROWS = 50_000;
const WARM_UP = 5_000;
const MAP_DIR = join(import.meta.dirname, '..', 'maps', 'bench');

export interface MappingBenchResult {
  name: string;
  recordsPerSecond: number;
  cpuRecordsPerSecond: number;
  records: number;
  rules: number;
  definitionsLoadMs: number;
  compileMs: number;
  elapsedMs: number;
}

const RACES = ['white', 'black', 'asian', 'native', 'other'];
const SEXES = ['M', 'F', 'F', 'M', 'X'];

/** Deterministic rows with the Synthea patients.csv columns; some optional columns empty. */
export function benchRows(count: number, offset = 0): Record<string, string>[] {
  const rows: Record<string, string>[] = [];
  for (let n = offset; n < offset + count; n++) {
    rows.push({
      Id: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
      BIRTHDATE: `19${String(20 + (n % 80)).padStart(2, '0')}-${String(1 + (n % 12)).padStart(2, '0')}-${String(1 + (n % 28)).padStart(2, '0')}`,
      DEATHDATE: n % 17 === 0 ? '2020-05-06' : '',
      SSN: `999-${String(n % 100).padStart(2, '0')}-${String(n % 10000).padStart(4, '0')}`,
      DRIVERS: n % 3 === 0 ? '' : `S999${n}`,
      PASSPORT: n % 5 === 0 ? `X${n}X` : '',
      PREFIX: n % 2 === 0 ? 'Mr.' : 'Ms.',
      FIRST: `Given${n % 997}`,
      LAST: `Family${n % 1009}`,
      SUFFIX: n % 50 === 0 ? 'Jr.' : '',
      MAIDEN: n % 4 === 1 ? `Maiden${n % 101}` : '',
      MARITAL: n % 3 === 0 ? 'M' : n % 3 === 1 ? 'S' : '',
      RACE: RACES[n % RACES.length] as string,
      ETHNICITY: n % 7 === 0 ? 'hispanic' : 'nonhispanic',
      GENDER: SEXES[n % SEXES.length] as string,
      BIRTHPLACE: 'Boston  Massachusetts  US',
      ADDRESS: `${n % 999} Main Street`,
      CITY: 'Springfield',
      STATE: 'Massachusetts',
      COUNTY: n % 9 === 0 ? '' : 'Hampden County',
      ZIP: String(1000 + (n % 9000)).padStart(5, '0'),
      PHONE: `555-${String(n % 10000).padStart(4, '0')}`,
      EMAIL: n % 6 === 0 ? `p${n}@example.org` : '',
    });
  }
  return rows;
}

function countRules(rules: readonly fhir4.StructureMapGroupRule[] | undefined): number {
  return (rules ?? []).reduce((sum, r) => sum + 1 + countRules(r.rule), 0);
}

export async function runMappingBench(): Promise<MappingBenchResult> {
  const definitions = loadR4StructureDefinitions();
  const compileStart = performance.now();
  const map = parseFml(readFileSync(join(MAP_DIR, 'legacy-patient.map'), 'utf8'), { file: 'legacy-patient.map' });
  const conceptMap = JSON.parse(readFileSync(join(MAP_DIR, 'conceptmaps', 'legacy-sex.json'), 'utf8')) as fhir4.ConceptMap;
  const engine = new StructureMapEngine({
    typeModel: createR4TypeModel(definitions),
    resolveConceptMap: (url) => (url === conceptMap.url ? conceptMap : undefined),
  });
  const compileMs = performance.now() - compileStart;

  for (const row of benchRows(WARM_UP, 1_000_000)) engine.transform(map, row);
  const rows = benchRows(ROWS);
  const start = performance.now();
  const cpuStart = process.cpuUsage();
  let produced = 0;
  for (const row of rows) {
    const patient = engine.transform(map, row) as fhir4.Patient;
    if (patient.identifier?.length) produced++;
  }
  const elapsedMs = performance.now() - start;
  const cpu = process.cpuUsage(cpuStart);
  const cpuMs = (cpu.user + cpu.system) / 1000;
  if (produced !== ROWS) throw new Error(`mapping bench: ${produced} patients produced, expected ${ROWS}`);
  return {
    name: 'structuremap-legacy-patient',
    recordsPerSecond: Math.round(ROWS / (elapsedMs / 1000)),
    /** Per second of this process's CPU time: steadier than wall time on a busy machine. */
    cpuRecordsPerSecond: Math.round(ROWS / (cpuMs / 1000)),
    records: ROWS,
    rules: countRules(map.group?.[0]?.rule),
    definitionsLoadMs: Math.round(r4DefinitionsLoadMillis()),
    compileMs: Math.round(compileMs),
    elapsedMs: Math.round(elapsedMs),
  };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const result = await runMappingBench();
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
}
