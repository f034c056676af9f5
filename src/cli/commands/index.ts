import type { Command } from '../command.ts';
import { translateCommand } from './translate.ts';
import { transformCommand } from './transform.ts';
import { validateCommand } from './validate.ts';

/** Every sub-command, in the order `fhir-migrate --help` lists them. */
export const COMMANDS: readonly Command[] = [translateCommand, transformCommand, validateCommand];
