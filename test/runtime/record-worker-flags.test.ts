/**
 * The record worker's Node flags come from the process's: Node refuses a Worker given the flags
 * that name the process's own entry (`-e CODE`, `--input-type`, as `npm run bench` starts its
 * scenarios) or per-process heap sizes (ERR_WORKER_INVALID_EXEC_ARGV); heap sizes become the
 * thread's resourceLimits (V8's young generation is three semi-spaces).
 */
import { Worker } from 'node:worker_threads';
import { workerFlags } from '../../src/runtime/record-worker.ts';

describe('record worker flags', () => {
  it('drops -e CODE and --input-type, turns heap sizes into resourceLimits, keeps the rest', () => {
    const flags = workerFlags(['--max-old-space-size=384', '--max-semi-space-size=8', '--input-type=module', '-e', 'import("x")', '--enable-source-maps']);
    expect(flags).toEqual({ execArgv: ['--enable-source-maps'], resourceLimits: { maxOldGenerationSizeMb: 384, maxYoungGenerationSizeMb: 24 } });
  });

  it('drops --eval=CODE and --print CODE', () => {
    expect(workerFlags(['--eval=1', '--print', '2', '--no-warnings']).execArgv).toEqual(['--no-warnings']);
  });

  it('gives flags a real Worker accepts (the raw ones are refused)', async () => {
    const raw = ['--max-old-space-size=384', '--input-type=module'];
    expect(() => new Worker('1', { eval: true, execArgv: raw })).toThrow(/execArgv/);
    const worker = new Worker('require("node:worker_threads").parentPort.postMessage(require("v8").getHeapStatistics().heap_size_limit)', { eval: true, ...workerFlags(raw) });
    const limit = await new Promise<number>((resolve, reject) => worker.once('message', resolve).once('error', reject));
    await worker.terminate();
    // The old generation is capped at 384 MB; V8's limit adds the young generation (default size here).
    const mb = limit / 1024 / 1024;
    expect(mb).toBeGreaterThanOrEqual(384);
    expect(mb).toBeLessThan(640);
  });
});
