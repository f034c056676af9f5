import { Agent, request } from 'undici';
import type { Dispatcher } from 'undici';
import { MigrateError } from '../../core/index.ts';
import { createAuthProvider } from '../auth/auth.ts';
import type { AuthConfig, AuthProvider } from '../auth/types.ts';
import { DEFAULT_RETRY_POLICY, sendWithRetries } from './retry.ts';
import type { AttemptOutcome, RetriedResponse, RetryPolicy } from './retry.ts';

export interface TimeoutOptions {
  /** TCP (and TLS) connect. */
  readonly connectMs: number;
  /** From sending the request until the response headers arrive. */
  readonly headersMs: number;
  /** Longest silence while the response body streams. */
  readonly bodyMs: number;
}

export const DEFAULT_TIMEOUTS: TimeoutOptions = { connectMs: 10_000, headersMs: 120_000, bodyMs: 60_000 };

export interface FhirClientOptions {
  /** The FHIR base, e.g. `https://ehr.example.org/fhir` (no trailing slash needed). */
  readonly baseUrl: string;
  readonly auth?: AuthConfig;
  readonly retry?: Partial<RetryPolicy>;
  readonly timeouts?: Partial<TimeoutOptions>;
  /** Sockets per origin. Default 8. */
  readonly connections?: number;
  /** Overrides the sleep between retries and the jitter source (tests). */
  readonly sleep?: (ms: number) => Promise<void>;
  readonly random?: () => number;
  /** Told of every request once it ended (retries included): the service's target metrics. */
  readonly onRequest?: (event: TargetRequestEvent) => void;
}

/** One FHIR request as the metrics see it: no URL or body (they can carry PHI). */
export interface TargetRequestEvent {
  readonly method: FhirRequest['method'];
  /** The final HTTP status; 0 when the retries ran out (connection errors, or 429/5xx to the end). */
  readonly status: number;
  /** Attempts made, the first included (retries = attempts - 1). */
  readonly attempts: number;
  readonly durationMs: number;
}

export interface FhirRequest {
  readonly method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** Relative to the base: `''` for a transaction, `Patient/123`, `Patient?identifier=…`. */
  readonly path: string;
  readonly body?: unknown;
  /** Extra headers, e.g. `if-match`. */
  readonly headers?: Readonly<Record<string, string>>;
  /** Overrides the idempotency derived from the method and body. */
  readonly idempotent?: boolean;
}

export interface FhirResponse {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  /** Parsed JSON, or undefined for an empty body. */
  readonly body: unknown;
  readonly attempts: number;
}

interface RawResponse {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly text: string;
}

const FHIR_JSON = 'application/fhir+json';

/**
 * A FHIR REST client over undici: auth, timeouts, and retries for idempotent requests only
 * (PUT/GET/DELETE, and transactions whose every entry is idempotent; plain POST never).
 */
export class FhirClient {
  readonly baseUrl: string;
  readonly #dispatcher: Dispatcher;
  readonly #auth: AuthProvider;
  readonly #policy: RetryPolicy;
  readonly #options: FhirClientOptions;
  /** HTTP requests sent, retries included (observability and tests). */
  requestsSent = 0;

