/**
 * Whether PostgreSQL answers, decided synchronously when the test file loads (a TCP connect in a
 * child process). Outside CI an unreachable server skips the tests with a printed reason; with
 * CI=true the tests run and fail (STYLE.md).
 */
import { spawnSync } from 'node:child_process';

export const PG_TEST_URL = process.env.FHIRMIG_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export function postgresDescribe(): jest.Describe {
  const { hostname, port } = new URL(PG_TEST_URL);
  const script = `const s=require('net').connect(${Number(port || 5432)},${JSON.stringify(hostname)});s.setTimeout(2000,()=>process.exit(2));s.on('connect',()=>process.exit(0));s.on('error',()=>process.exit(1));`;
  const reachable = spawnSync(process.execPath, ['-e', script], { timeout: 5_000 }).status === 0;
  if (reachable || process.env.CI === 'true') return describe;
  process.stdout.write(`[skip] PostgreSQL job store tests skipped: ${hostname}:${port || 5432} is unreachable (set CI=true to make this a failure)\n`);
  return describe.skip;
}
