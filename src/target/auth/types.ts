import type { JwtAlgorithm, PrivateKeyInput } from './jwt.ts';

/** Posts a form to a URL and returns the status and parsed JSON body (the client's retries apply). */
export type FormPoster = (url: string, form: Record<string, string>) => Promise<{ status: number; body: unknown }>;

export interface SmartBackendConfig {
  readonly type: 'smart-backend';
  readonly tokenUrl: string;
  readonly clientId: string;
  readonly privateKey: PrivateKeyInput;
  readonly algorithm: JwtAlgorithm;
  /** `kid` of the public key registered with the server (its JWKS). */
  readonly keyId?: string;
  /** Default `system/*.write system/*.read`. */
  readonly scope?: string;
  /** Refresh this long before the token expires. Default 60 s. */
  readonly refreshBeforeMs?: number;
}

export type AuthConfig = { readonly type: 'none' } | { readonly type: 'bearer'; readonly token: string } | SmartBackendConfig;

/** Supplies the Authorization header; `invalidate` drops a cached token after a 401. */
export interface AuthProvider {
  authorization(): Promise<string | undefined>;
  /** True when a fresh credential may fix a 401 (a cached token that can be fetched again). */
  invalidate(): boolean;
}
