import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'undici';

/** `fhir-migrate serve` as an operator runs it: the real binary, a port, SIGTERM ends it cleanly. */
const ROOT = join(__dirname, '..', '..');
const PATH = `${join(ROOT, 'node_modules', '.bin')}:${process.env.PATH ?? ''}`;

jest.setTimeout(120_000);

describe('fhir-migrate serve', () => {
  it('listens on --port, answers /health, warns when auth is off, and exits 0 on SIGTERM', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'fhirmig-serve-'));
    const child = spawn('node', ['bin/fhir-migrate.js', 'serve', '--port', '0'], {
      cwd: ROOT,
      env: { ...process.env, PATH, FHIRMIG_AUTH_MODE: 'none', FHIRMIG_HOST: '127.0.0.1', FHIRMIG_LOG_LEVEL: 'warn', FHIRMIG_DATA_DIR: dataDir },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    const address = await new Promise<string>((resolve, reject) => {
      child.stderr.on('data', (chunk: Buffer) => {
        stderr += chunk.toString();
        const match = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(stderr);
        if (match?.[1]) resolve(match[1]);
      });
      child.on('exit', (code) => reject(new Error(`serve exited early (${String(code)}): ${stderr}${stdout}`)));
    });
    const health = await request(`${address}/health`);
    expect(health.statusCode).toBe(200);
    await health.body.dump();
    const migrations = await request(`${address}/migrations`);
    expect(migrations.statusCode).toBe(200);
    expect(await migrations.body.json()).toEqual({ jobs: [] });
    expect(existsSync(join(dataDir, 'jobs.sqlite'))).toBe(true); // the SQLite store under dataDir by default
    const exit = new Promise<number | null>((resolve) => child.on('exit', resolve));
    child.kill('SIGTERM');
    expect(await exit).toBe(0);
    expect(stdout).toMatch(/auth\.mode is \\"none\\"/);
  });

  it('refuses an invalid configuration with an OperationOutcome and exit 1', async () => {
    const child = spawn('node', ['bin/fhir-migrate.js', 'serve'], { cwd: ROOT, env: { ...process.env, PATH, FHIRMIG_AUTH_MODE: 'off' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(code).toBe(1);
    const outcome = JSON.parse(stdout) as fhir4.OperationOutcome;
    expect(outcome.issue[0]?.details?.coding?.[0]?.code).toBe('FHIRMIG_ERR_CONFIG_INVALID');
    expect(stdout).toMatch(/auth\/mode/);
  });
});
