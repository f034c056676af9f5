import { createPrivateKey, randomUUID, sign } from 'node:crypto';
import type { JsonWebKey, KeyObject } from 'node:crypto';
import { MigrateError } from '../../core/index.ts';

/** The algorithms SMART Backend Services requires servers to support. */
export type JwtAlgorithm = 'RS384' | 'ES384';

/** A private key as a node KeyObject, a PEM string, or a JWK (with its private part `d`). */
export type PrivateKeyInput = KeyObject | string | JsonWebKey;

export function toPrivateKey(key: PrivateKeyInput): KeyObject {
  if (typeof key === 'string') return createPrivateKey(key);
  if ('asymmetricKeyType' in key && typeof (key as KeyObject).export === 'function') return key as KeyObject;
  return createPrivateKey({ key: key as JsonWebKey, format: 'jwk' });
}

function base64url(value: string | Buffer): string {
  return Buffer.from(value).toString('base64url');
}

/** Signs a compact JWS. ES384 signatures use the JOSE (r||s) encoding, not DER. */
export function signJwt(claims: Record<string, unknown>, key: KeyObject, algorithm: JwtAlgorithm, keyId?: string): string {
  const header = { alg: algorithm, typ: 'JWT', ...(keyId ? { kid: keyId } : {}) };
  const signingInput = `${base64url(JSON.stringify(header))}.${base64url(JSON.stringify(claims))}`;
  const signature = signWith(algorithm, Buffer.from(signingInput), key);
  return `${signingInput}.${base64url(signature)}`;
}

function signWith(algorithm: JwtAlgorithm, data: Buffer, key: KeyObject): Buffer {
  switch (algorithm) {
    case 'RS384':
      if (key.asymmetricKeyType !== 'rsa') throw keyMismatch(algorithm, key);
      return sign('sha384', data, key);
    case 'ES384':
      if (key.asymmetricKeyType !== 'ec') throw keyMismatch(algorithm, key);
      return sign('sha384', data, { key, dsaEncoding: 'ieee-p1363' });
    default:
      throw new MigrateError('FHIRMIG_ERR_CONFIG_INVALID', `Unsupported JWT algorithm ${String(algorithm)} (use RS384 or ES384)`);
  }
}

function keyMismatch(algorithm: JwtAlgorithm, key: KeyObject): MigrateError {
  return new MigrateError('FHIRMIG_ERR_CONFIG_INVALID', `A ${String(key.asymmetricKeyType)} key cannot sign ${algorithm}`);
}

/** The client assertion of SMART Backend Services (iss = sub = client id, aud = token URL, 5 min). */
export function buildClientAssertion(clientId: string, tokenUrl: string, nowSeconds: number): Record<string, unknown> {
  return { iss: clientId, sub: clientId, aud: tokenUrl, exp: nowSeconds + 300, iat: nowSeconds, jti: randomUUID() };
}
