import { MigrateError, errorToOutcome } from '../core/index.ts';
import type { Command } from './command.ts';
import { processIo, printJson } from './io.ts';
import type { CliIo } from './io.ts';
import { COMMANDS } from './commands/index.ts';

function renderHelp(commands: readonly Command[]): string {
  const lines = ['fhir-migrate — FHIR-native EHR data migration', '', 'Commands:'];
  for (const c of commands) lines.push(`  ${c.name.padEnd(10)} ${c.summary}`);
  lines.push('', 'Run `fhir-migrate <command> --help` for a command\'s options.');
  return `${lines.join('\n')}\n`;
}

/** Runs one CLI invocation; failures print an OperationOutcome on stdout and return 1. */
export async function main(argv: string[], io: CliIo = processIo): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.stdout(renderHelp(COMMANDS));
    return name === undefined ? 1 : 0;
  }
  const command = COMMANDS.find((c) => c.name === name);
  try {
    if (!command) {
      throw new MigrateError('FHIRMIG_ERR_CLI_USAGE', `Unknown command "${name}". Commands: ${COMMANDS.map((c) => c.name).join(', ')}.`);
    }
    if (rest.includes('--help') || rest.includes('-h')) {
      io.stdout(`${command.usage}\n`);
      return 0;
    }
    return await command.run(rest, io);
  } catch (error) {
    printJson(io, errorToOutcome(error));
    return 1;
  }
}
