/**
 * Runs the test FHIR server as its own process (benchmarks): prints `{"url": …}` on one line,
 * then serves until stdin closes or SIGTERM. `node test/support/fhir-server-main.ts`.
 * With FHIRMIG_RECORD_TRANSACTIONS=FILE every transaction posted to the base URL is appended to
 * FILE as one line, byte for byte (the e2e benchmark posts them again raw to a fresh server).
 */
import { createWriteStream } from 'node:fs';
import type { WriteStream } from 'node:fs';
import { startFhirServer } from './fhir-server.ts';

const recordFile = process.env.FHIRMIG_RECORD_TRANSACTIONS;
const recording: WriteStream | undefined = recordFile ? createWriteStream(recordFile) : undefined;

function record(method: string, url: string, body: string): void {
  if (!recording || method !== 'POST' || !/^\/fhir\/?$/.test(url)) return;
  recording.write(`${body.includes('\n') ? JSON.stringify(JSON.parse(body)) : body}\n`);
}

function finish(code: number): void {
  if (recording) recording.end(() => process.exit(code));
  else process.exit(code);
}

startFhirServer(recording ? { onRequestBody: record } : {}).then((server) => {
  process.stdout.write(`${JSON.stringify({ url: server.url })}\n`);
  const stop = (): void => {
    server.close().then(() => finish(0), () => finish(1));
  };
  process.stdin.on('end', stop);
  process.stdin.resume();
  process.on('SIGTERM', stop);
}, (error: unknown) => {
  process.stderr.write(`${String(error)}\n`);
  process.exit(1);
});
