import type { FastifyInstance, FastifyReply } from 'fastify';
import { MigrateError } from '../../core/index.ts';
import { sendFhir } from '../fhir-reply.ts';
import type { IntakePort, IntakeReplyPort } from '../ports.ts';
import { WRITE_SCOPE } from '../route-config.ts';
import { convertInput, HL7_MEDIA_TYPES, XML_MEDIA_TYPES } from './convert-input.ts';
import { errorResponses, operationOutcome, resourceBody } from './schemas.ts';

const bundleResponse = { description: 'A transaction-response or batch-response Bundle (or an OperationOutcome when a message was skipped by rule).', type: 'object', additionalProperties: true } as const;
const intakeErrors = { ...errorResponses, 503: operationOutcome } as const;

function notConfigured(): MigrateError {
  return new MigrateError('FHIRMIG_ERR_INTAKE_NOT_CONFIGURED', 'Bundle intake is not configured: set intake.target.url (FHIRMIG_INTAKE_TARGET_URL) to the FHIR server or file:DIR to forward to.');
}

function send(reply: FastifyReply, result: IntakeReplyPort): FastifyReply {
  for (const [name, value] of Object.entries(result.headers ?? {})) void reply.header(name, value);
  return sendFhir(reply, result.resource, result.status);
}

/**
 * `POST /fhir` (R4 http.html#transaction: a transaction or batch Bundle) and `POST /fhir/$convert`
 * (an HL7 v2 message or a C-CDA document). Always registered; without an intake target they answer
 * 503 FHIRMIG_ERR_INTAKE_NOT_CONFIGURED. Both need `system/*.write`.
 */
export function registerIntakeRoutes(app: FastifyInstance, intake: IntakePort | undefined): void {
  app.post<{ Body: unknown }>('/fhir', {
    config: { scope: WRITE_SCOPE },
    schema: {
      tags: ['fhir'],
      summary: 'Bundle intake: a transaction or batch Bundle, validated, code-translated and forwarded to the target with a Provenance',
      description: 'A transaction is all or nothing: an entry that fails validation refuses the Bundle (422, each entry named) and nothing is forwarded. A batch answers per entry.',
      body: resourceBody,
      response: { 200: bundleResponse, ...intakeErrors },
    },
  }, async (request, reply) => {
    if (!intake) throw notConfigured();
    return send(reply, await intake.submit(request.body));
  });

  // The legacy media types are read only here (an encapsulated context): other routes still answer 415.
  void app.register(async (scope) => {
    scope.addContentTypeParser([...HL7_MEDIA_TYPES, ...XML_MEDIA_TYPES], { parseAs: 'string' }, (request, body, done) => {
      done(null, { raw: String(body), contentType: request.headers['content-type'] ?? '' });
    });
    scope.post<{ Body: unknown; Querystring: { mapSet?: string } }>('/fhir/$convert', {
      config: { scope: WRITE_SCOPE },
      schema: {
        tags: ['fhir'],
        summary: '$convert: an HL7 v2 message or a C-CDA document, mapped by a map set, then taken in as a transaction',
        description: 'Parameters (`input` valueString or valueBase64Binary, `inputType` hl7v2|ccda, optional `mapSet`), or the message itself with content type x-application/hl7-v2+er7 / application/hl7-v2 (HL7 v2) or application/xml (C-CDA) and `?mapSet=`.',
        querystring: { type: 'object', properties: { mapSet: { type: 'string' } } },
        response: { 200: bundleResponse, ...intakeErrors },
      },
    }, async (request, reply) => {
      if (!intake) throw notConfigured();
      return send(reply, await intake.convert(convertInput(request.body, request.query.mapSet)));
    });
  });
}
