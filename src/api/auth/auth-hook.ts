import type { FastifyInstance, FastifyRequest } from 'fastify';
import { MigrateError } from '../../core/index.ts';
import { scopesCover } from './scopes.ts';
import type { AccessGrant } from './token-service.ts';

export interface AccessTokenVerifier {
  verifyAccessToken(token: string): AccessGrant;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** The verified token's client and scopes (undefined on open routes or with auth off). */
    accessGrant: AccessGrant | undefined;
  }
}

function bearerToken(request: FastifyRequest): string {
  const header = request.headers.authorization;
  const match = typeof header === 'string' ? /^Bearer\s+(\S+)$/i.exec(header) : null;
  if (!match?.[1]) throw new MigrateError('FHIRMIG_ERR_API_UNAUTHORIZED', 'This route needs a bearer token (SMART Backend Services; see /.well-known/smart-configuration).');
  return match[1];
}

/**
 * The access check, before the body is read (onRequest): every route needs a valid token whose
 * scopes cover the route's `config.scope`, except routes marked `config.public`. A route without
 * a declared scope (including unknown paths) needs a token but no particular scope.
 */
export function registerAuthHook(app: FastifyInstance, verifier: AccessTokenVerifier): void {
  app.decorateRequest('accessGrant', undefined);
  app.addHook('onRequest', async (request) => {
    const config = request.routeOptions.config;
    if (config.public) return;
    const grant = verifier.verifyAccessToken(bearerToken(request));
    if (config.scope && !scopesCover(grant.scopes, config.scope)) {
      throw new MigrateError('FHIRMIG_ERR_API_FORBIDDEN', `The token's scopes (${grant.scopes.join(' ') || 'none'}) do not include ${config.scope}.`);
    }
    request.accessGrant = grant;
  });
}
