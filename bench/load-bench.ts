/**
 * Loading throughput: per-patient transaction bundles (10 resources + a Provenance, `put`
 * profile with Medplum's limits) written by HttpTarget to the loopback test FHIR server running
 * in a child process (on the other core when `taskset` exists), 8 bundles in flight. The same
 * bundles built beforehand, serialised and posted with undici (response not parsed) give the
 * ratio: the loader's own cost, bundle building and per-entry response parsing included.
 * A smaller conditional-create run (8-entry chunks, ifNoneExist on every entry) is reported
 * beside it; it runs first, while the store is small, as the test server scans linearly.
 * Run alone with `node bench/load-bench.ts`; `npm run bench` imports runLoadBench.
 */
import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { pathToFileURL } from 'node:url';
import { Agent, request } from 'undici';
import { buildServiceDevice, jobTag } from '../src/provenance/index.ts';
import { HttpTarget, buildPatientBundle, resolveTargetProfile, serializeChunk } from '../src/target/index.ts';
import type { BundleResourceInput, PlannedBundle, TargetProfileName } from '../src/target/index.ts';
import { SERVICE_VERSION, lineageEntries, patientResources } from '../test/support/patient-fixtures.ts';

const PATIENTS = 1_000;
const CONDITIONAL_PATIENTS = 100;
const CONCURRENCY = 8;
const WARM_UP_PATIENTS = 50;

export interface LoadBenchResult {
  name: string;
  resourcesPerSecond: number;
  rawResourcesPerSecond: number;
  ratioVsRaw: number;
  conditionalResourcesPerSecond: number;
  buildBundlesPerSecond: number;
  patients: number;
  resourcesPerBundle: number;
  concurrency: number;
  elapsedMs: number;
}

/** Starts test/support/fhir-server-main.ts in its own process (on core 1 when `taskset` exists). */
export async function startServerProcess(env: NodeJS.ProcessEnv = {}, nodeArgs: readonly string[] = []): Promise<{ url: string; child: ChildProcess }> {
  const script = join(import.meta.dirname, '..', 'test', 'support', 'fhir-server-main.ts');
  const pin = spawnSync('taskset', ['-c', '1', 'true']).status === 0;
  const argv = [...nodeArgs, script];
  const options = { stdio: ['pipe', 'pipe', 'inherit'] as ('pipe' | 'inherit')[], env: { ...process.env, ...env } };
  const child = pin ? spawn('taskset', ['-c', '1', process.execPath, ...argv], options) : spawn(process.execPath, argv, options);
  const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
  for await (const line of lines) {
    if (line.startsWith('{')) return { url: (JSON.parse(line) as { url: string }).url, child };
  }
  throw new Error('the FHIR server process ended before printing its URL');
}

/** Asks the server process to stop and waits until it has (a recording server flushes its file first). */
export function stopServerProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.stdin?.end();
    child.kill('SIGTERM');
  });
}

interface PatientInput {
  readonly resources: BundleResourceInput[];
  readonly lineage: BundleResourceInput[];
}

/** What the mapping stage would hand over (not timed: it is not the loader's work). */
function inputsFor(prefix: string, count: number): PatientInput[] {
  return Array.from({ length: count }, (_, i) => {
    const resources = patientResources(`${prefix}-${i}`, jobTag('bench'));
    return { resources, lineage: lineageEntries(`${prefix}-${i}`, resources, 'bench', false) };
  });
}

function build(inputs: readonly PatientInput[], profile: TargetProfileName): PlannedBundle[] {
  const resolved = resolveTargetProfile(profile);
  return inputs.map((input) => buildPatientBundle(input.resources, { profile: resolved, extraEntries: input.lineage }));
}

function bundlesFor(prefix: string, count: number, profile: TargetProfileName): PlannedBundle[] {
  return build(inputsFor(prefix, count), profile);
}

/** Runs `work` over items with a fixed number in flight. */
async function inFlight<T>(items: readonly T[], work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) await work(items[next++] as T);
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
}

const resourceCount = (bundles: readonly PlannedBundle[]): number => bundles.reduce((n, b) => n + b.entries.length, 0);

async function timeTarget(target: HttpTarget, bundles: readonly PlannedBundle[]): Promise<number> {
  const started = performance.now();
  await inFlight(bundles, async (bundle) => {
    const result = await target.write(bundle);
    if (!result.complete) throw new Error(`bundle refused: ${JSON.stringify(result.chunks)}`);
  });
  return performance.now() - started;
}

/** Posts each bundle's transaction as it is (serialised in the timed loop), ignoring the response. */
async function timeRaw(url: string, transactions: readonly fhir4.Bundle[]): Promise<number> {
  const dispatcher = new Agent({ connections: CONCURRENCY });
  const headers = { 'content-type': 'application/fhir+json', accept: 'application/fhir+json' };
  const started = performance.now();
  await inFlight(transactions, async (transaction) => {
    const response = await request(url, { method: 'POST', headers, body: JSON.stringify(transaction), dispatcher });
    await response.body.dump();
    if (response.statusCode !== 200) throw new Error(`raw post got ${response.statusCode}`);
  });
  const elapsed = performance.now() - started;
  await dispatcher.close();
  return elapsed;
}

export async function runLoadBench(): Promise<LoadBenchResult> {
  const { url, child } = await startServerProcess();
  const target = new HttpTarget({ baseUrl: url, connections: CONCURRENCY });
  try {
    const device = buildServiceDevice({ version: SERVICE_VERSION, organization: { display: 'Test Hospital' } });
    await target.client.request({ method: 'PUT', path: `Device/${device.id}`, body: device });
    // Conditional creates first, on a small store: MemoryRepository answers ifNoneExist by a linear scan.
    const conditional = bundlesFor('cond', CONDITIONAL_PATIENTS, 'medplum-conditional');
    const conditionalMs = await timeTarget(target, conditional);
    await timeTarget(target, bundlesFor('warm', WARM_UP_PATIENTS, 'medplum'));

    const inputs = inputsFor('load', PATIENTS);
    const buildStarted = performance.now();
    const bundles = build(inputs, 'medplum');
    const buildMs = performance.now() - buildStarted;
    const targetMs = await timeTarget(target, bundles);

    const rawTransactions = bundlesFor('raw', PATIENTS, 'medplum').map((b) => serializeChunk(b, 0, new Map()));
    const rawMs = await timeRaw(url, rawTransactions);

    const resources = resourceCount(bundles);
    const perSecond = (count: number, ms: number): number => Math.round((count / ms) * 1000);
    const resourcesPerSecond = perSecond(resources, targetMs + buildMs);
    const rawResourcesPerSecond = perSecond(resources, rawMs);
    return {
      name: 'load: put transactions per patient',
      resourcesPerSecond,
      rawResourcesPerSecond,
      ratioVsRaw: Math.round((resourcesPerSecond / rawResourcesPerSecond) * 100) / 100,
      conditionalResourcesPerSecond: perSecond(resourceCount(conditional), conditionalMs),
      buildBundlesPerSecond: perSecond(PATIENTS, buildMs),
      patients: PATIENTS,
      resourcesPerBundle: resources / PATIENTS,
      concurrency: CONCURRENCY,
      elapsedMs: Math.round(targetMs + buildMs),
    };
  } finally {
    await target.close();
    await stopServerProcess(child);
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const result = await runLoadBench();
  process.stdout.write(`${result.name}: ${result.resourcesPerSecond.toLocaleString('en-US')} resources/s (${JSON.stringify(result)})\n`);
}
