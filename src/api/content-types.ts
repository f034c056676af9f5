import type { FastifyInstance } from 'fastify';

/** JSON media types read as FHIR JSON (R4 http.html#mime-type; `application/json` is accepted too). */
const FHIR_JSON_TYPES = ['application/fhir+json', 'application/json+fhir'];

/**
 * Body parsers: FHIR JSON (with Fastify's safe JSON parser: prototype poisoning is rejected) and
 * form bodies for the OAuth token endpoint. Any other media type is answered 415.
 */
export function registerContentTypes(app: FastifyInstance): void {
  app.removeContentTypeParser('text/plain');
  const json = app.getDefaultJsonParser('error', 'error');
  app.addContentTypeParser(FHIR_JSON_TYPES, { parseAs: 'string' }, json);
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_request, body, done) => {
    done(null, Object.fromEntries(new URLSearchParams(String(body))));
  });
}
