import type { FastifyInstance } from 'fastify';
import { buildApp } from './app.ts';
import type { AppDeps } from './app.ts';
import type { Config } from './config/index.ts';

export interface RunningServer {
  readonly app: FastifyInstance;
  /** The address it listens on, e.g. `http://127.0.0.1:8080`. */
  readonly address: string;
  /** Stops accepting, lets in-flight requests finish, drains the migrations (see app.ts), closes the store. */
  close(): Promise<void>;
}

const SIGNALS = ['SIGTERM', 'SIGINT'] as const;

/**
 * The only place that listens (STYLE.md rule 1). SIGTERM/SIGINT close the app gracefully: new
 * connections are refused (503 while closing), in-flight requests complete, onClose hooks run.
 */
export async function startServer(config: Config, deps: AppDeps = {}, handleSignals = true): Promise<RunningServer> {
  const app = await buildApp(config, deps);
  const address = await app.listen({ port: config.port, host: config.host });
  let closing: Promise<void> | undefined;
  const close = () => {
    closing ??= app.close().then(() => undefined);
    return closing;
  };
  if (handleSignals) {
    for (const signal of SIGNALS) {
      process.once(signal, () => {
        app.log.info({ signal }, 'shutting down');
        close().then(
          () => process.exit(0),
          (error: unknown) => {
            app.log.error({ errorType: error instanceof Error ? error.name : typeof error }, 'shutdown failed');
            process.exit(1);
          },
        );
      });
    }
  }
  return { app, address, close };
}
