import { extname } from 'node:path';
import { MigrateError, errorToOutcome, hasErrors } from '../../core/index.ts';
import { validateResource, xmlToResource } from '../../validation/index.ts';
import type { ConformanceContext } from '../../validation/index.ts';
import { parseCommandArgs, stringList } from '../args.ts';
import type { Command } from '../command.ts';
import { loadConformanceContext, looksLikeNdjson, readNdjsonLines, splitNdjsonLines } from '../../runtime/index.ts';
import { parseJsonText, readTextFile } from '../files.ts';
import type { CliIo } from '../io.ts';
import { validateNdjsonLines } from './validate-ndjson.ts';

const USAGE = `fhir-migrate validate FILE… [--load FILE|DIR]… [--ig DIR]… [--profile URL]…

Validates FHIR R4 resources (JSON, NDJSON for *.ndjson files or JSON files holding one resource
per line, or XML for *.xml files) against the R4 core definitions, the
profiles each resource claims in meta.profile, and every --profile given. Prints one
OperationOutcome per input file, one compact JSON object per line, in input order (an NDJSON
file's issues carry their line: location Line[n] and the operationoutcome-issue-line extension).
Exit code 0 when no input has an error or fatal issue, 1 otherwise.

  --load FILE|DIR   add StructureDefinitions, ValueSets, CodeSystems (file, folder or Bundle)
  --ig DIR          add an unpacked FHIR NPM package (the folder holding package/, or package/)
  --profile URL     also validate every input against this profile (canonical url[|version])`;

export const validateCommand: Command = {
  name: 'validate',
  summary: 'Validate FHIR resources against R4, IG packages and profiles (one OperationOutcome per file).',
  usage: USAGE,
  async run(args: string[], io: CliIo): Promise<number> {
    const { values, positionals } = parseCommandArgs('validate', args, {
      load: { type: 'string', multiple: true },
      ig: { type: 'string', multiple: true },
      profile: { type: 'string', multiple: true },
    }, true);
    if (positionals.length === 0) throw new MigrateError('FHIRMIG_ERR_CLI_USAGE', 'validate: at least one FILE is required.');
    const context = loadConformanceContext({ load: stringList(values, 'load'), igs: stringList(values, 'ig'), cwd: io.cwd });
    const profiles = stringList(values, 'profile');
    let failed = false;
    for (const file of positionals) {
      const outcome = await validateFile(context, file, profiles, io.cwd);
      failed ||= hasErrors(outcome);
      io.stdout(`${JSON.stringify(outcome)}\n`);
    }
    return failed ? 1 : 0;
  },
};

const NDJSON_EXTENSIONS = new Set(['.ndjson', '.jsonl']);

async function validateFile(context: ConformanceContext, file: string, profiles: string[], cwd: string): Promise<fhir4.OperationOutcome> {
  try {
    const extension = extname(file).toLowerCase();
    // NDJSON files are streamed: one line in memory at a time, whatever the file's size.
    if (NDJSON_EXTENSIONS.has(extension)) return await validateNdjsonLines(context, readNdjsonLines(file, cwd), profiles);
    const text = readTextFile(file, cwd);
    if (extension === '.xml') return validateResource(context, xmlToResource(context, text, file), { profiles });
    const parsed = parseJsonOrNdjson(text, file);
    if (parsed.ndjson) return await validateNdjsonLines(context, splitNdjsonLines(text), profiles);
    return validateResource(context, parsed.resource, { profiles });
  } catch (error) {
    return errorToOutcome(error);
  }
}

/** One JSON value, or (when the text is not one value) NDJSON content: one resource per line. */
function parseJsonOrNdjson(text: string, file: string): { ndjson: false; resource: unknown } | { ndjson: true } {
  try {
    return { ndjson: false, resource: parseJsonText(text, file) };
  } catch (error) {
    if (looksLikeNdjson(text)) return { ndjson: true };
    throw error;
  }
}
