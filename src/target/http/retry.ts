import { MigrateError } from '../../core/index.ts';

/** Bounded retries with exponential backoff and jitter (STYLE.md rule 8). */
export interface RetryPolicy {
  /** Total attempts including the first (at least 1). */
  readonly maxAttempts: number;
  /** Delay before the first retry; doubles each attempt. */
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
  /** A `Retry-After` longer than this is clamped to it. */
  readonly maxRetryAfterMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  maxAttempts: 6,
  baseDelayMs: 250,
  maxDelayMs: 8_000,
  maxRetryAfterMs: 60_000,
};

export const RETRYABLE_STATUSES: ReadonlySet<number> = new Set([429, 502, 503, 504]);

const CONNECTION_ERROR_CODES: ReadonlySet<string> = new Set([
  'ECONNRESET', 'ECONNREFUSED', 'ECONNABORTED', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN',
  'UND_ERR_SOCKET', 'UND_ERR_CLOSED', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT',
]);

/** True for a network failure (refused, reset, timed out) rather than a programming error. */
export function isConnectionError(error: unknown): boolean {
  let current: unknown = error;
  // Duck-typed: errors from node internals may come from another realm (jest's vm), failing instanceof.
  for (let depth = 0; depth < 4 && typeof current === 'object' && current !== null; depth++) {
    const { code, cause } = current as { code?: unknown; cause?: unknown };
    if (typeof code === 'string' && CONNECTION_ERROR_CODES.has(code)) return true;
    current = cause;
  }
  return false;
}

/** `Retry-After` as milliseconds: delta-seconds or an HTTP date; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | undefined, now: number = Date.now()): number | undefined {
  if (value === undefined) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/**
 * The delay before retry number `retry` (1-based): exponential, capped, with "equal jitter"
 * (half fixed, half random) so a crowd of clients spreads out but never retries instantly.
 * A `Retry-After` from the server wins, clamped to the policy.
 */
export function retryDelay(retry: number, policy: RetryPolicy, retryAfterMs?: number, random: () => number = Math.random): number {
  if (retryAfterMs !== undefined) return Math.min(retryAfterMs, policy.maxRetryAfterMs);
  const exponential = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (retry - 1));
  return exponential / 2 + (exponential / 2) * random();
}

/** What one attempt produced: a response the loop may retry, or a network failure. */
export type AttemptOutcome<R> =
  | { readonly kind: 'response'; readonly status: number; readonly retryAfter?: string; readonly response: R }
  | { readonly kind: 'error'; readonly error: unknown };

export interface RetryOptions {
  readonly policy: RetryPolicy;
  /** Only idempotent requests are retried (plain POST never). */
  readonly idempotent: boolean;
  /** For error messages: `POST /fhir (transaction)`. */
  readonly describe: string;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly random?: () => number;
}

export interface RetriedResponse<R> {
  readonly response: R;
  readonly status: number;
  readonly attempts: number;
}

/**
 * Runs `attempt` until it gives a non-retryable response, retrying idempotent requests on
 * 429/502/503/504 and connection errors. Exhausted (or non-idempotent) → retryable
 * FHIRMIG_ERR_TARGET_UNAVAILABLE, on which the job pauses instead of failing records.
 */
export async function sendWithRetries<R>(attempt: () => Promise<AttemptOutcome<R>>, options: RetryOptions): Promise<RetriedResponse<R>> {
  const sleep = options.sleep ?? defaultSleep;
  const maxAttempts = options.idempotent ? Math.max(1, options.policy.maxAttempts) : 1;
  let last = '';
  for (let n = 1; ; n++) {
    const outcome = await attempt();
    let retryAfterMs: number | undefined;
    if (outcome.kind === 'response') {
      if (!RETRYABLE_STATUSES.has(outcome.status)) return { response: outcome.response, status: outcome.status, attempts: n };
      last = `HTTP ${outcome.status}`;
      retryAfterMs = parseRetryAfter(outcome.retryAfter);
    } else {
      if (!isConnectionError(outcome.error)) throw outcome.error;
      last = describeError(outcome.error);
    }
    if (n >= maxAttempts) throw unavailable(options, n, last);
    await sleep(retryDelay(n, options.policy, retryAfterMs, options.random));
  }
}

function unavailable(options: RetryOptions, attempts: number, last: string): MigrateError {
  const why = options.idempotent ? `after ${attempts} attempts` : 'not retried: the request is not idempotent';
  return new MigrateError('FHIRMIG_ERR_TARGET_UNAVAILABLE', `Target unavailable for ${options.describe} (${last}), ${why}`, {
    details: [`attempts=${attempts}`, `last=${last}`],
  });
}

function describeError(error: unknown): string {
  const code = (error as { code?: unknown }).code;
  const message = (error as { message?: unknown }).message;
  const text = typeof message === 'string' ? message : String(error);
  return typeof code === 'string' ? `${code}: ${text}` : text;
}

function defaultSleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
