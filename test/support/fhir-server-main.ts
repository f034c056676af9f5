/**
 * Runs the test FHIR server as its own process (benchmarks): prints `{"url": …}` on one line,
 * then serves until stdin closes or SIGTERM. `node test/support/fhir-server-main.ts`.
 */
import { startFhirServer } from './fhir-server.ts';

startFhirServer().then((server) => {
  process.stdout.write(`${JSON.stringify({ url: server.url })}\n`);
  const stop = (): void => {
    server.close().then(() => process.exit(0), () => process.exit(1));
  };
  process.stdin.on('end', stop);
  process.stdin.resume();
  process.on('SIGTERM', stop);
}, (error: unknown) => {
  process.stderr.write(`${String(error)}\n`);
  process.exit(1);
});
