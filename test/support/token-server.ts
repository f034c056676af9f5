/**
 * A small SMART Backend Services token endpoint for tests: it checks the client assertion's
 * signature with the registered public key (RS384 or ES384) and its claims, then issues an opaque
 * bearer token with a chosen lifetime. `isValid(token)` is what the test FHIR server asks.
 */
import { createPublicKey, randomBytes, verify } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { closeServer } from './fhir-server.ts';

export interface TokenServerOptions {
  readonly clientId: string;
  readonly publicKey: KeyObject | string;
  /** Lifetime of issued tokens in seconds. Default 300. */
  readonly expiresIn?: number;
}

export interface RunningTokenServer {
  readonly url: string;
  /** Token requests received, and how many were refused. */
  requestCount(): number;
  refusedCount(): number;
  /** Why the last refused request was refused. */
  lastError(): string | undefined;
  isValid(token: string): boolean;
  /** Revokes every token issued so far (the next FHIR call gets 401). */
  revokeAll(): void;
  close(): Promise<void>;
}

interface Claims {
  iss?: unknown;
  sub?: unknown;
  aud?: unknown;
  exp?: unknown;
  jti?: unknown;
}

export async function startTokenServer(options: TokenServerOptions): Promise<RunningTokenServer> {
  const publicKey = typeof options.publicKey === 'string' ? createPublicKey(options.publicKey) : options.publicKey;
  const issued = new Map<string, number>();
  const seenJti = new Set<string>();
  let requests = 0;
  let refused = 0;
  let lastError: string | undefined;
  let url = '';

  const checkAssertion = (form: URLSearchParams): string | undefined => {
    if (form.get('grant_type') !== 'client_credentials') return 'unsupported grant_type';
    if (form.get('client_assertion_type') !== 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer') return 'bad client_assertion_type';
    const parts = (form.get('client_assertion') ?? '').split('.');
    if (parts.length !== 3) return 'client_assertion is not a JWS';
    const [header64, claims64, signature64] = parts as [string, string, string];
    const header = JSON.parse(Buffer.from(header64, 'base64url').toString('utf8')) as { alg?: unknown };
    const data = Buffer.from(`${header64}.${claims64}`);
    const signature = Buffer.from(signature64, 'base64url');
    const ok =
      header.alg === 'RS384'
        ? verify('sha384', data, publicKey, signature)
        : header.alg === 'ES384' && verify('sha384', data, { key: publicKey, dsaEncoding: 'ieee-p1363' }, signature);
    if (!ok) return `signature does not verify (${String(header.alg)})`;
    const claims = JSON.parse(Buffer.from(claims64, 'base64url').toString('utf8')) as Claims;
    if (claims.iss !== options.clientId || claims.sub !== options.clientId) return 'iss/sub is not the client id';
    if (claims.aud !== url) return 'aud is not the token URL';
    if (typeof claims.exp !== 'number' || claims.exp * 1000 < Date.now()) return 'assertion expired';
    if (typeof claims.jti !== 'string' || seenJti.has(claims.jti)) return 'jti missing or replayed';
    seenJti.add(claims.jti);
    return undefined;
  };

  const server = createServer((req, res) => {
    requests++;
    let text = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (text += chunk));
    req.on('end', () => {
      const error = checkAssertion(new URLSearchParams(text));
      res.setHeader('content-type', 'application/json');
      if (error) {
        refused++;
        lastError = error;
        res.writeHead(400).end(JSON.stringify({ error: 'invalid_client', error_description: error }));
        return;
      }
      const token = randomBytes(24).toString('base64url');
      const expiresIn = options.expiresIn ?? 300;
      issued.set(token, Date.now() + expiresIn * 1000);
      res.writeHead(200).end(JSON.stringify({ access_token: token, token_type: 'bearer', expires_in: expiresIn, scope: 'system/*.*' }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/token`;

  return {
    url,
    requestCount: () => requests,
    refusedCount: () => refused,
    lastError: () => lastError,
    isValid: (token) => (issued.get(token) ?? 0) > Date.now(),
    revokeAll: () => issued.clear(),
    close: () => closeServer(server),
  };
}
