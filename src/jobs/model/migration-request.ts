import type { ValidationPolicy } from '../runner/types.ts';
import type { JobScope, JobThresholds } from './job.ts';

/** What `POST /migrations` carries (the route schema checks its shape; this checks its meaning). */
export interface MigrationRequest {
  /** Source SPEC: `csv:DIR`, `sqlite:FILE`, `postgres://…`, `mysql://…`, `hl7v2:PATH`, `ccda:PATH`. */
  readonly source: string;
  /** A FHIR base URL or `file:DIR`; default `migrations.defaultTarget`. */
  readonly target?: string;
  /** Map set folder; default for `csv:` the product's Synthea set. */
  readonly maps?: string;
  readonly conceptMaps?: readonly string[];
  /** IG package folders to validate against (e.g. US Core). */
  readonly igs?: readonly string[];
  readonly scope?: JobScope;
  readonly targetProfile?: string;
  readonly dryRun?: boolean;
  readonly phases?: readonly string[];
  /** Also write each job step's AuditEvent to the target (they are always kept in the store's audit chain). */
  readonly auditToTarget?: boolean;
  readonly thresholds?: JobThresholds;
  readonly validation?: ValidationPolicy;
}
