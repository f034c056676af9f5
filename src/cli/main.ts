import { MigrateError, errorToOutcome } from '../core/index.ts';
import { processIo, printJson } from './io.ts';
import type { CliIo } from './io.ts';
import { COMMANDS } from './commands/index.ts';
import type { CommandEntry } from './commands/index.ts';

function renderHelp(commands: readonly CommandEntry[]): string {
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
  const entry = COMMANDS.find((c) => c.name === name);
  try {
    if (!entry) {
      throw new MigrateError('FHIRMIG_ERR_CLI_USAGE', `Unknown command "${name}". Commands: ${COMMANDS.map((c) => c.name).join(', ')}.`);
    }
    const command = await entry.load();
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
