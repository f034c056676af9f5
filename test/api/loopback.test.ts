import { request } from 'undici';
import { startServer } from '../../src/server.ts';
import type { RunningServer } from '../../src/server.ts';
import { LogSink, ROOT, fakeOperations, testConfig } from './support.ts';

/** One real HTTP round trip on loopback: server.ts listens, undici talks to it, close() drains. */
describe('the service on a real socket', () => {
  let server: RunningServer;

  beforeAll(async () => {
    const config = testConfig({ port: 0, host: '127.0.0.1' });
    server = await startServer(config, { operations: fakeOperations(), logStream: new LogSink(), cwd: ROOT }, false);
  });
  afterAll(() => server.close());

  it('listens on an ephemeral loopback port and answers GET /health and POST /fhir/$validate', async () => {
    expect(server.address).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const health = await request(`${server.address}/health`);
    expect(health.statusCode).toBe(200);
    expect(await health.body.json()).toEqual({ status: 'ok' });

    const validated = await request(`${server.address}/fhir/$validate`, {
      method: 'POST',
      headers: { 'content-type': 'application/fhir+json', accept: 'application/fhir+json' },
      body: JSON.stringify({ resourceType: 'Basic' }),
    });
    expect(validated.statusCode).toBe(200);
    expect(validated.headers['content-type']).toBe('application/fhir+json; charset=utf-8');
    expect(validated.headers['x-frame-options']).toBe('SAMEORIGIN');
    expect(await validated.body.json()).toMatchObject({ resourceType: 'OperationOutcome', issue: [{ severity: 'information' }] });
  });

  it('close() stops the listener: a later connection is refused', async () => {
    const address = server.address;
    await server.close();
    await expect(request(`${address}/health`)).rejects.toThrow(/ECONNREFUSED|closed|refused/i);
  });
});
