/**
 * `npm run bench`: runs every scenario in its own child process (so each gets its own peak RSS),
 * pinned to core 0 where `taskset` exists, and prints one line per scenario plus a JSON summary.
 * The e2e scenario is the product as deployed on this 2-core machine: its process may use both
 * cores (V8's GC helper threads, the record worker when FHIRMIG_BENCH_THREADS=1) while the
 * target server it starts stays pinned to core 1 (see e2e-bench.ts), so the target competes
 * with the pipeline for that core rather than getting one of its own. FHIRMIG_BENCH_E2E_CORES
 * overrides the core list (`0`: the pipeline alone on core 0, as rounds 1–5 measured).
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';

interface Scenario {
  readonly file: string;
  readonly exportName: string;
  /** Node flags for the scenario's process. */
  readonly nodeArgs?: readonly string[];
  /** The `taskset -c` core list; default core 0. */
  readonly cores?: string;
}

/**
 * The e2e scenario runs with the heap settings README recommends for migrations (NODE_OPTIONS):
 * a 768 MB old generation and 32 MB semi-spaces. V8's defaults let the heap grow past 700 MB
 * (young generation alone up to 128 MB); round 3's 384 / 8 MB kept it at ~450 MB but spent half
 * the pipeline's CPU in GC (47 full and ~1,600 young collections per 110 patients) — 768 / 32
 * measured 2,085 resources/s and 532 MB at 1,001 patients against 1,894 and 452 MB. The live
 * set is ~150–180 MB after GC whatever the cohort; a leak would end the run out of memory.
 * FHIRMIG_BENCH_V8_DEFAULTS=1 runs it with V8's defaults instead.
 */
const MIGRATION_HEAP = process.env.FHIRMIG_BENCH_V8_DEFAULTS === '1' ? [] : ['--max-old-space-size=768', '--max-semi-space-size=32'];

const E2E_CORES = process.env.FHIRMIG_BENCH_E2E_CORES ?? (availableParallelism() > 1 ? '0,1' : '0');

const SCENARIOS: readonly Scenario[] = [
  { file: 'mapping-bench.ts', exportName: 'runMappingBench' },
  { file: 'translate-bench.ts', exportName: 'runTranslateBench' },
  { file: 'validation-bench.ts', exportName: 'runValidationBench' },
  { file: 'maps-bench.ts', exportName: 'runMapsBench' },
  { file: 'sources-bench.ts', exportName: 'runSourcesBench' },
  { file: 'store-bench.ts', exportName: 'runStoreBench' },
  { file: 'load-bench.ts', exportName: 'runLoadBench' },
  { file: 'export-bench.ts', exportName: 'runExportBench' },
  { file: 'api-bench.ts', exportName: 'runApiBench' },
  { file: 'e2e-bench.ts', exportName: 'runE2eBench', nodeArgs: MIGRATION_HEAP, cores: E2E_CORES },
];

const benchDir = import.meta.dirname;

function runnerSource(scenario: Scenario): string {
  const url = new URL(`file://${join(benchDir, scenario.file)}`).href;
  return `import(${JSON.stringify(url)}).then(async (m) => {
    const result = await m.${scenario.exportName}();
    const peakRssMb = Math.round(process.resourceUsage().maxRSS / 1024);
    process.stdout.write('\\n@@RESULT ' + JSON.stringify({ ...result, peakRssMb }) + '\\n');
  });`;
}

function hasTaskset(): boolean {
  return spawnSync('taskset', ['-c', '0', 'true']).status === 0;
}

function runScenario(scenario: Scenario, pin: boolean): Record<string, unknown> | undefined {
  const args = [...(scenario.nodeArgs ?? []), '--input-type=module', '-e', runnerSource(scenario)];
  const command = pin ? 'taskset' : process.execPath;
  const argv = pin ? ['-c', scenario.cores ?? '0', process.execPath, ...args] : args;
  const child = spawnSync(command, argv, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  const line = child.stdout.split('\n').find((l) => l.startsWith('@@RESULT '));
  if (child.status !== 0 || !line) {
    process.stderr.write(`${scenario.file} failed (exit ${child.status}):\n${child.stderr}\n`);
    return undefined;
  }
  return JSON.parse(line.slice('@@RESULT '.length)) as Record<string, unknown>;
}

function formatResult(result: Record<string, unknown>): string {
  const figures = Object.entries(result)
    .filter(([key]) => key !== 'name')
    .map(([key, value]) => `${key}=${typeof value === 'number' ? Number(value.toPrecision(Math.max(3, Math.ceil(Math.log10(Math.abs(value) + 1))))) : String(value)}`);
  return `${String(result.name).padEnd(34)} ${figures.join('  ')}`;
}

const pin = hasTaskset();
process.stdout.write(`fhir-migrate benchmarks on Node ${process.version}${pin ? `, pinned to core 0 (e2e: cores ${E2E_CORES})` : ''}\n`);
const results: Record<string, unknown>[] = [];
let failed = false;
// FHIRMIG_BENCH_ONLY=e2e,load runs only the scenarios whose file names start with those words.
const only = (process.env.FHIRMIG_BENCH_ONLY ?? '').split(',').map((w) => w.trim()).filter((w) => w !== '');
for (const scenario of SCENARIOS) {
  if (!existsSync(join(benchDir, scenario.file))) continue;
  if (only.length > 0 && !only.some((w) => scenario.file.startsWith(w))) continue;
  const result = runScenario(scenario, pin);
  if (result) {
    results.push(result);
    process.stdout.write(`${formatResult(result)}\n`);
  } else failed = true;
}
process.stdout.write(`${JSON.stringify({ node: process.version, results })}\n`);
process.exitCode = failed ? 1 : 0;
