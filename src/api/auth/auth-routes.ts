import type { FastifyError, FastifyInstance, FastifyReply } from 'fastify';
import { baseUrl } from '../fhir-reply.ts';
import { OAuthError } from './token-service.ts';
import type { IssuedToken } from './token-service.ts';

export const TOKEN_PATH = '/auth/token';

export interface TokenIssuer {
  issue(form: Readonly<Record<string, unknown>>, tokenUrl: string): Promise<IssuedToken>;
}

/** RFC 6749 §5.2 error JSON for the token endpoint; `no-store` as §5.1 requires for token responses. */
function sendOAuthError(reply: FastifyReply, error: unknown): FastifyReply {
  const oauth = error instanceof OAuthError ? error : new OAuthError('invalid_request', (error as Partial<FastifyError>).statusCode === 415 ? 'Send the token request as application/x-www-form-urlencoded.' : 'The token request is malformed.');
  reply.log.info({ oauthError: oauth.error }, 'token request refused');
  return reply.code(oauth.status).header('cache-control', 'no-store').send({ error: oauth.error, error_description: oauth.message });
}

/** The SMART Backend Services token endpoint and discovery document (both open). */
export function registerAuthRoutes(app: FastifyInstance, issuer: TokenIssuer, publicUrl: string | undefined, supportedScopes: readonly string[]): void {
  app.post<{ Body: Record<string, unknown> }>(TOKEN_PATH, {
    config: { public: true },
    errorHandler: (error, _request, reply) => sendOAuthError(reply, error),
    schema: {
      tags: ['auth'],
      security: [],
      summary: 'OAuth 2.0 token endpoint: client_credentials with a private_key_jwt client assertion (RS384/ES384)',
      consumes: ['application/x-www-form-urlencoded'],
      body: {
        type: 'object',
        properties: { grant_type: { type: 'string' }, client_assertion_type: { type: 'string' }, client_assertion: { type: 'string' }, scope: { type: 'string' } },
      },
    },
  }, async (request, reply) => {
    const token = await issuer.issue(request.body, `${baseUrl(request, publicUrl)}${TOKEN_PATH}`);
    return reply.header('cache-control', 'no-store').header('pragma', 'no-cache').send(token);
  });

  app.get('/.well-known/smart-configuration', {
    config: { public: true },
    schema: { tags: ['auth'], security: [], summary: 'SMART configuration (discovery of the token endpoint)', response: { 200: { type: 'object', additionalProperties: true } } },
  }, async (request) => ({
    token_endpoint: `${baseUrl(request, publicUrl)}${TOKEN_PATH}`,
    grant_types_supported: ['client_credentials'],
    token_endpoint_auth_methods_supported: ['private_key_jwt'],
    token_endpoint_auth_signing_alg_values_supported: ['RS384', 'ES384'],
    scopes_supported: supportedScopes,
    capabilities: ['client-confidential-asymmetric'],
  }));
}
