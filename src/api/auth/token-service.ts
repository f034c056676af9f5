import { generateKeyPairSync, randomUUID } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { MigrateError } from '../../core/index.ts';
import { decodeJwt, isSupportedAlgorithm, keysFor, signEs384, verifySignature } from './jwt.ts';
import type { DecodedJwt, JwsAlgorithm } from './jwt.ts';
import { JwksFetcher } from './jwks-fetcher.ts';
import { ReplayCache } from './replay-cache.ts';
import { scopeCovers } from './scopes.ts';

export interface AuthClient {
  readonly clientId: string;
  readonly jwks?: { readonly keys: readonly Record<string, unknown>[] };
  /** Where the client publishes its JWKS (fetched and cached by the JwksFetcher). */
  readonly jwksUrl?: string;
  readonly scopes: readonly string[];
}

export interface TokenServiceOptions {
  readonly tokenLifetimeSeconds: number;
  readonly clients: readonly AuthClient[];
  /** Audience our access tokens carry and require (the public URL, or a fixed name). */
  readonly audience: string;
  /** Seconds since the epoch; injectable for tests. */
  readonly now?: () => number;
  /** How long a client's JWKS fetched from its jwksUrl is cached. Default 300. */
  readonly jwksCacheSeconds?: number;
}

export type OAuthErrorCode = 'invalid_request' | 'invalid_client' | 'invalid_grant' | 'invalid_scope' | 'unsupported_grant_type';

/** A token endpoint error, answered as RFC 6749 §5.2 JSON (not an OperationOutcome: OAuth clients expect this). */
export class OAuthError extends Error {
  readonly error: OAuthErrorCode;
  readonly status: number;

  constructor(error: OAuthErrorCode, description: string) {
    super(description);
    this.name = 'OAuthError';
    this.error = error;
    this.status = error === 'invalid_client' ? 401 : 400;
  }
}

export interface IssuedToken {
  readonly access_token: string;
  readonly token_type: 'bearer';
  readonly expires_in: number;
  readonly scope: string;
}

export interface AccessGrant {
  readonly clientId: string;
  readonly scopes: readonly string[];
}

const ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
const ISSUER = 'fhir-migrate';
/** SMART Backend Services: the assertion's exp is no more than five minutes in the future. */
const MAX_ASSERTION_SECONDS = 300;
const CLOCK_SKEW_SECONDS = 30;

/**
 * SMART Backend Services (https://hl7.org/fhir/smart-app-launch/backend-services.html): checks
 * client assertions (private_key_jwt, RS384/ES384, against the client's JWKS; iss = sub = client
 * id, aud = token URL, exp, jti replay) and issues short-lived ES384 access tokens it verifies.
 * The signing key lives in memory: tokens do not survive a restart.
 */
export class TokenService {
  private readonly options: TokenServiceOptions;
  private readonly replay = new ReplayCache();
  private readonly privateKey: KeyObject;
  private readonly publicKey: KeyObject;
  private readonly keyId = randomUUID();
  /** Clients registered by jwksUrl: their key sets, fetched and cached. */
  readonly jwks: JwksFetcher;

  constructor(options: TokenServiceOptions) {
    this.options = options;
    this.jwks = new JwksFetcher({ cacheSeconds: options.jwksCacheSeconds ?? 300, now: () => this.now() });
    const pair = generateKeyPairSync('ec', { namedCurve: 'P-384' });
    this.privateKey = pair.privateKey;
    this.publicKey = pair.publicKey;
  }

  private now(): number {
    return this.options.now ? this.options.now() : Math.floor(Date.now() / 1000);
  }

  /** The token endpoint's work: form fields in, a token out, or an OAuthError. */
  async issue(form: Readonly<Record<string, unknown>>, tokenUrl: string): Promise<IssuedToken> {
    if (form['grant_type'] !== 'client_credentials') throw new OAuthError('unsupported_grant_type', 'grant_type must be client_credentials.');
    if (form['client_assertion_type'] !== ASSERTION_TYPE) throw new OAuthError('invalid_request', `client_assertion_type must be ${ASSERTION_TYPE}.`);
    const assertion = form['client_assertion'];
    if (typeof assertion !== 'string') throw new OAuthError('invalid_request', 'client_assertion is required.');
    const client = await this.authenticate(assertion, tokenUrl);
    const scopes = this.grantedScopes(client, form['scope']);
    const now = this.now();
    const claims = { iss: ISSUER, sub: client.clientId, aud: this.options.audience, iat: now, exp: now + this.options.tokenLifetimeSeconds, jti: randomUUID(), scope: scopes.join(' ') };
    return { access_token: signEs384(claims, this.privateKey, this.keyId), token_type: 'bearer', expires_in: this.options.tokenLifetimeSeconds, scope: scopes.join(' ') };
  }

