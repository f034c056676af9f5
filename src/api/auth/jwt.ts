import { createPublicKey, sign, verify } from 'node:crypto';
import type { JsonWebKey, KeyObject } from 'node:crypto';

/** The algorithms SMART Backend Services requires: RS384 and ES384. */
export type JwsAlgorithm = 'RS384' | 'ES384';

export interface DecodedJwt {
  readonly header: { readonly alg?: unknown; readonly kid?: unknown; readonly typ?: unknown };
  readonly claims: Record<string, unknown>;
  readonly signingInput: string;
  readonly signature: Buffer;
}

/** Splits and parses a compact JWS; undefined when it is not one (the caller says why to whom). */
export function decodeJwt(token: string): DecodedJwt | undefined {
  const parts = token.split('.');
  if (parts.length !== 3) return undefined;
  const [header, claims, signature] = parts as [string, string, string];
  try {
    const parsedHeader = JSON.parse(Buffer.from(header, 'base64url').toString('utf8')) as unknown;
    const parsedClaims = JSON.parse(Buffer.from(claims, 'base64url').toString('utf8')) as unknown;
    if (!isRecord(parsedHeader) || !isRecord(parsedClaims)) return undefined;
    return { header: parsedHeader, claims: parsedClaims, signingInput: `${header}.${claims}`, signature: Buffer.from(signature, 'base64url') };
  } catch {
    return undefined;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function isSupportedAlgorithm(alg: unknown): alg is JwsAlgorithm {
  return alg === 'RS384' || alg === 'ES384';
}

/** Checks the signature with one key; a key of the wrong type for the algorithm never verifies. */
export function verifySignature(jwt: DecodedJwt, algorithm: JwsAlgorithm, key: KeyObject): boolean {
  const data = Buffer.from(jwt.signingInput);
  switch (algorithm) {
    case 'RS384':
      return key.asymmetricKeyType === 'rsa' && verify('sha384', data, key, jwt.signature);
    case 'ES384':
      return key.asymmetricKeyType === 'ec' && verify('sha384', data, { key, dsaEncoding: 'ieee-p1363' }, jwt.signature);
    default:
      return false;
  }
}

/** Signs claims as a compact ES384 JWS (the service's own access tokens). */
export function signEs384(claims: Record<string, unknown>, key: KeyObject, keyId: string): string {
  const header = Buffer.from(JSON.stringify({ alg: 'ES384', typ: 'JWT', kid: keyId })).toString('base64url');
  const body = Buffer.from(JSON.stringify(claims)).toString('base64url');
  const signature = sign('sha384', Buffer.from(`${header}.${body}`), { key, dsaEncoding: 'ieee-p1363' });
  return `${header}.${body}.${signature.toString('base64url')}`;
}

/** The public keys of a JWKS that fit an algorithm (and the `kid`, when the JWT names one). */
export function keysFor(jwks: { readonly keys: readonly Record<string, unknown>[] }, algorithm: JwsAlgorithm, kid: unknown): KeyObject[] {
  const kty = algorithm === 'RS384' ? 'RSA' : 'EC';
  const keys: KeyObject[] = [];
  for (const jwk of jwks.keys) {
    if (jwk['kty'] !== kty || (jwk['alg'] !== undefined && jwk['alg'] !== algorithm)) continue;
    if (typeof kid === 'string' && jwk['kid'] !== undefined && jwk['kid'] !== kid) continue;
    try {
      keys.push(createPublicKey({ key: publicPart(jwk), format: 'jwk' }));
    } catch {
      // An unusable key in the client's JWKS is skipped; the assertion then fails to verify.
    }
  }
  return keys;
}

function publicPart(jwk: Record<string, unknown>): JsonWebKey {
  const { d: _d, p: _p, q: _q, dp: _dp, dq: _dq, qi: _qi, ...rest } = jwk;
  return rest as JsonWebKey;
}
