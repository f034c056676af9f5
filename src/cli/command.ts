import type { CliIo } from './io.ts';

/** A sub-command: parses its own arguments, returns the process exit code. */
export interface Command {
  readonly name: string;
  readonly summary: string;
  readonly usage: string;
  run(args: string[], io: CliIo): Promise<number>;
}
