import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { isSettled } from '../../jobs/index.ts';
import type { Job, JobState } from '../../jobs/index.ts';
import type { MigrationRequestBody, MigrationsPort } from '../ports.ts';
import { MIGRATION_READ_SCOPE, MIGRATION_WRITE_SCOPE } from '../route-config.ts';
import { anyJson, idParams, listQuery, migrationListResponse, migrationRequestSchema, migrationResponse, percentDone, toRepresentation } from './migration-schemas.ts';
import { errorResponses, operationOutcome } from './schemas.ts';

export interface MigrationRoutesOptions {
  /** Seconds a client should wait before polling a running job again. Default 2. */
  readonly retryAfterSeconds?: number;
}

type IdRequest = { Params: { id: string } };
type ListRequest = { Querystring: { state?: string; _count: number; _offset: number } };

const errors = { ...errorResponses, 409: operationOutcome, 503: operationOutcome } as const;
const tags = ['migrations'];

/** Async-pattern headers while a job runs (as FHIR's async request pattern: X-Progress, Retry-After). */
function sendJob(reply: FastifyReply, job: Job, status: number, retryAfter: number): FastifyReply {
  if (!isSettled(job.state)) void reply.header('x-progress', `${job.state}: ${percentDone(job)}% (${job.progress.tasksDone + job.progress.tasksFailed}/${job.progress.tasksTotal} tasks)`).header('retry-after', String(retryAfter));
  if (status === 202) void reply.header('content-location', `/migrations/${job.id}`);
  return reply.code(status).send(toRepresentation(job));
}

/** RFC 8288 Link header and body links for the page before and after this one. */
function pageLinks(request: FastifyRequest<ListRequest>, hasMore: boolean): { next?: string; previous?: string } {
  const { state, _count: count, _offset: offset } = request.query;
  const url = (at: number) => `/migrations?${new URLSearchParams({ ...(state ? { state } : {}), _count: String(count), _offset: String(at) }).toString()}`;
  return { ...(hasMore ? { next: url(offset + count) } : {}), ...(offset > 0 ? { previous: url(Math.max(0, offset - count)) } : {}) };
}

/**
 * The migration REST API (DESIGN.md §4). Handlers are thin: parse, call the MigrationsPort,
 * format. Errors (unknown job 404, forbidden state change 409, bad body 400) come from the port
 * as typed errors and leave as OperationOutcomes through the one error handler.
 */
export function registerMigrationRoutes(app: FastifyInstance, migrations: MigrationsPort, options: MigrationRoutesOptions = {}): void {
  const retryAfter = options.retryAfterSeconds ?? 2;
  const read = { scope: MIGRATION_READ_SCOPE };
  const write = { scope: MIGRATION_WRITE_SCOPE };

  app.post<{ Body: MigrationRequestBody }>('/migrations', {
    config: write,
    schema: { tags, summary: 'Start a migration: planned now, run in the background', body: migrationRequestSchema, response: { 202: migrationResponse, ...errors } },
  }, async (request, reply) => sendJob(reply, await migrations.start(request.body), 202, retryAfter));

  app.get<ListRequest>('/migrations', {
    config: read,
    schema: { tags, summary: 'List migrations, oldest first, with paging', querystring: listQuery, response: { 200: migrationListResponse, ...errors } },
  }, async (request, reply) => {
    const states = request.query.state?.split(',') as JobState[] | undefined;
    const page = await migrations.list({ ...(states ? { states } : {}), count: request.query._count, offset: request.query._offset });
    const links = pageLinks(request, page.hasMore);
    const header = [links.next ? `<${links.next}>; rel="next"` : '', links.previous ? `<${links.previous}>; rel="prev"` : ''].filter(Boolean).join(', ');
    if (header) void reply.header('link', header);
    return { jobs: page.jobs.map(toRepresentation), ...links };
  });

  app.get<IdRequest>('/migrations/:id', {
    config: read,
    schema: { tags, summary: 'A migration: state, progress, counts (X-Progress and Retry-After while it runs)', params: idParams, response: { 200: migrationResponse, ...errors } },
  }, async (request, reply) => sendJob(reply, await migrations.get(request.params.id), 200, retryAfter));

  app.get<IdRequest>('/migrations/:id/report', {
    config: read,
    schema: { tags, summary: 'Reconciliation report: per table and type, errors by code with SourceRefs, unmapped codes, target counts', params: idParams, response: { 200: anyJson, ...errors } },
  }, async (request) => migrations.report(request.params.id));

  const stateChanges = [
    ['$cancel', 'Cancel (cooperative: the job stops between records)', (id: string) => migrations.cancel(id)],
    ['$resume', 'Resume a paused, failed or threshold-stopped migration', (id: string) => migrations.resume(id)],
  ] as const;
  for (const [operation, summary, change] of stateChanges) {
    app.post<IdRequest>(`/migrations/:id/${operation}`, {
      config: write,
      schema: { tags, summary, params: idParams, response: { 202: migrationResponse, ...errors } },
    }, async (request, reply) => sendJob(reply, await change(request.params.id), 202, retryAfter));
  }

  app.post<IdRequest & { Querystring: { phase?: string } }>('/migrations/:id/$rollback', {
    config: write,
    schema: {
      tags, summary: 'Delete what the migration (or one priority phase, ?phase=NAME) wrote (changed-on-target resources are reported, not deleted)',
      params: idParams, querystring: { type: 'object', additionalProperties: false, properties: { phase: { type: 'string', minLength: 1 } } }, response: { 200: anyJson, ...errors },
    },
  }, async (request) => migrations.rollback(request.params.id, request.query.phase));
}
