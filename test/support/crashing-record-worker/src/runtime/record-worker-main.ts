/**
 * A fault injector for the record worker (RecordWorker with this folder as its packageRoot): the
 * real worker thread, whose thread exits (as a crash would) on its third request, before answering.
 */
import { parentPort } from 'node:worker_threads';

const EXIT_ON_REQUEST = 3;
let requests = 0;
// Registered before the real worker's listener, so it runs first.
parentPort?.on('message', () => {
  if (++requests === EXIT_ON_REQUEST) process.exit(70);
});
await import('../../../../../src/runtime/record-worker-main.ts');
