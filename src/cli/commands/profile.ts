import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { assessSource, renderAssessmentHtml, undecidedSeen } from '../../assessment/index.ts';
import type { AssessmentReport } from '../../assessment/index.ts';
import { optionalString, parseCommandArgs, requireString, stringList } from '../args.ts';
import type { Command } from '../command.ts';
import type { CliIo } from '../io.ts';
import { defaultConceptMapDirs, loadProfileMapSet, openProfiledSource, readDescriptor } from './profile-inputs.ts';

const NAME = 'profile';

const USAGE = `Usage: fhir-migrate profile --source SPEC [--maps DIR] [--out DIR] [--strict]

Profiles a legacy source before anything moves, in one streaming pass: inventory, per column
empty rate / distinct count / value patterns / values that do not parse, duplicate patient
candidates, orphan records, codes no ConceptMap translates, and the mapping decision register.
Writes profile.json and profile.html (one self-contained page) to --out, prints the summary.

Options:
  --source SPEC        csv:DIR, sqlite:FILE, postgres://…, mysql://…, hl7v2:PATH, ccda:PATH. (required)
  --maps DIR           A map set (as for migrate): runs its maps over the records to find unmapped
                       codes, and lists every field seen next to its decision (decisions.json;
                       a map set without one lists every field seen as undecided).
  --conceptmaps DIR    ConceptMaps for the maps. Repeatable (default: conceptmaps/ and its folders).
  --descriptor FILE    A source descriptor (tables, keys, patient column, types); for SQL sources
                       the default is DIR/source.json of --maps when it exists.
  --name NAME          The source name in the report.
  --out DIR            Where to write profile.json and profile.html (default: the current folder).
  --strict             Exit 1 when a field seen in the data has no decision.

Exit status:
  0  The report was written.
  1  With --strict: a field seen has no decision (the report is still written); or the
     profile could not run (an OperationOutcome is printed).`;

const OPTIONS = {
  source: { type: 'string' },
  maps: { type: 'string' },
  conceptmaps: { type: 'string', multiple: true },
  descriptor: { type: 'string' },
  name: { type: 'string' },
  out: { type: 'string' },
  strict: { type: 'boolean' },
} as const;

export const profileCommand: Command = {
  name: NAME,
  summary: 'Profile a legacy source before migration (JSON + HTML assessment report).',
  usage: USAGE,
  async run(args: string[], io: CliIo): Promise<number> {
    const { values } = parseCommandArgs(NAME, args, OPTIONS);
    const spec = requireString(NAME, values, 'source');
    const mapsDir = optionalString(values, 'maps');
    const outDir = resolve(io.cwd, optionalString(values, 'out') ?? '.');
    const descriptorPath = optionalString(values, 'descriptor') ?? defaultDescriptorPath(spec, mapsDir, io.cwd);
    const descriptor = descriptorPath === undefined ? undefined : readDescriptor(descriptorPath, io.cwd);
    const conceptMapDirs = stringList(values, 'conceptmaps');
    const mapSet = mapsDir === undefined ? undefined : loadProfileMapSet(mapsDir, conceptMapDirs.length > 0 ? conceptMapDirs : defaultConceptMapDirs(io.packageRoot), io.cwd);
    const { source, columnTypes, columns } = await openProfiledSource(spec, descriptor, optionalString(values, 'name'));
    let report: AssessmentReport;
    try {
      report = await assessSource(source.read(), { source: source.name, columnTypes, columns, ...mapSet });
    } finally {
      await source.close();
    }
    writeReport(outDir, report);
    io.stdout(`${JSON.stringify({ json: join(outDir, 'profile.json'), html: join(outDir, 'profile.html'), summary: report.summary })}\n`);
    const undecided = undecidedSeen(report.decisions);
    if (values['strict'] === true && undecided.length > 0) {
      io.stderr(`profile --strict: ${undecided.length} field(s) seen in the data have no decision: ${undecided.map((d) => `${d.kind}.${d.column}`).join(', ')}\n`);
      return 1;
    }
    return 0;
  },
};

/** SQL sources need a descriptor; a map set for one carries it as source.json. */
function defaultDescriptorPath(spec: string, mapsDir: string | undefined, cwd: string): string | undefined {
  if (mapsDir === undefined || spec.startsWith('csv:')) return undefined;
  const candidate = join(resolve(cwd, mapsDir), 'source.json');
  return existsSync(candidate) ? candidate : undefined;
}

function writeReport(outDir: string, report: AssessmentReport): void {
  mkdirSync(outDir, { recursive: true });
  writeFileSync(join(outDir, 'profile.json'), `${JSON.stringify(report, null, 2)}\n`);
  writeFileSync(join(outDir, 'profile.html'), renderAssessmentHtml(report));
}
