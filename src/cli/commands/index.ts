import type { Command } from '../command.ts';

/** Every sub-command, in the order `fhir-migrate --help` lists them. */
export const COMMANDS: readonly Command[] = [];
