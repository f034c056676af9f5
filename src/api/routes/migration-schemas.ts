import { JOB_STATES } from '../../jobs/index.ts';
import type { Job } from '../../jobs/index.ts';
import { TARGET_PROFILES } from '../../target/index.ts';
import { redactUrl } from '../../sources/index.ts';

/** JSON Schemas and the JSON representation of the migration routes (they feed the OpenAPI document). */

const ids = { type: 'array', items: { type: 'string', minLength: 1 }, minItems: 1 } as const;
const strings = { type: 'array', items: { type: 'string', minLength: 1 } } as const;

const scope = {
  description: 'Which patients: all, a list, a named cohort, or a department / service-line filter.',
  oneOf: [
    { type: 'object', additionalProperties: false, required: ['kind'], properties: { kind: { const: 'all' } } },
    { type: 'object', additionalProperties: false, required: ['kind', 'patientIds'], properties: { kind: { const: 'patients' }, patientIds: ids } },
    { type: 'object', additionalProperties: false, required: ['kind', 'name', 'patientIds'], properties: { kind: { const: 'cohort' }, name: { type: 'string', minLength: 1 }, patientIds: ids } },
    { type: 'object', additionalProperties: false, required: ['kind', 'field', 'values'], properties: { kind: { const: 'department' }, field: { type: 'string', minLength: 1 }, values: ids } },
  ],
} as const;

export const migrationRequestSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['source'],
  properties: {
    source: { type: 'string', minLength: 1, description: 'Source SPEC: csv:DIR, sqlite:FILE, postgres://…, mysql://…, hl7v2:PATH, ccda:PATH (paths under migrations.allowedRoots).' },
    target: { type: 'string', minLength: 1, description: 'FHIR base URL or file:DIR; default migrations.defaultTarget.' },
    maps: { type: 'string', minLength: 1, description: 'Map set folder (defaults: csv: maps/synthea-csv, hl7v2: maps/hl7v2, ccda: maps/ccda).' },
    conceptMaps: { ...strings, description: 'ConceptMap folders (default: the product\'s conceptmaps/).' },
    igs: { ...strings, description: 'IG package folders to validate against.' },
    scope,
    targetProfile: { enum: Object.keys(TARGET_PROFILES), description: 'Write strategy and transaction limits.' },
    dryRun: { type: 'boolean', default: false },
    phases: { ...strings, description: 'Priority phases to run, in order (empty: all).' },
    auditToTarget: { type: 'boolean', default: false, description: 'Also write each job step\'s AuditEvent to the target.' },
    thresholds: {
      type: 'object',
      additionalProperties: false,
      properties: { maxRejectionRate: { type: 'number', minimum: 0, maximum: 1 }, minRecords: { type: 'integer', minimum: 0 } },
    },
    validation: { enum: ['reject-record', 'warn'], default: 'reject-record' },
  },
} as const;

const progress = {
  type: 'object',
  properties: Object.fromEntries(['tasksTotal', 'tasksDone', 'tasksFailed', 'recordsRead', 'recordsLoaded', 'recordsRejected', 'recordsSkipped', 'resourcesWritten'].map((k) => [k, { type: 'integer' }])),
} as const;

export const migrationResponse = {
  description: 'A migration job: state, progress and counts.',
  type: 'object',
  properties: {
    id: { type: 'string' },
    state: { enum: JOB_STATES },
    source: { type: 'string' },
    target: { type: 'string' },
    dryRun: { type: 'boolean' },
    scope: { type: 'object', additionalProperties: true },
    phases: strings,
    percent: { type: 'number' },
    progress,
    error: { type: 'object', properties: { code: { type: 'string' }, message: { type: 'string' } } },
    createdAt: { type: 'string' },
    updatedAt: { type: 'string' },
    links: { type: 'object', properties: { self: { type: 'string' }, report: { type: 'string' } } },
  },
} as const;

export const migrationListResponse = {
  description: 'A page of migration jobs, oldest first; `next`/`previous` (and the Link header) page through.',
  type: 'object',
  properties: { jobs: { type: 'array', items: migrationResponse }, next: { type: 'string' }, previous: { type: 'string' } },
} as const;

export const listQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    state: { type: 'string', pattern: `^(${JOB_STATES.join('|')})(,(${JOB_STATES.join('|')}))*$`, description: 'Comma-separated job states.' },
    _count: { type: 'integer', minimum: 1, maximum: 100, default: 20 },
    _offset: { type: 'integer', minimum: 0, default: 0 },
  },
} as const;

export const idParams = { type: 'object', required: ['id'], properties: { id: { type: 'string', minLength: 1, maxLength: 100 } } } as const;

export const anyJson = { type: 'object', additionalProperties: true } as const;

/** Percent of the job's tasks that are finished (done or failed). */
export function percentDone(job: Job): number {
  const { tasksTotal, tasksDone, tasksFailed } = job.progress;
  return tasksTotal === 0 ? 100 : Math.floor((100 * (tasksDone + tasksFailed)) / tasksTotal);
}

/** A job as the API shows it: database passwords redacted, links to itself and its report. */
export function toRepresentation(job: Job): Record<string, unknown> {
  return {
    id: job.id,
    state: job.state,
    source: redactUrl(job.spec.source),
    target: redactUrl(job.spec.target),
    dryRun: job.spec.options.dryRun,
    scope: job.spec.scope,
    phases: job.spec.options.phases,
    percent: percentDone(job),
    progress: job.progress,
    ...(job.error ? { error: job.error } : {}),
    createdAt: job.createdAt,
    updatedAt: job.updatedAt,
    links: { self: `/migrations/${job.id}`, report: `/migrations/${job.id}/report` },
  };
}
