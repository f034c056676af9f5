import type { TargetRequestEvent } from '../../target/index.ts';
import type { MigrationStatsPort } from '../ports.ts';
import { Counter, Histogram, SampledMetric } from './registry.ts';
import type { MetricsRegistry } from './registry.ts';

const TARGET_BUCKETS = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 120];

export interface MigrationMetrics {
  /** Reads the job store's figures into the gauges; call before rendering. */
  collect(): Promise<void>;
  /** The FhirClient `onRequest` hook of every migration target. */
  onTargetRequest(event: TargetRequestEvent): void;
}

/**
 * The migration metrics: jobs by state, records by outcome, resources written (resources/s is
 * `rate(fhirmig_resources_written_total[1m])`), rejected records by code, and the
 * targets' request latency and retries. Labels never carry ids, URLs or record content.
 */
export function registerMigrationMetrics(registry: MetricsRegistry, stats: MigrationStatsPort): MigrationMetrics {
  const jobs = registry.register(new SampledMetric('fhirmig_jobs', 'Migration jobs in the store, by state.'));
  const records = registry.register(new SampledMetric('fhirmig_records_total', 'Source records of every job, by outcome (read = loaded + rejected + skipped).', 'counter'));
  const written = registry.register(new SampledMetric('fhirmig_resources_written_total', 'Resources written to targets by every job.', 'counter'));
  const rejected = registry.register(new SampledMetric('fhirmig_records_rejected_total', 'Rejected source records of every job, by error code.', 'counter'));
  const latency = registry.register(new Histogram('fhirmig_target_request_duration_seconds', 'Target FHIR request durations (retries included), by method.', TARGET_BUCKETS));
  const targetRequests = registry.register(new Counter('fhirmig_target_requests_total', 'Target FHIR requests, by method and final status (0: retries ran out without a usable response).'));
  const retries = registry.register(new Counter('fhirmig_target_retries_total', 'Target FHIR request retries, by method.'));
  return {
    async collect() {
      const s = await stats.stats();
      jobs.replace(Object.entries(s.jobsByState).map(([state, n]) => [{ state }, n]));
      records.replace(Object.entries(s.records).map(([outcome, n]) => [{ outcome }, n]));
      written.replace([[{}, s.resourcesWritten]]);
      rejected.replace(Object.entries(s.rejectedByCode).map(([code, n]) => [{ code }, n]));
    },
    onTargetRequest(event) {
      latency.observe({ method: event.method }, event.durationMs / 1000);
      targetRequests.inc({ method: event.method, status: String(event.status) });
      if (event.attempts > 1) retries.inc({ method: event.method }, event.attempts - 1);
    },
  };
}