  constructor(options: FhirClientOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    const timeouts = { ...DEFAULT_TIMEOUTS, ...options.timeouts };
    this.#dispatcher = new Agent({
      connect: { timeout: timeouts.connectMs },
      headersTimeout: timeouts.headersMs,
      bodyTimeout: timeouts.bodyMs,
      connections: options.connections ?? 8,
    });
    this.#policy = { ...DEFAULT_RETRY_POLICY, ...options.retry };
    this.#options = options;
    this.#auth = createAuthProvider(options.auth ?? { type: 'none' }, (url, form) => this.#postForm(url, form));
  }

  get auth(): AuthProvider {
    return this.#auth;
  }

  async request(req: FhirRequest): Promise<FhirResponse> {
    const url = req.path ? `${this.baseUrl}/${req.path}` : this.baseUrl;
    const body = req.body === undefined ? undefined : JSON.stringify(req.body);
    const idempotent = req.idempotent ?? isIdempotent(req);
    // Error messages name the path without its query: FHIR search parameters can carry PHI.
    const where = `${req.method} ${url.split('?')[0] as string}`;
    const send = async (): Promise<RawResponse> => {
      const authorization = await this.#auth.authorization();
      const headers: Record<string, string> = { ...req.headers, accept: FHIR_JSON };
      if (body !== undefined) headers['content-type'] = FHIR_JSON;
      if (authorization) headers.authorization = authorization;
      return this.#send(url, req.method, headers, body);
    };
    const started = performance.now();
    let result: RetriedResponse<RawResponse>;
    try {
      result = await this.#withRetries(send, idempotent, where);
      if (result.response.status === 401 && this.#auth.invalidate()) {
        result = await this.#withRetries(send, idempotent, where);
      }
    } catch (error) {
      this.#options.onRequest?.({ method: req.method, status: 0, attempts: idempotent ? this.#policy.maxAttempts : 1, durationMs: performance.now() - started });
      throw error;
    }
    this.#options.onRequest?.({ method: req.method, status: result.response.status, attempts: result.attempts, durationMs: performance.now() - started });
    const { status, headers, text } = result.response;
    if (status === 401 || status === 403) {
      throw new MigrateError('FHIRMIG_ERR_TARGET_AUTH', `Target refused the credentials for ${where} (HTTP ${status})`);
    }
    return { status, headers, body: parseJson(text, where, status >= 300), attempts: result.attempts };
  }

  async close(): Promise<void> {
    await this.#dispatcher.close();
  }

  #withRetries(send: () => Promise<RawResponse>, idempotent: boolean, describe: string) {
    const attempt = async (): Promise<AttemptOutcome<RawResponse>> => {
      try {
        const response = await send();
        const retryAfter = response.headers['retry-after'];
        return { kind: 'response', status: response.status, retryAfter: typeof retryAfter === 'string' ? retryAfter : undefined, response };
      } catch (error) {
        if (error instanceof MigrateError) throw error;
        return { kind: 'error', error };
      }
    };
    const { sleep, random } = this.#options;
    return sendWithRetries(attempt, { policy: this.#policy, idempotent, describe, ...(sleep ? { sleep } : {}), ...(random ? { random } : {}) });
  }

  async #send(url: string, method: string, headers: Record<string, string>, body: string | undefined): Promise<RawResponse> {
    this.requestsSent++;
    const response = await request(url, { method: method as 'GET', headers, body, dispatcher: this.#dispatcher });
    const text = await response.body.text();
    return { status: response.statusCode, headers: response.headers, text };
  }

  /** The token request of SMART Backend Services: a client-credentials grant is safe to repeat. */
  async #postForm(url: string, form: Record<string, string>): Promise<{ status: number; body: unknown }> {
    const body = new URLSearchParams(form).toString();
    const headers = { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' };
    const { response } = await this.#withRetries(() => this.#send(url, 'POST', headers, body), true, `POST ${url} (token)`);
    return { status: response.status, body: parseJson(response.text, url, true) };
  }
}

/** PUT/GET/DELETE are idempotent; a POSTed transaction is when every entry is (ifNoneExist counts). */
export function isIdempotent(req: Pick<FhirRequest, 'method' | 'body'>): boolean {
  if (req.method !== 'POST') return true;
  const bundle = req.body as fhir4.Bundle | undefined;
  if (bundle?.resourceType !== 'Bundle' || (bundle.type !== 'transaction' && bundle.type !== 'batch')) return false;
  return (bundle.entry ?? []).every((entry) => {
    const method = entry.request?.method;
    return method === 'PUT' || method === 'GET' || method === 'HEAD' || method === 'DELETE' || (method === 'POST' && Boolean(entry.request?.ifNoneExist));
  });
}

function parseJson(text: string, where: string, lenient = false): unknown {
  if (text.length === 0) return undefined;
  try {
    return JSON.parse(text);
  } catch (error) {
    if (lenient) return undefined;
    throw new MigrateError('FHIRMIG_ERR_TARGET_RESPONSE', `Target answered ${where} with a body that is not JSON`, { cause: error });
  }
}
