import { LogController } from 'fastify';
import type { FastifyReply, FastifyRequest } from 'fastify';

/** The route pattern a request matched (`/fhir/StructureMap/$transform`), never its raw URL. */
export function routePattern(request: FastifyRequest): string {
  return request.routeOptions.url ?? '(no route)';
}

/**
 * Fastify's request logging with PHI kept out (STYLE.md rule 10): one line per response with
 * method, ROUTE PATTERN, status and duration. Fastify's default logs `req.url` (FHIR query
 * strings carry PHI), headers on errors and the raw URL of unknown routes; none of that here.
 */
export class PhiSafeLogController extends LogController {
  override incomingRequest(): void {
    // One line per request is enough; it is written when the response completes.
  }

  override requestCompleted(error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply): void {
    const line = { method: request.method, route: routePattern(request), statusCode: reply.statusCode, durationMs: Math.round(reply.elapsedTime * 10) / 10 };
    if (error) reply.log.error({ ...line, errorType: error.name }, 'request errored');
    else reply.log.info(line, 'request completed');
  }

  override routeNotFound(request: FastifyRequest): void {
    request.log.info({ method: request.method }, 'route not found');
  }

  override defaultErrorLog(error: Error, _request: FastifyRequest, reply: FastifyReply): void {
    reply.log.error({ errorType: error.name, statusCode: reply.statusCode }, 'request failed');
  }
}
