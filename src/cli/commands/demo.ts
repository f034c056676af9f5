import { parseCommandArgs, optionalString, stringList } from '../args.ts';
import { loadConformanceContext } from '../../runtime/index.ts';
import { validateResource } from '../../validation/index.ts';
import type { Command } from '../command.ts';
import { join } from 'node:path';
import { MigrateError } from '../../core/index.ts';
import type { CliIo } from '../io.ts';
import { printJson } from '../io.ts';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { resolve } from 'node:path';
import { createDemoDataset } from '../demo/demo-dataset.ts';
import { runDemoJob } from '../demo/demo-job.ts';
import { buildDemoReport, formatDemoReport } from '../demo/demo-report.ts';
import { serviceDevice } from '../../runtime/index.ts';

const USAGE = `fhir-migrate demo [--patients N] [--ig DIR]… [--out DIR] [--json]

The newcomer's path: generates a small synthetic legacy EHR extract (deterministic, invented
data with a few deliberately dirty rows) as CSV files, then plans and runs a real migration job
over it — an embedded SQLite job store, priority phases, per-patient transactions with
Provenance, the maps in maps/demo and the ConceptMaps in conceptmaps/, validation (FHIR R4, plus
the profiles a resource claims when loaded) — into an NDJSON target, and prints the job's
reconciliation report: every source record ends loaded, rejected (with a located reason) or
skipped (by a named rule).

  --patients N   patients to generate (default 25)
  --ig DIR       an unpacked IG package to validate against too (e.g. US Core 6.1.0), repeatable
  --out DIR      keep the extract, the job store and the NDJSON target there (default: a
                 temporary folder, removed at the end)
  --json         print the report as JSON instead of text`;

function parsePatientCount(value: string | undefined): number {
  if (value === undefined) return 25;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 100_000) {
    throw new MigrateError('FHIRMIG_ERR_CLI_USAGE', `demo: --patients must be a whole number from 1 to 100000 (got "${value}").`);
  }
  return n;
}

export const demoCommand: Command = {
  name: 'demo',
  summary: 'Run the newcomer\'s demo end to end and print the reconciliation report.',
  usage: USAGE,
  async run(args: string[], io: CliIo): Promise<number> {
    const { values } = parseCommandArgs('demo', args, {
      patients: { type: 'string' },
      ig: { type: 'string', multiple: true },
      json: { type: 'boolean' },
      out: { type: 'string' },
    });
    const started = performance.now();
    const dataset = createDemoDataset(parsePatientCount(optionalString(values, 'patients')));
    const conformance = loadConformanceContext({ igs: stringList(values, 'ig'), cwd: io.cwd, profilesDir: join(io.packageRoot, 'profiles') });
    const out = optionalString(values, 'out');
    const dir = out === undefined ? mkdtempSync(join(tmpdir(), 'fhir-migrate-demo-')) : resolve(io.cwd, out);
    let report;
    try {
      report = buildDemoReport(await runDemoJob(io.packageRoot, dataset, (resource) => validateResource(conformance, resource), serviceDevice(io), dir));
    } finally {
      if (out === undefined) rmSync(dir, { recursive: true, force: true });
    }
    if (values.json) {
      printJson(io, report);
    } else {
      io.stdout(`fhir-migrate demo: ${dataset.patients.length} patients, ${dataset.labResults.length} lab results (synthetic)\n\n`);
      io.stdout(formatDemoReport(report));
      if (out !== undefined) io.stdout(`\nThe extract, the job store and the NDJSON target are in ${dir}.\n`);
      io.stdout(`\nDone in ${Math.round(performance.now() - started)} ms.\n`);
    }
    return report.balanced ? 0 : 1;
  },
};
