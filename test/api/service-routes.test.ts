import type { FastifyInstance } from 'fastify';
import { fakeOperations, testApp, testConfig } from './support.ts';

describe('service routes: probes, metrics, CapabilityStatement, OpenAPI', () => {
  let app: FastifyInstance;

  beforeAll(async () => {
    ({ app } = await testApp());
  });
  afterAll(() => app.close());

  it('GET /health answers 200 {status: ok}', async () => {
    const response = await app.inject({ method: 'GET', url: '/health' });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ status: 'ok' });
  });

  it('GET /ready reports each check and 200 when all pass', async () => {
    const response = await app.inject({ method: 'GET', url: '/ready' });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ status: 'ready', checks: [{ name: 'conformance', ok: true, detail: 'fake' }, { name: 'store', ok: true, detail: 'sqlite job store answers' }] });
  });

  it('GET /ready answers 503 when a check fails', async () => {
    const readiness = () => [{ name: 'maps', ok: false, detail: '1 map file(s) failed to load' }];
    const { app: failing } = await testApp(testConfig(), { operations: fakeOperations({ readiness }) });
    const response = await failing.inject({ method: 'GET', url: '/ready' });
    await failing.close();
    expect(response.statusCode).toBe(503);
    expect(response.json()).toMatchObject({ status: 'not-ready', checks: [{ name: 'maps', ok: false }, { name: 'store', ok: true }] });
  });

  it('GET /metrics is Prometheus text with process metrics and requests counted by route pattern and status', async () => {
    await app.inject({ method: 'GET', url: '/health?probe=1' });
    await app.inject({ method: 'GET', url: '/no/such/route' });
    const response = await app.inject({ method: 'GET', url: '/metrics' });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('text/plain; version=0.0.4; charset=utf-8');
    const text = response.body;
    expect(text).toMatch(/^# TYPE process_resident_memory_bytes gauge$/m);
    expect(text).toMatch(/^process_resident_memory_bytes \d+$/m);
    expect(text).toMatch(/^# TYPE http_requests_total counter$/m);
    expect(text).toMatch(/^http_requests_total\{method="GET",route="\/health",status="200"\} [1-9]\d*$/m);
    expect(text).toMatch(/^http_requests_total\{method="GET",route="\(no route\)",status="404"\} 1$/m);
    expect(text).toMatch(/^http_request_duration_seconds_bucket\{method="GET",route="\/health",le="\+Inf"\} [1-9]\d*$/m);
    expect(text).not.toContain('probe=1');
  });

  it('GET /fhir/metadata is an R4 CapabilityStatement listing only the implemented operations', async () => {
    const response = await app.inject({ method: 'GET', url: '/fhir/metadata' });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('application/fhir+json; charset=utf-8');
    const statement = response.json() as fhir4.CapabilityStatement;
    expect(statement).toMatchObject({ resourceType: 'CapabilityStatement', status: 'active', kind: 'instance', fhirVersion: '4.0.1', software: { name: 'fhir-migrate', version: '0.1.0' } });
    expect(statement.format).toEqual(['json', 'application/fhir+json']);
    const rest = statement.rest?.[0];
    expect(rest?.operation).toEqual([
      { name: 'validate', definition: 'http://hl7.org/fhir/OperationDefinition/Resource-validate' },
      { name: 'export', definition: 'http://hl7.org/fhir/uv/bulkdata/OperationDefinition/export' },
    ]);
    expect(rest?.resource?.map((r) => `${r.type}/$${r.operation?.[0]?.name}`)).toEqual(['ConceptMap/$translate', 'Group/$export', 'Patient/$export', 'StructureMap/$transform']);
    // Bulk Data IG v2.0.0 server CapabilityStatement; Group read for the migration cohorts.
    expect(statement.instantiates).toEqual(['http://hl7.org/fhir/uv/bulkdata/CapabilityStatement/bulk-data']);
    expect(rest?.resource?.find((r) => r.type === 'Group')?.interaction).toEqual([{ code: 'read' }]);
    expect(rest?.security).toBeUndefined();
  });

  it('serves OpenAPI 3 generated from the route schemas at /documentation', async () => {
    const json = await app.inject({ method: 'GET', url: '/documentation/json' });
    expect(json.statusCode).toBe(200);
    const document = json.json() as { openapi: string; paths: Record<string, Record<string, unknown>> };
    expect(document.openapi).toBe('3.0.3');
    expect(Object.keys(document.paths)).toEqual(expect.arrayContaining(['/health', '/ready', '/metrics', '/fhir/metadata', '/fhir/$validate', '/fhir/ConceptMap/$translate', '/fhir/StructureMap/$transform']));
    expect(document.paths['/fhir/$validate']?.['post']).toMatchObject({ requestBody: expect.anything(), responses: { 200: expect.anything(), 400: expect.anything() } });
    expect(document.paths['/health']?.['get']).toMatchObject({ security: [] });
    const ui = await app.inject({ method: 'GET', url: '/documentation/' });
    expect(ui.statusCode).toBe(200);
    expect(ui.headers['content-type']).toContain('text/html');
  });

  it('sets security headers on every response (helmet)', async () => {
    for (const url of ['/health', '/fhir/metadata', '/nowhere']) {
      const response = await app.inject({ method: 'GET', url });
      expect(response.headers['x-frame-options']).toBe('SAMEORIGIN');
      expect(response.headers['x-content-type-options']).toBe('nosniff');
      expect(response.headers['strict-transport-security']).toMatch(/max-age=\d+/);
      expect(response.headers['content-security-policy']).toContain("default-src 'self'");
      expect(response.headers['content-security-policy']).not.toContain('upgrade-insecure-requests');
      expect(response.headers['referrer-policy']).toBe('no-referrer');
    }
  });
});