  private async authenticate(assertion: string, tokenUrl: string): Promise<AuthClient> {
    const jwt = decodeJwt(assertion);
    if (!jwt) throw new OAuthError('invalid_client', 'client_assertion is not a JWT.');
    const { alg, kid } = jwt.header;
    if (!isSupportedAlgorithm(alg)) throw new OAuthError('invalid_client', 'client_assertion must be signed with RS384 or ES384.');
    const { iss, sub, aud, exp, jti } = jwt.claims;
    const client = this.options.clients.find((c) => c.clientId === iss);
    if (!client || sub !== iss) throw new OAuthError('invalid_client', 'Unknown client, or iss and sub differ.');
    if (!(await this.verifiesWithClientKeys(client, jwt, alg, kid))) throw new OAuthError('invalid_client', 'client_assertion signature does not verify with the client\'s keys.');
    if (!(aud === tokenUrl || (Array.isArray(aud) && aud.includes(tokenUrl)))) throw new OAuthError('invalid_client', `client_assertion aud must be the token URL ${tokenUrl}.`);
    const now = this.now();
    if (typeof exp !== 'number' || exp < now - CLOCK_SKEW_SECONDS) throw new OAuthError('invalid_client', 'client_assertion has expired (or has no exp).');
    if (exp > now + MAX_ASSERTION_SECONDS + CLOCK_SKEW_SECONDS) throw new OAuthError('invalid_client', 'client_assertion exp is more than five minutes ahead.');
    if (typeof jti !== 'string' || jti === '') throw new OAuthError('invalid_client', 'client_assertion needs a jti.');
    if (!this.replay.remember(client.clientId, jti, exp, now)) throw new OAuthError('invalid_client', 'client_assertion jti was already used.');
    return client;
  }

  /** Inline keys; or the jwksUrl's cached set, then (key rotation) one refetch. */
  private async verifiesWithClientKeys(client: AuthClient, jwt: DecodedJwt, alg: JwsAlgorithm, kid: unknown): Promise<boolean> {
    const verifies = (jwks: { readonly keys: readonly Record<string, unknown>[] }) => keysFor(jwks, alg, kid).some((key) => verifySignature(jwt, alg, key));
    if (client.jwks || !client.jwksUrl) return verifies(client.jwks ?? { keys: [] });
    try {
      return verifies(await this.jwks.get(client.jwksUrl)) || verifies(await this.jwks.get(client.jwksUrl, true));
    } catch (error) {
      if (error instanceof MigrateError) throw new OAuthError('invalid_client', `${error.code}: ${error.message}`);
      throw error;
    }
  }

  /** The requested scopes the client is registered for; none at all is invalid_scope. */
  private grantedScopes(client: AuthClient, requested: unknown): string[] {
    if (typeof requested !== 'string' || requested.trim() === '') throw new OAuthError('invalid_scope', 'scope is required.');
    const granted = requested.trim().split(/\s+/).filter((scope) => client.scopes.some((allowed) => allowed === scope || scopeCovers(allowed, scope)));
    if (granted.length === 0) throw new OAuthError('invalid_scope', 'None of the requested scopes is allowed for this client.');
    return granted;
  }

  /** Verifies an access token we issued: signature, issuer, audience, expiry. Throws FHIRMIG_ERR_API_UNAUTHORIZED. */
  verifyAccessToken(token: string): AccessGrant {
    const jwt = decodeJwt(token);
    const unauthorized = (why: string) => new MigrateError('FHIRMIG_ERR_API_UNAUTHORIZED', `Bearer token rejected: ${why}.`);
    if (!jwt || jwt.header.alg !== 'ES384') throw unauthorized('not a token issued by this service');
    if (!verifySignature(jwt, 'ES384', this.publicKey)) throw unauthorized('bad signature');
    const { iss, aud, exp, sub, scope } = jwt.claims;
    if (iss !== ISSUER || aud !== this.options.audience) throw unauthorized('wrong issuer or audience');
    if (typeof exp !== 'number' || exp <= this.now()) throw unauthorized('expired');
    return { clientId: String(sub), scopes: typeof scope === 'string' ? scope.split(' ').filter(Boolean) : [] };
  }
}
