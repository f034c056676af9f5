import type { FastifyInstance } from 'fastify';
import { baseUrl, sendFhir } from '../fhir-reply.ts';
import type { MetricsRegistry } from '../metrics/registry.ts';
import type { FhirOperationsPort, ReadinessCheckResult, ServiceInfo } from '../ports.ts';
import { READ_SCOPE } from '../route-config.ts';
import { buildCapabilityStatement } from './capability-statement.ts';
import { operationOutcome } from './schemas.ts';

export interface ServiceRoutesOptions {
  readonly operations: FhirOperationsPort;
  readonly info: ServiceInfo;
  readonly metrics: MetricsRegistry;
  /** Path of the token endpoint when auth is on. */
  readonly tokenPath: string | undefined;
  /** Bundle intake is configured (advertised in the CapabilityStatement). */
  readonly intake?: boolean;
  /** Checks that need I/O (job store, default target), added to the operations' checks. */
  readonly readiness?: () => Promise<readonly ReadinessCheckResult[]>;
  /** Refreshes the metrics read from elsewhere (the job store) before each scrape. */
  readonly collectMetrics?: () => Promise<void>;
}

const statusBody = {
  type: 'object',
  properties: { status: { type: 'string' }, checks: { type: 'array', items: { type: 'object', properties: { name: { type: 'string' }, ok: { type: 'boolean' }, detail: { type: 'string' } } } } },
} as const;

/** Liveness, readiness, metrics and the CapabilityStatement. Probes are open and not rate limited. */
export function registerServiceRoutes(app: FastifyInstance, options: ServiceRoutesOptions): void {
  app.get('/health', {
    config: { public: true, rateLimit: false },
    schema: { tags: ['service'], security: [], summary: 'Liveness: the process answers', response: { 200: statusBody } },
  }, async () => ({ status: 'ok' }));

  app.get('/ready', {
    config: { public: true, rateLimit: false },
    schema: { tags: ['service'], security: [], summary: 'Readiness: conformance context and maps loaded, job store and default target reachable', response: { 200: statusBody, 503: statusBody } },
  }, async (_request, reply) => {
    const checks = [...options.operations.readiness(), ...(options.readiness ? await options.readiness() : [])];
    const ok = checks.every((c) => c.ok);
    return reply.code(ok ? 200 : 503).send({ status: ok ? 'ready' : 'not-ready', checks });
  });

  app.get('/metrics', {
    config: { scope: READ_SCOPE, rateLimit: false },
    schema: { tags: ['service'], summary: 'Prometheus metrics (text format 0.0.4)', response: { 200: { type: 'string' }, 401: operationOutcome } },
  }, async (_request, reply) => {
    await options.collectMetrics?.();
    return reply.type('text/plain; version=0.0.4; charset=utf-8').send(options.metrics.render());
  });

  app.get('/fhir/metadata', {
    config: { public: true },
    schema: { tags: ['fhir'], security: [], summary: 'The CapabilityStatement', response: { 200: { type: 'object', additionalProperties: true } } },
  }, async (request, reply) => {
    const base = baseUrl(request, options.info.publicUrl);
    const tokenUrl = options.tokenPath ? `${base}${options.tokenPath}` : undefined;
    return sendFhir(reply, buildCapabilityStatement({ info: options.info, baseUrl: base, tokenUrl, intake: options.intake ?? false }));
  });
}
