import type { FastifyInstance, FastifyReply } from 'fastify';
import { conceptMapSelectorFromParameters, parametersToTranslateRequest, translateResultToParameters } from '../../mapping/index.ts';
import { sendFhir } from '../fhir-reply.ts';
import type { FhirOperationsPort } from '../ports.ts';
import { READ_SCOPE } from '../route-config.ts';
import { queryToParameters, transformInput, validateInput } from './operation-parameters.ts';
import { anyResource, errorResponses, operationOutcome, parametersBody, parametersResponse, resourceBody } from './schemas.ts';

type ValidateRequest = { Body: unknown; Querystring: { profile?: string[] }; Params: { resourceType?: string } };

const VALIDATE_SCHEMA = {
  tags: ['fhir'],
  summary: 'Resource $validate: validate a resource against R4 and profiles',
  description: 'Body: the resource, or Parameters with `resource` and optional `profile`/`mode`. Answers 200 with an OperationOutcome whether or not the resource is valid.',
  querystring: { type: 'object', properties: { profile: { type: 'array', items: { type: 'string' } } } },
  body: resourceBody,
  response: { 200: operationOutcome, ...errorResponses },
} as const;

const TRANSLATE_DESCRIPTION = 'Parameters in (`url` of a loaded map or an inline `conceptMap`; `system`+`code`, `coding` or `codeableConcept`; `targetsystem`, `reverse`, `dependency`…), Parameters out (`result`, `message`, `match`).';

/** The FHIR operations over the mapping engine and the validator. Each handler: parse, call, format. */
export function registerFhirOperationRoutes(app: FastifyInstance, operations: FhirOperationsPort): void {
  const validate = async (request: { body: unknown; query: { profile?: string[] }; params: { resourceType?: string } }, reply: FastifyReply) => {
    const input = validateInput(request.body, request.query.profile ?? [], request.params.resourceType);
    return sendFhir(reply, operations.validate(input));
  };
  app.post<ValidateRequest>('/fhir/$validate', { config: { scope: READ_SCOPE }, schema: VALIDATE_SCHEMA }, validate);
  app.post<ValidateRequest>('/fhir/:resourceType/$validate', { config: { scope: READ_SCOPE }, schema: { ...VALIDATE_SCHEMA, summary: 'Resource $validate on a type: the resource must be of that type' } }, validate);

  const translate = (parameters: fhir4.Parameters, reply: FastifyReply) => {
    const selector = conceptMapSelectorFromParameters(parameters);
    const request = parametersToTranslateRequest(parameters);
    return sendFhir(reply, translateResultToParameters(operations.translate({ selector, request })));
  };
  app.post<{ Body: fhir4.Parameters }>('/fhir/ConceptMap/$translate', {
    config: { scope: READ_SCOPE },
    schema: { tags: ['fhir'], summary: 'ConceptMap $translate: translate a code with a ConceptMap', description: TRANSLATE_DESCRIPTION, body: parametersBody, response: { 200: parametersResponse, ...errorResponses } },
  }, async (request, reply) => translate(request.body, reply));
  app.get<{ Querystring: Record<string, string> }>('/fhir/ConceptMap/$translate', {
    config: { scope: READ_SCOPE },
    schema: {
      tags: ['fhir'],
      summary: 'ConceptMap $translate with simple parameters in the query (url, system, code, version, source, target, targetsystem, reverse)',
      querystring: { type: 'object', additionalProperties: { type: 'string' } },
      response: { 200: parametersResponse, ...errorResponses },
    },
  }, async (request, reply) => translate(queryToParameters(request.query), reply));

  app.post<{ Body: unknown; Querystring: { source?: string } }>('/fhir/StructureMap/$transform', {
    config: { scope: READ_SCOPE },
    schema: {
      tags: ['fhir'],
      summary: 'StructureMap $transform: run a map on content',
      description: 'Parameters with `source` (map canonical URL; or an inline StructureMap resource, or FML text) and `content`; or the content as body with `?source=`. Answers with the produced resource.',
      querystring: { type: 'object', properties: { source: { type: 'string' } } },
      body: { type: 'object' },
      response: { 200: anyResource, ...errorResponses },
    },
  }, async (request, reply) => sendFhir(reply, operations.transform(transformInput(request.body, request.query.source))));
}
