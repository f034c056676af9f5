import type { FastifyInstance } from 'fastify';
import { routePattern } from '../request-log.ts';
import { Counter, Gauge, Histogram, MetricsRegistry } from './registry.ts';

/** The service's metrics: process facts and HTTP requests by route pattern and status. */
export function createServiceMetrics(startedAt: Date, version: string): { registry: MetricsRegistry; requests: Counter; durations: Histogram; errors: Counter } {
  const registry = new MetricsRegistry();
  registry.register(new Gauge('fhirmig_build_info', `Always 1; version ${version}.`, () => 1));
  registry.register(new Gauge('process_start_time_seconds', 'Start time of the process since the Unix epoch, in seconds.', () => startedAt.getTime() / 1000));
  registry.register(new Gauge('process_resident_memory_bytes', 'Resident memory size in bytes.', () => process.memoryUsage.rss()));
  registry.register(new Gauge('nodejs_heap_used_bytes', 'V8 heap in use, in bytes.', () => process.memoryUsage().heapUsed));
  registry.register(new Gauge('process_cpu_seconds_total', 'User and system CPU time spent, in seconds.', () => {
    const usage = process.cpuUsage();
    return (usage.user + usage.system) / 1e6;
  }, 'counter'));
  const requests = registry.register(new Counter('http_requests_total', 'HTTP requests answered, by method, route pattern and status.'));
  const durations = registry.register(new Histogram('http_request_duration_seconds', 'HTTP request durations in seconds, by method and route pattern.'));
  const errors = registry.register(new Counter('fhirmig_errors_total', 'Errors the API answered, by error code.'));
  return { registry, requests, durations, errors };
}

/** Counts every response by its route pattern (never the raw URL: it can carry PHI). */
export function registerHttpMetrics(app: FastifyInstance, metrics: { requests: Counter; durations: Histogram }): void {
  app.addHook('onResponse', async (request, reply) => {
    const route = routePattern(request);
    metrics.requests.inc({ method: request.method, route, status: String(reply.statusCode) });
    metrics.durations.observe({ method: request.method, route }, reply.elapsedTime / 1000);
  });
}
