import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { MigrateError, errorToOutcome, isMigrateError } from '../core/index.ts';
import type { ErrorCode } from '../core/index.ts';
import { sendFhir } from './fhir-reply.ts';

/** Fastify's own error codes, mapped to ours (the status stays the one Fastify chose). */
const FASTIFY_CODES: Readonly<Record<string, ErrorCode>> = {
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'FHIRMIG_ERR_API_MEDIA_TYPE',
  FST_ERR_CTP_BODY_TOO_LARGE: 'FHIRMIG_ERR_API_BODY_TOO_LARGE',
};

const STATUS_CODES: Readonly<Record<number, ErrorCode>> = {
  401: 'FHIRMIG_ERR_API_UNAUTHORIZED',
  403: 'FHIRMIG_ERR_API_FORBIDDEN',
  404: 'FHIRMIG_ERR_API_NOT_FOUND',
  413: 'FHIRMIG_ERR_API_BODY_TOO_LARGE',
  415: 'FHIRMIG_ERR_API_MEDIA_TYPE',
  429: 'FHIRMIG_ERR_API_RATE_LIMITED',
};

/**
 * Any error as a MigrateError: ours pass through; request-schema failures and Fastify's 4xx
 * errors get an API code; anything else is an internal error whose message is not echoed.
 */
export function toMigrateError(error: unknown): MigrateError {
  if (isMigrateError(error)) return error;
  const fastifyError = error as Partial<FastifyError>;
  if (fastifyError.validation) {
    return new MigrateError('FHIRMIG_ERR_API_REQUEST', `Request ${fastifyError.message ?? 'does not match the route schema.'}`);
  }
  const status = fastifyError.statusCode ?? 500;
  if (status >= 400 && status < 500) {
    const code = FASTIFY_CODES[fastifyError.code ?? ''] ?? STATUS_CODES[status] ?? 'FHIRMIG_ERR_API_REQUEST';
    return new MigrateError(code, fastifyError.message ?? 'Bad request.');
  }
  return new MigrateError('FHIRMIG_ERR_CORE_INTERNAL', 'The service failed to process the request; the error was logged.', { cause: error });
}

/** The status to answer with: Fastify's for its own 4xx errors (e.g. 408, 405), else the registry's. */
function statusOf(error: unknown, migrateError: MigrateError): number {
  const status = (error as Partial<FastifyError>).statusCode;
  if (!isMigrateError(error) && typeof status === 'number' && status >= 400 && status < 500) return status;
  return migrateError.status;
}

/** Logs the code and status only: messages can quote request content (PHI). Internal errors keep their stack frames. */
function logError(request: FastifyRequest, error: unknown, migrateError: MigrateError, status: number): void {
  if (status < 500) {
    request.log.info({ code: migrateError.code, statusCode: status }, 'request failed');
    return;
  }
  const stack = error instanceof Error ? (error.stack ?? '').split('\n').slice(1).join('\n') : '';
  request.log.error({ code: migrateError.code, errorType: error instanceof Error ? error.name : typeof error, stack }, 'request failed');
}

/** STYLE.md rule 3: one handler turns every error into an OperationOutcome; no stack traces leave the process. */
export function registerErrorHandling(app: FastifyInstance, options: { readonly onError?: (code: string) => void } = {}): void {
  app.setErrorHandler((error: unknown, request: FastifyRequest, reply: FastifyReply) => {
    const migrateError = toMigrateError(error);
    const status = statusOf(error, migrateError);
    logError(request, error, migrateError, status);
    options.onError?.(migrateError.code);
    if (status === 401) void reply.header('www-authenticate', 'Bearer');
    return sendFhir(reply, errorToOutcome(migrateError), status);
  });
  app.setNotFoundHandler((request: FastifyRequest, reply: FastifyReply) => {
    const error = new MigrateError('FHIRMIG_ERR_API_NOT_FOUND', `No route for ${request.method} ${request.url.split('?')[0] ?? ''}.`);
    return sendFhir(reply, errorToOutcome(error), 404);
  });
}
