import { request } from 'undici';
import { MigrateError } from '../../core/index.ts';

export interface Jwks {
  readonly keys: readonly Record<string, unknown>[];
}

export interface JwksFetcherOptions {
  /** How long a fetched JWKS is used before it is fetched again. */
  readonly cacheSeconds: number;
  /** A forced refresh (unknown key id, a signature that does not verify) at most this often per URL. Default 10. */
  readonly minRefreshSeconds?: number;
  readonly timeoutMs?: number;
  /** Largest JWKS document read. Default 64 KiB. */
  readonly maxBytes?: number;
  /** Seconds since the epoch (the TokenService's clock). */
  readonly now?: () => number;
}

interface CacheEntry {
  readonly jwks: Jwks;
  readonly fetchedAt: number;
}

/**
 * Registered clients' JWKS by URL (SMART Backend Services: "the client's JWK Set URL"), fetched
 * with undici and cached. A key the cache lacks (rotation) triggers one refetch, rate-limited so
 * that forged assertions cannot make the service hammer a client's JWKS host.
 */
export class JwksFetcher {
  readonly #options: JwksFetcherOptions;
  readonly #cache = new Map<string, CacheEntry>();
  readonly #inFlight = new Map<string, Promise<Jwks>>();
  /** JWKS documents fetched (observability and tests). */
  fetches = 0;

  constructor(options: JwksFetcherOptions) {
    this.#options = options;
  }

  #now(): number {
    return this.#options.now ? this.#options.now() : Math.floor(Date.now() / 1000);
  }

  /** The cached JWKS while fresh; `refresh` asks for a new copy (granted at most every minRefreshSeconds). */
  async get(url: string, refresh = false): Promise<Jwks> {
    const cached = this.#cache.get(url);
    const age = cached ? this.#now() - cached.fetchedAt : Infinity;
    const fresh = age < this.#options.cacheSeconds;
    const mayRefresh = age >= (this.#options.minRefreshSeconds ?? 10);
    if (cached && (refresh ? !mayRefresh : fresh)) return cached.jwks;
    let pending = this.#inFlight.get(url);
    if (!pending) {
      pending = this.#fetch(url).finally(() => this.#inFlight.delete(url));
      this.#inFlight.set(url, pending);
    }
    return pending;
  }

  async #fetch(url: string): Promise<Jwks> {
    this.fetches++;
    const timeout = this.#options.timeoutMs ?? 5_000;
    let text: string;
    try {
      const response = await request(url, { method: 'GET', headers: { accept: 'application/json, application/jwk-set+json' }, headersTimeout: timeout, bodyTimeout: timeout });
      text = await response.body.text();
      if (response.statusCode !== 200) throw new MigrateError('FHIRMIG_ERR_AUTH_JWKS', `The client's jwksUrl answered HTTP ${response.statusCode}.`);
    } catch (error) {
      if (error instanceof MigrateError) throw error;
      throw new MigrateError('FHIRMIG_ERR_AUTH_JWKS', 'The client\'s jwksUrl could not be reached.', { cause: error });
    }
    if (text.length > (this.#options.maxBytes ?? 65_536)) throw new MigrateError('FHIRMIG_ERR_AUTH_JWKS', 'The client\'s JWKS document is too large.');
    const jwks = parseJwks(text);
    this.#cache.set(url, { jwks, fetchedAt: this.#now() });
    return jwks;
  }
}

function parseJwks(text: string): Jwks {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new MigrateError('FHIRMIG_ERR_AUTH_JWKS', 'The client\'s jwksUrl did not answer with JSON.');
  }
  const keys = (value as { keys?: unknown } | null)?.keys;
  if (!Array.isArray(keys) || !keys.every((k) => typeof k === 'object' && k !== null)) {
    throw new MigrateError('FHIRMIG_ERR_AUTH_JWKS', 'The client\'s jwksUrl did not answer with a JWK Set ({"keys": [...]}).');
  }
  return { keys: keys as Record<string, unknown>[] };
}
