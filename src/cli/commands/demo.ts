import { parseCommandArgs, optionalString, stringList } from '../args.ts';
import { loadConformanceContext } from '../../runtime/index.ts';
import { validateResource } from '../../validation/index.ts';
import type { Command } from '../command.ts';
import { join } from 'node:path';
import { MigrateError } from '../../core/index.ts';
import type { CliIo } from '../io.ts';
import { printJson } from '../io.ts';
import { createDemoDataset } from '../demo/demo-dataset.ts';
import { DemoPipeline } from '../demo/demo-pipeline.ts';
import { buildDemoReport, formatDemoReport } from '../demo/demo-report.ts';

const USAGE = `fhir-migrate demo [--patients N] [--ig DIR]… [--json]

The newcomer's path: generates a small synthetic legacy EHR extract (deterministic, invented
data with a few deliberately dirty rows), maps every row with the FML maps in maps/demo and the
ConceptMaps in conceptmaps/, validates every produced resource (FHIR R4, plus the profiles it
claims when loaded), and prints the reconciliation report: every source record ends loaded,
rejected (with a located reason) or skipped (by a named rule).

  --patients N   patients to generate (default 25)
  --ig DIR       an unpacked IG package to validate against too (e.g. US Core 6.1.0), repeatable
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
    });
    const started = performance.now();
    const dataset = createDemoDataset(parsePatientCount(optionalString(values, 'patients')));
    const conformance = loadConformanceContext({ igs: stringList(values, 'ig'), cwd: io.cwd, profilesDir: join(io.packageRoot, 'profiles') });
    const pipeline = new DemoPipeline(io.packageRoot, (resource) => validateResource(conformance, resource));
    const report = buildDemoReport(pipeline.run(dataset));
    if (values.json) {
      printJson(io, report);
    } else {
      io.stdout(`fhir-migrate demo: ${dataset.patients.length} patients, ${dataset.labResults.length} lab results (synthetic)\n\n`);
      io.stdout(formatDemoReport(report));
      io.stdout(`\nDone in ${Math.round(performance.now() - started)} ms.\n`);
    }
    return report.balanced ? 0 : 1;
  },
};
