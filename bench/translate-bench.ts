/**
 * ConceptMap `$translate` throughput: 200,000 codes against a 1,000-element map (95 % mapped,
 * 5 % unknown codes that come back as result false with a message), after a warm-up; the median
 * of 5 rounds is reported.
 * Run alone with `node bench/translate-bench.ts`; `npm run bench` imports runTranslateBench.
 */
import { pathToFileURL } from 'node:url';
import { ConceptMapIndex, translateCode } from '../src/mapping/conceptmap/index.ts';

const ELEMENTS = 1_000;
const TRANSLATIONS = 200_000;
const WARM_UP = 200_000; // one full pass, so the rounds measure optimised code
const ROUNDS = 5; // one 200k run takes well under a second: the median of several damps scheduler noise
const UNKNOWN_EVERY = 20; // every 20th code is not in the map (5 %)
const SOURCE = 'https://fhir-migrate.dev/bench/CodeSystem/legacy-lab';
const TARGET = 'http://loinc.org';

export interface TranslateBenchResult {
  name: string;
  /** Median of ROUNDS runs of TRANSLATIONS codes. */
  translationsPerSecond: number;
  slowestRoundPerSecond: number;
  fastestRoundPerSecond: number;
  translations: number;
  rounds: number;
  mapElements: number;
  unmappedShare: number;
  indexBuildMs: number;
  elapsedMs: number;
}

function benchMap(): fhir4.ConceptMap {
  const element: fhir4.ConceptMapGroupElement[] = [];
  for (let i = 0; i < ELEMENTS; i++) {
    element.push({ code: `L${i}`, display: `Legacy test ${i}`, target: [{ code: `${10000 + i}-${i % 10}`, display: `Test ${i}`, equivalence: 'equivalent' }] });
  }
  return {
    resourceType: 'ConceptMap',
    url: 'https://fhir-migrate.dev/bench/ConceptMap/legacy-lab',
    status: 'draft',
    group: [{ source: SOURCE, target: TARGET, element }],
  };
}

/**
 * Translates `count` codes: a fixed stride through the map, one unknown code in UNKNOWN_EVERY.
 * Each request and code string is made in the loop, as a parser hands them over: pre-built
 * requests would time cached string hashes and a large live set instead of translation.
 */
function translateMany(map: fhir4.ConceptMap, count: number): number {
  let translated = 0;
  for (let i = 0; i < count; i++) {
    const code = i % UNKNOWN_EVERY === 0 ? `X${i}` : `L${(i * 7919) % ELEMENTS}`;
    if (translateCode(map, { system: SOURCE, code }).result) translated++;
  }
  return translated;
}

export async function runTranslateBench(): Promise<TranslateBenchResult> {
  const map = benchMap();
  const buildStart = performance.now();
  new ConceptMapIndex(map);
  const indexBuildMs = performance.now() - buildStart;

  translateMany(map, WARM_UP);
  const expected = TRANSLATIONS - Math.ceil(TRANSLATIONS / UNKNOWN_EVERY);
  const rates: number[] = [];
  let elapsedMs = 0;
  for (let round = 0; round < ROUNDS; round++) {
    const start = performance.now();
    const translated = translateMany(map, TRANSLATIONS);
    const roundMs = performance.now() - start;
    if (translated !== expected) throw new Error(`translate bench: ${translated} codes translated, expected ${expected}`);
    elapsedMs += roundMs;
    rates.push(Math.round(TRANSLATIONS / (roundMs / 1000)));
  }
  rates.sort((a, b) => a - b);
  return {
    name: 'conceptmap-translate',
    translationsPerSecond: rates[Math.floor(ROUNDS / 2)] ?? 0,
    slowestRoundPerSecond: rates[0] ?? 0,
    fastestRoundPerSecond: rates[ROUNDS - 1] ?? 0,
    translations: TRANSLATIONS,
    rounds: ROUNDS,
    mapElements: ELEMENTS,
    unmappedShare: 1 / UNKNOWN_EVERY,
    indexBuildMs: Math.round(indexBuildMs * 100) / 100,
    elapsedMs: Math.round(elapsedMs),
  };
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const result = await runTranslateBench();
  process.stdout.write(`${result.name}: ${result.translationsPerSecond.toLocaleString('en-US')} translations/s (${JSON.stringify(result)})\n`);
}
