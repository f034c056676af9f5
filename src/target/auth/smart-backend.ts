import type { KeyObject } from 'node:crypto';
import { MigrateError } from '../../core/index.ts';
import type { AuthProvider, FormPoster, SmartBackendConfig } from './types.ts';
import { buildClientAssertion, signJwt, toPrivateKey } from './jwt.ts';

interface CachedToken {
  readonly header: string;
  readonly expiresAt: number;
}

const DEFAULT_SCOPE = 'system/*.write system/*.read';
const ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

/**
 * SMART Backend Services (client credentials with a signed JWT assertion). The token is cached
 * and fetched again shortly before it expires; concurrent callers share one token request.
 */
export class SmartBackendAuth implements AuthProvider {
  readonly #config: SmartBackendConfig;
  readonly #key: KeyObject;
  readonly #postForm: FormPoster;
  readonly #now: () => number;
  #cached: CachedToken | undefined;
  #pending: Promise<CachedToken> | undefined;
  /** Tokens fetched so far (observability and tests). */
  tokenRequests = 0;

  constructor(config: SmartBackendConfig, postForm: FormPoster, now: () => number = Date.now) {
    this.#config = config;
    this.#key = toPrivateKey(config.privateKey);
    this.#postForm = postForm;
    this.#now = now;
  }

  async authorization(): Promise<string> {
    const refreshBefore = this.#config.refreshBeforeMs ?? 60_000;
    if (this.#cached && this.#now() < this.#cached.expiresAt - refreshBefore) return this.#cached.header;
    this.#pending ??= this.#fetchToken().finally(() => {
      this.#pending = undefined;
    });
    this.#cached = await this.#pending;
    return this.#cached.header;
  }

  invalidate(): boolean {
    this.#cached = undefined;
    return true;
  }

  async #fetchToken(): Promise<CachedToken> {
    this.tokenRequests++;
    const { tokenUrl, clientId, algorithm, keyId } = this.#config;
    const assertion = signJwt(buildClientAssertion(clientId, tokenUrl, Math.floor(this.#now() / 1000)), this.#key, algorithm, keyId);
    const { status, body } = await this.#postForm(tokenUrl, {
      grant_type: 'client_credentials',
      scope: this.#config.scope ?? DEFAULT_SCOPE,
      client_assertion_type: ASSERTION_TYPE,
      client_assertion: assertion,
    });
    const token = body as { access_token?: unknown; token_type?: unknown; expires_in?: unknown; error?: unknown } | undefined;
    if (status !== 200 || typeof token?.access_token !== 'string') {
      const reason = typeof token?.error === 'string' ? token.error : `HTTP ${status}`;
      throw new MigrateError('FHIRMIG_ERR_TARGET_AUTH', `SMART token request to ${tokenUrl} failed: ${reason}`);
    }
    const expiresIn = typeof token.expires_in === 'number' ? token.expires_in : 300;
    return { header: `Bearer ${token.access_token}`, expiresAt: this.#now() + expiresIn * 1000 };
  }
}
