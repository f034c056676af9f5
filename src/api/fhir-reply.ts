import type { FastifyReply, FastifyRequest } from 'fastify';

export const FHIR_JSON = 'application/fhir+json';

/** Sends a FHIR resource with the FHIR JSON media type (R4 http.html#mime-type). */
export function sendFhir(reply: FastifyReply, resource: unknown, status = 200): FastifyReply {
  return reply.code(status).type(`${FHIR_JSON}; charset=utf-8`).send(resource);
}

/** The service base URL: the configured public URL, else the scheme and host the request came to. */
export function baseUrl(request: FastifyRequest, publicUrl: string | undefined): string {
  if (publicUrl) return publicUrl.replace(/\/+$/, '');
  return `${request.protocol}://${request.host}`;
}
