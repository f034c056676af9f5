/**
 * Validation throughput: every resource of the Synthea FHIR bundles (/work/shared/testdata/synthea/fhir,
 * read at bench time; 4,892 resources of 24 types) validated against R4 core plus the US Core 6.1.0
 * profiles each claims in meta.profile. One warm-up pass, then ROUNDS timed passes; the median
 * is reported. Resources are validated one by one as standalone resources (not as bundle entries).
 * Run alone with `node bench/validation-bench.ts`; `npm run bench` imports runValidationBench.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { loadConformanceContext } from '../src/runtime/index.ts';
import { validateResource } from '../src/validation/index.ts';
import type { ConformanceContext } from '../src/validation/index.ts';

const SHARED = join(import.meta.dirname, '..', '..', 'shared');
const SYNTHEA = join(SHARED, 'testdata', 'synthea', 'fhir');
const US_CORE = join(SHARED, 'fhir-packages', 'hl7.fhir.us.core');
const ROUNDS = 3;

export interface ValidationBenchResult {
  name: string;
  /** Median of ROUNDS passes over all resources (wall clock). */
  resourcesPerSecond: number;
  /** The same per CPU second of this process (user + system): steadier on a busy machine. */
  cpuResourcesPerSecond: number;
  slowestRoundPerSecond: number;
  fastestRoundPerSecond: number;
  resources: number;
  /** Resources that claim at least one profile (validated against it as well as R4). */
  profiledResources: number;
  /** Resources with an error issue (Synthea conforms: expected 0). */
  resourcesWithErrors: number;
  warnings: number;
  contextLoadMs: number;
  warmUpMs: number;
}

function syntheaResources(): unknown[] {
  const resources: unknown[] = [];
  for (const file of readdirSync(SYNTHEA).filter((f) => f.endsWith('.json')).sort()) {
    const bundle = JSON.parse(readFileSync(join(SYNTHEA, file), 'utf8')) as fhir4.Bundle;
    for (const entry of bundle.entry ?? []) if (entry.resource) resources.push(entry.resource);
  }
  return resources;
}

function validateAll(context: ConformanceContext, resources: unknown[]): { withErrors: number; warnings: number } {
  let withErrors = 0;
  let warnings = 0;
  for (const resource of resources) {
    const outcome = validateResource(context, resource);
    if (outcome.issue.some((i) => i.severity === 'error' || i.severity === 'fatal')) withErrors++;
    warnings += outcome.issue.filter((i) => i.severity === 'warning').length;
  }
  return { withErrors, warnings };
}

export async function runValidationBench(): Promise<ValidationBenchResult> {
  const loadStart = performance.now();
  const context = loadConformanceContext({ igs: [US_CORE], profilesDir: join(import.meta.dirname, '..', 'profiles') });
  const contextLoadMs = performance.now() - loadStart;
  const resources = syntheaResources();
  const warmStart = performance.now();
  const { withErrors, warnings } = validateAll(context, resources);
  const warmUpMs = performance.now() - warmStart;
  const rates: number[] = [];
  const cpuRates: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const start = performance.now();
    const cpuStart = process.cpuUsage();
    validateAll(context, resources);
    const cpu = process.cpuUsage(cpuStart);
    rates.push(Math.round(resources.length / ((performance.now() - start) / 1000)));
    cpuRates.push(Math.round(resources.length / ((cpu.user + cpu.system) / 1e6)));
  }
  cpuRates.sort((a, b) => a - b);
  rates.sort((a, b) => a - b);
  const profiled = resources.filter((r) => ((r as fhir4.Resource).meta?.profile ?? []).length > 0).length;
  return {
    name: 'validation-synthea-r4-uscore',
    resourcesPerSecond: rates[Math.floor(ROUNDS / 2)] ?? 0,
    cpuResourcesPerSecond: cpuRates[Math.floor(ROUNDS / 2)] ?? 0,
    slowestRoundPerSecond: rates[0] ?? 0,
    fastestRoundPerSecond: rates[ROUNDS - 1] ?? 0,
    resources: resources.length,
    profiledResources: profiled,
    resourcesWithErrors: withErrors,
    warnings,
    contextLoadMs: Math.round(contextLoadMs),
    warmUpMs: Math.round(warmUpMs),
  };
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const result = await runValidationBench();
  process.stdout.write(`${result.name}: ${result.resourcesPerSecond.toLocaleString('en-US')} resources/s (${JSON.stringify(result)})\n`);
}
