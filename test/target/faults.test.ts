import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { FhirClient, HttpTarget, buildPatientBundle, createWriteSession, resolveTargetProfile } from '../../src/target/index.ts';
import type { TargetProfileName } from '../../src/target/index.ts';
import { startFaultProxy } from '../support/fault-proxy.ts';
import type { FaultProxy } from '../support/fault-proxy.ts';
import { startFhirServer } from '../support/fhir-server.ts';
import type { RunningFhirServer } from '../support/fhir-server.ts';
import { lineageEntries, patientResources } from '../support/patient-fixtures.ts';

let server: RunningFhirServer;
let proxy: FaultProxy;
const targets: HttpTarget[] = [];

beforeAll(async () => {
  server = await startFhirServer();
  proxy = await startFaultProxy(server.url);
});

afterAll(async () => {
  await Promise.all(targets.map((t) => t.close()));
  await proxy.close();
  await server.close();
});

beforeEach(() => {
  server.repo.clear();
  proxy.reset();
});

function newTarget(maxAttempts = 4, headersMs = 5_000): HttpTarget {
  const target = new HttpTarget({ baseUrl: proxy.url, retry: { baseDelayMs: 10, maxDelayMs: 100, maxAttempts }, timeouts: { headersMs, connectMs: 1_000 } });
  targets.push(target);
  return target;
}

function bundleFor(key: string, profile: TargetProfileName = 'put') {
  const resources = patientResources(key);
  return buildPatientBundle(resources, { profile: resolveTargetProfile(profile), extraEntries: lineageEntries(key, resources, 'job-f') });
}

const posts = (): string[] => proxy.log.filter((l) => l.method === 'POST').map((l) => l.action);

describe('retries through the fault proxy', () => {
  it('honours Retry-After (seconds) on 429, then completes', async () => {
    proxy.enqueue({ kind: 'status', status: 429, retryAfter: '1' });
    const started = Date.now();
    const result = await newTarget().write(bundleFor('r1'));
    expect(result.complete).toBe(true);
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
    expect(posts()).toEqual(['status 429', 'pass']);
    expect(result.chunks[0]?.attempts).toBe(2);
  });

  it('retries 503, 502, 504 and a connection reset; nothing is duplicated', async () => {
    proxy.enqueue({ kind: 'status', status: 503 }, { kind: 'reset' }, { kind: 'status', status: 502 });
    const target = newTarget(5);
    const result = await target.write(bundleFor('r2'));
    expect(result.complete).toBe(true);
    expect(posts()).toEqual(['status 503', 'reset', 'status 502', 'pass']);
    expect(await target.count('Observation')).toBe(6);
  });

  it('a response slower than the headers timeout is retried (the slow one still lands: PUT makes it harmless)', async () => {
    // undici checks the headers timeout on a coarse (~0.5 s) clock, hence the wide margin.
    proxy.enqueue({ kind: 'delay', ms: 2_000 });
    const target = newTarget(3, 200);
    const result = await target.write(bundleFor('r3'));
    expect(result.complete).toBe(true);
    expect(posts()).toEqual(['delay 2000', 'pass']);
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    expect(await target.count('Patient')).toBe(1);
  });

  it('a target down for 300 ms is waited out within the bounded attempts', async () => {
    proxy.down({ ms: 300 });
    const target = new HttpTarget({ baseUrl: proxy.url, retry: { baseDelayMs: 100, maxDelayMs: 400, maxAttempts: 6 } });
    targets.push(target);
    const result = await target.write(bundleFor('r4'));
    expect(result.complete).toBe(true);
    expect(posts().filter((a) => a === 'status 503').length).toBeGreaterThanOrEqual(1);
  });
});

describe('a target that stays down', () => {
  it('raises retryable FHIRMIG_ERR_TARGET_UNAVAILABLE after exactly maxAttempts requests', async () => {
    proxy.down({ requests: 10 });
    await expect(newTarget(4).write(bundleFor('u1'))).rejects.toMatchObject({ code: 'FHIRMIG_ERR_TARGET_UNAVAILABLE', retryable: true, status: 503 });
    expect(proxy.requestCount()).toBe(4);
    expect(proxy.forwardedCount()).toBe(0);
  });

  it('a refused connection also ends in FHIRMIG_ERR_TARGET_UNAVAILABLE', async () => {
    const port = await freePort();
    const target = new HttpTarget({ baseUrl: `http://127.0.0.1:${port}/fhir`, retry: { baseDelayMs: 5, maxAttempts: 3 } });
    targets.push(target);
    await expect(target.write(bundleFor('u2'))).rejects.toMatchObject({ code: 'FHIRMIG_ERR_TARGET_UNAVAILABLE', details: expect.arrayContaining(['attempts=3']) });
  });

  it('re-sends only the chunk that failed: after the pause the same session sends the missing chunk alone', async () => {
    const bundle = bundleFor('u3', 'medplum-conditional');
    expect(bundle.chunks).toHaveLength(2);
    proxy.enqueue({ kind: 'pass' }, { kind: 'status', status: 503 }, { kind: 'status', status: 503 }, { kind: 'status', status: 503 });
    const target = newTarget(3);
    const session = createWriteSession();
    await expect(target.write(bundle, session)).rejects.toMatchObject({ code: 'FHIRMIG_ERR_TARGET_UNAVAILABLE' });
    expect(session.chunkResults.get(0)?.state).toBe('written');
    expect(posts()).toEqual(['pass', 'status 503', 'status 503', 'status 503']);

    proxy.reset();
    const result = await target.write(bundle, session);
    expect(result.complete).toBe(true);
    expect(posts()).toEqual(['pass']);
    expect(await target.count('Patient')).toBe(1);
    expect(await target.count('Observation')).toBe(6);
    expect(await target.count('Provenance')).toBe(1);
  });
});

describe('non-idempotent requests', () => {
  it('never retries a plain POST', async () => {
    const client = new FhirClient({ baseUrl: proxy.url, retry: { baseDelayMs: 5, maxAttempts: 5 } });
    proxy.enqueue({ kind: 'status', status: 503 });
    await expect(client.request({ method: 'POST', path: 'Patient', body: { resourceType: 'Patient' } })).rejects.toMatchObject({
      code: 'FHIRMIG_ERR_TARGET_UNAVAILABLE',
      message: expect.stringMatching(/not idempotent/),
    });
    expect(proxy.requestCount()).toBe(1);
    proxy.enqueue({ kind: 'reset' });
    await expect(client.request({ method: 'POST', path: 'Patient', body: { resourceType: 'Patient' } })).rejects.toMatchObject({ code: 'FHIRMIG_ERR_TARGET_UNAVAILABLE' });
    expect(proxy.requestCount()).toBe(2);
    await client.close();
  });

  it('retries a plain GET', async () => {
    const client = new FhirClient({ baseUrl: proxy.url, retry: { baseDelayMs: 5, maxAttempts: 3 } });
    proxy.enqueue({ kind: 'status', status: 504 });
    const response = await client.request({ method: 'GET', path: 'Patient' });
    expect(response).toMatchObject({ status: 200, attempts: 2 });
    await client.close();
  });
});

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}
