import { parseArgs } from 'node:util';
import type { ParseArgsConfig } from 'node:util';
import { MigrateError } from '../core/index.ts';

type Options = NonNullable<ParseArgsConfig['options']>;

export interface ParsedArgs {
  readonly values: Record<string, string | boolean | string[] | undefined>;
  readonly positionals: string[];
}

/** Strict argument parsing: an unknown option or a missing value is a usage error naming the command. */
export function parseCommandArgs(command: string, args: string[], options: Options, allowPositionals = false): ParsedArgs {
  try {
    const { values, positionals } = parseArgs({ args, options, strict: true, allowPositionals });
    return { values: values as ParsedArgs['values'], positionals };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new MigrateError('FHIRMIG_ERR_CLI_USAGE', `${command}: ${message}`);
  }
}

export function requireString(command: string, values: ParsedArgs['values'], name: string): string {
  const value = values[name];
  if (typeof value !== 'string' || value === '') {
    throw new MigrateError('FHIRMIG_ERR_CLI_USAGE', `${command}: --${name} is required.`);
  }
  return value;
}

export function optionalString(values: ParsedArgs['values'], name: string): string | undefined {
  const value = values[name];
  return typeof value === 'string' ? value : undefined;
}

export function stringList(values: ParsedArgs['values'], name: string): string[] {
  const value = values[name];
  return Array.isArray(value) ? value : typeof value === 'string' ? [value] : [];
}
