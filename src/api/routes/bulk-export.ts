import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { parametersFromQuery, parametersFromResource, statusPath } from '../../bulk/index.ts';
import type { ExportLevel } from '../../bulk/index.ts';
import { MigrateError, createOutcome, errorToOutcome } from '../../core/index.ts';
import { baseUrl, sendFhir } from '../fhir-reply.ts';
import type { BulkExportPort } from '../ports.ts';
import { READ_SCOPE } from '../route-config.ts';
import { anyResource, errorResponses, operationOutcome } from './schemas.ts';

/**
 * FHIR Bulk Data Access IG v2.0.0 (http://hl7.org/fhir/uv/bulkdata/STU2/export.html): kick-off at
 * three levels (GET with query parameters, POST with Parameters), the status URL (202 with
 * X-Progress / Retry-After, 429 when polled too soon, 200 with the manifest, DELETE to cancel),
 * the NDJSON files, and the migration Groups. Handlers parse, call the port, format.
 */
const IG = 'Bulk Data Access IG v2.0.0';
const KICK_OFF_DESCRIPTION = `${IG} kick-off. Needs \`Prefer: respond-async\` (\`handling=strict\` refuses unsupported parameters, lenient ignores and reports them). Parameters: \`_outputFormat\`, \`_since\`, \`_type\`, \`_typeFilter\`, \`_elements\`, \`patient\` (Patient/Group level), \`includeAssociatedData=LatestProvenanceResources\`. Answers 202 with \`Content-Location\` (the status URL).`;
const queryString = { type: 'object', additionalProperties: { anyOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }] } } as const;
const manifest = { description: 'The export manifest (transactionTime, request, requiresAccessToken, output, deleted, error).', type: 'object', additionalProperties: true } as const;

type KickOffRequest = FastifyRequest<{ Querystring: Record<string, string | string[]>; Params: { id?: string }; Body: unknown }>;

export interface BulkExportRouteOptions {
  readonly publicUrl: string | undefined;
}

function fullUrl(request: FastifyRequest, base: string): string {
  return `${base}${request.url}`;
}

export function registerBulkExportRoutes(app: FastifyInstance, bulk: BulkExportPort, options: BulkExportRouteOptions): void {
  registerKickOffRoutes(app, bulk, options);
  registerStatusRoutes(app, bulk, options);
  registerFileAndGroupRoutes(app, bulk);
}

function registerKickOffRoutes(app: FastifyInstance, bulk: BulkExportPort, options: BulkExportRouteOptions): void {
  const kickOff = (level: ExportLevel) => async (request: KickOffRequest, reply: FastifyReply) => {
    const base = baseUrl(request, options.publicUrl);
    const parameters = request.method === 'POST' ? parametersFromResource(request.body) : parametersFromQuery(request.query);
    const prefer = request.headers.prefer;
    const input = { level, requestUrl: fullUrl(request, base), parameters, prefer: Array.isArray(prefer) ? prefer.join(', ') : prefer, ...(request.params.id ? { groupId: request.params.id } : {}) };
    const { id } = await bulk.kickOff(input);
    void reply.header('content-location', `${base}${statusPath(id)}`);
    return sendFhir(reply, createOutcome([{ severity: 'information', code: 'informational', diagnostics: `Export ${id} accepted; poll the Content-Location URL.` }]), 202);
  };
  const routes: [string, ExportLevel, string][] = [
    ['/fhir/$export', 'system', 'System-level export: everything live migrations wrote'],
    ['/fhir/Patient/$export', 'patient', 'Patient-level export: the Patient compartments of the migrated patients'],
    ['/fhir/Group/:id/$export', 'group', "Group-level export: the Patient compartments of a migration's cohort (Group id = job id)"],
  ];
  for (const [url, level, summary] of routes) {
    const schema = { tags: ['bulk'], summary, description: KICK_OFF_DESCRIPTION, querystring: queryString, response: { 202: operationOutcome, ...errorResponses } };
    app.get(url, { config: { scope: READ_SCOPE }, schema }, kickOff(level));
    app.post(url, { config: { scope: READ_SCOPE }, schema: { ...schema, body: { type: 'object' } } }, kickOff(level));
  }
}

function registerStatusRoutes(app: FastifyInstance, bulk: BulkExportPort, options: BulkExportRouteOptions): void {
  app.get<{ Params: { id: string } }>('/fhir/bulk-export/:id', {
    config: { scope: READ_SCOPE },
    schema: { tags: ['bulk'], summary: `${IG} status request: 202 in progress (X-Progress, Retry-After), 429 polled too soon, 200 manifest`, response: { 200: manifest, ...errorResponses } },
  }, async (request, reply) => {
    const status = await bulk.status(request.params.id, baseUrl(request, options.publicUrl));
    switch (status.state) {
      case 'completed':
        return reply.code(200).type('application/json; charset=utf-8').send(status.manifest);
      case 'in-progress':
        return reply.code(202).header('x-progress', status.progress).header('retry-after', String(status.retryAfterSeconds)).send();
      case 'throttled': {
        const error = new MigrateError('FHIRMIG_ERR_BULK_TOO_FAST', `Polled before Retry-After; wait ${status.retryAfterSeconds} s.`);
        return sendFhir(reply.header('retry-after', String(status.retryAfterSeconds)), errorToOutcome(error), 429);
      }
      default:
        throw new MigrateError('FHIRMIG_ERR_CORE_INTERNAL', `Unknown export status '${String(status satisfies never)}'.`);
    }
  });

  app.delete<{ Params: { id: string } }>('/fhir/bulk-export/:id', {
    config: { scope: READ_SCOPE },
    schema: { tags: ['bulk'], summary: `${IG} delete request: cancels the export and deletes its files (202; the status URL then answers 404)`, response: { 202: operationOutcome, ...errorResponses } },
  }, async (request, reply) => {
    await bulk.cancel(request.params.id);
    return sendFhir(reply, createOutcome([{ severity: 'information', code: 'informational', diagnostics: `Export ${request.params.id} cancelled and deleted.` }]), 202);
  });
}

function registerFileAndGroupRoutes(app: FastifyInstance, bulk: BulkExportPort): void {
  app.get<{ Params: { id: string; name: string } }>('/fhir/bulk-export/:id/files/:name', {
    config: { scope: READ_SCOPE },
    schema: { tags: ['bulk'], summary: `${IG} file request: one NDJSON file of a completed export (application/fhir+ndjson, streamed)`, response: errorResponses },
  }, async (request, reply) => {
    const file = await bulk.openFile(request.params.id, request.params.name);
    return reply.code(200).type('application/fhir+ndjson').header('content-length', String(file.size)).send(file.stream);
  });

  app.get<{ Params: { id: string } }>('/fhir/Group/:id', {
    config: { scope: READ_SCOPE },
    schema: { tags: ['bulk'], summary: "A migration's cohort as a Group (id = job id; members = the Patients it wrote)", response: { 200: anyResource, ...errorResponses } },
  }, async (request, reply) => sendFhir(reply, await bulk.group(request.params.id)));
}
