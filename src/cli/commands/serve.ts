import { loadConfig } from '../../config/index.ts';
import { startServer } from '../../server.ts';
import { optionalString, parseCommandArgs } from '../args.ts';
import type { Command } from '../command.ts';
import { readJsonFile } from '../files.ts';
import type { CliIo } from '../io.ts';

const USAGE = `fhir-migrate serve [--config FILE.json] [--port N]

Starts the service (migrations at /migrations, FHIR operations, health, metrics, OpenAPI at
/documentation) on PORT (default 8080), with the SQLite job store under dataDir by default.
Configuration: the optional JSON file, overridden by FHIRMIG_* environment variables (see the
README's "Service" section). SIGTERM or SIGINT shut it down gracefully: running migrations stop
claiming patients and are resumed at the next start.

  --config FILE   configuration file (JSON) with the keys of the README table
  --port N        port to listen on (overrides PORT / FHIRMIG_PORT and the file)`;

export const serveCommand: Command = {
  name: 'serve',
  summary: 'Start the HTTP service on PORT (default 8080).',
  usage: USAGE,
  async run(args: string[], io: CliIo): Promise<number> {
    const { values } = parseCommandArgs('serve', args, { config: { type: 'string' }, port: { type: 'string' } });
    const file = optionalString(values, 'config');
    const fileValues = file ? (readJsonFile(file, io.cwd) as Record<string, unknown>) : {};
    const port = optionalString(values, 'port');
    const config = loadConfig(port === undefined ? process.env : { ...process.env, FHIRMIG_PORT: port }, fileValues);
    const server = await startServer(config, { cwd: io.cwd, packageRoot: io.packageRoot });
    io.stderr(`fhir-migrate listening on ${server.address}\n`);
    // Keep running until a signal closes the server (server.ts exits the process then).
    await new Promise<never>(() => undefined);
    return 0;
  },
};
