/**
 * JSON Schemas shared by the routes: they validate requests and feed the OpenAPI document.
 * FHIR bodies are checked only for their shape here; FHIR rules are the validator's job.
 * Response schemas keep `additionalProperties: true` so serialization never drops FHIR content.
 */
export const resourceBody = {
  type: 'object',
  required: ['resourceType'],
  properties: { resourceType: { type: 'string', minLength: 1 } },
  additionalProperties: true,
} as const;

export const parametersBody = {
  type: 'object',
  required: ['resourceType'],
  properties: { resourceType: { const: 'Parameters' }, parameter: { type: 'array', items: { type: 'object', required: ['name'], properties: { name: { type: 'string' } } } } },
  additionalProperties: true,
} as const;

function resourceResponse(resourceType: string, description: string) {
  return { description, type: 'object', properties: { resourceType: { type: 'string', const: resourceType } }, additionalProperties: true } as const;
}

export const operationOutcome = resourceResponse('OperationOutcome', 'An OperationOutcome (every error is one).');
export const parametersResponse = resourceResponse('Parameters', 'The out parameters of the operation.');
export const anyResource = { description: 'A FHIR resource (or a logical-model instance).', type: 'object', additionalProperties: true } as const;

/** The error responses every protected FHIR route documents. */
export const errorResponses = { 400: operationOutcome, 401: operationOutcome, 403: operationOutcome, 404: operationOutcome, 422: operationOutcome, 429: operationOutcome, 500: operationOutcome } as const;
