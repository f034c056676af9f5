/**
 * Whether PostgreSQL / MariaDB answer, decided once when a test file loads (a short TCP connect
 * in a child process, so `describe` can be chosen synchronously). Outside CI an unreachable
 * service skips its tests with a printed reason; with CI=true it fails them (STYLE.md).
 */
import { spawnSync } from 'node:child_process';
import { MYSQL_ADMIN_URL, PG_ADMIN_URL } from './loader.ts';

function reachable(url: string, defaultPort: number): string | undefined {
  const { hostname, port } = new URL(url);
  const script = `const s=require('net').connect(${Number(port || defaultPort)},${JSON.stringify(hostname)});s.setTimeout(2000,()=>process.exit(2));s.on('connect',()=>process.exit(0));s.on('error',()=>process.exit(1));`;
  const result = spawnSync(process.execPath, ['-e', script], { timeout: 5000 });
  return result.status === 0 ? undefined : `${hostname}:${port || defaultPort} is unreachable`;
}

export interface ServiceGate {
  readonly describe: jest.Describe;
  readonly reason: string | undefined;
}

function gate(service: string, url: string, port: number): ServiceGate {
  const reason = reachable(url, port);
  if (reason === undefined || process.env.CI === 'true') return { describe, reason };
  process.stdout.write(`[skip] ${service} tests skipped: ${reason} (set CI=true to make this a failure)\n`);
  return { describe: describe.skip, reason };
}

export const postgresGate = (): ServiceGate => gate('PostgreSQL', PG_ADMIN_URL, 5432);
export const mysqlGate = (): ServiceGate => gate('MariaDB', MYSQL_ADMIN_URL, 3306);
