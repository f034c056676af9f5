import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { Writable } from 'node:stream';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/app.ts';
import type { AppDeps } from '../../src/app.ts';
import { loadConfig } from '../../src/config/index.ts';
import type { Config } from '../../src/config/index.ts';
import type { FhirOperationsPort } from '../../src/api/index.ts';

export const ROOT = join(__dirname, '..', '..');

/** A config as the service would load it; auth off unless a test turns it on; the job store in a fresh temp folder. */
export function testConfig(fileValues: Record<string, unknown> = {}): Config {
  return loadConfig({}, { logLevel: 'info', auth: { mode: 'none' }, dataDir: mkdtempSync(join(tmpdir(), 'fhirmig-api-')), ...fileValues });
}

/** Fast stand-in for the FHIR operations: tests of the HTTP layer need no R4 context. */
export function fakeOperations(overrides: Partial<FhirOperationsPort> = {}): FhirOperationsPort {
  return {
    validate: () => ({ resourceType: 'OperationOutcome', issue: [{ severity: 'information', code: 'informational', diagnostics: 'All OK' }] }),
    translate: () => ({ result: true, matches: [{ equivalence: 'equivalent', concept: { system: 'http://loinc.org', code: '1234-5' } }] }),
    transform: () => ({ resourceType: 'Patient', gender: 'female' }),
    readiness: () => [{ name: 'conformance', ok: true, detail: 'fake' }],
    ...overrides,
  };
}

/** A pino destination that keeps every log line (pino's `sink()` test pattern). */
export class LogSink extends Writable {
  readonly lines: string[] = [];

  override _write(chunk: Buffer, _encoding: string, callback: () => void): void {
    this.lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
    callback();
  }

  get text(): string {
    return this.lines.join('\n');
  }

  json(): Record<string, unknown>[] {
    return this.lines.map((line) => JSON.parse(line) as Record<string, unknown>);
  }
}

export async function testApp(config: Config = testConfig(), deps: AppDeps = {}): Promise<{ app: FastifyInstance; sink: LogSink }> {
  const sink = new LogSink();
  const app = await buildApp(config, { operations: fakeOperations(), logStream: sink, cwd: ROOT, ...deps });
  await app.ready();
  return { app, sink };
}

export function issueCode(body: string): string | undefined {
  const outcome = JSON.parse(body) as fhir4.OperationOutcome;
  return outcome.issue[0]?.details?.coding?.[0]?.code;
}

export const FHIR_JSON_HEADERS = { 'content-type': 'application/fhir+json' };
