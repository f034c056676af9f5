import { extname } from 'node:path';
import { MigrateError, errorToOutcome, hasErrors } from '../../core/index.ts';
import { validateResource, xmlToResource } from '../../validation/index.ts';
import type { ConformanceContext } from '../../validation/index.ts';
import { parseCommandArgs, stringList } from '../args.ts';
import type { Command } from '../command.ts';
import { loadConformanceContext } from '../../runtime/index.ts';
import { parseJsonText, readTextFile } from '../files.ts';
import type { CliIo } from '../io.ts';

const USAGE = `fhir-migrate validate FILE… [--load FILE|DIR]… [--ig DIR]… [--profile URL]…

Validates FHIR R4 resources (JSON, or XML for *.xml files) against the R4 core definitions, the
profiles each resource claims in meta.profile, and every --profile given. Prints one
OperationOutcome per input file, one compact JSON object per line, in input order.
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
      const outcome = validateFile(context, file, profiles, io.cwd);
      failed ||= hasErrors(outcome);
      io.stdout(`${JSON.stringify(outcome)}\n`);
    }
    return failed ? 1 : 0;
  },
};

function validateFile(context: ConformanceContext, file: string, profiles: string[], cwd: string): fhir4.OperationOutcome {
  try {
    const text = readTextFile(file, cwd);
    const resource = extname(file).toLowerCase() === '.xml' ? xmlToResource(context, text, file) : parseJsonText(text, file);
    return validateResource(context, resource, { profiles });
  } catch (error) {
    return errorToOutcome(error);
  }
}
