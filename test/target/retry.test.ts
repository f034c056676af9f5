import { DEFAULT_RETRY_POLICY, isConnectionError, isIdempotent, parseRetryAfter, retryDelay, sendWithRetries } from '../../src/target/index.ts';

describe('parseRetryAfter', () => {
  it('reads delta-seconds and HTTP dates, and ignores junk', () => {
    const now = Date.parse('Wed, 25 Nov 2026 12:00:00 GMT');
    expect(parseRetryAfter('7', now)).toBe(7000);
    expect(parseRetryAfter('Wed, 25 Nov 2026 12:00:30 GMT', now)).toBe(30_000);
    expect(parseRetryAfter('Wed, 25 Nov 2026 11:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
  });
});

describe('retryDelay', () => {
  const policy = { ...DEFAULT_RETRY_POLICY, baseDelayMs: 100, maxDelayMs: 1000, maxRetryAfterMs: 5000 };
  it('doubles per retry with equal jitter, capped', () => {
    expect(retryDelay(1, policy, undefined, () => 0)).toBe(50);
    expect(retryDelay(1, policy, undefined, () => 1)).toBe(100);
    expect(retryDelay(3, policy, undefined, () => 0.5)).toBe(300);
    expect(retryDelay(10, policy, undefined, () => 1)).toBe(1000);
  });
  it('lets Retry-After win, clamped to the policy', () => {
    expect(retryDelay(1, policy, 2000)).toBe(2000);
    expect(retryDelay(1, policy, 60_000)).toBe(5000);
  });
});

describe('isIdempotent', () => {
  const tx = (entries: fhir4.BundleEntryRequest[]) => ({ resourceType: 'Bundle', type: 'transaction', entry: entries.map((request) => ({ request })) });
  it('counts PUT/GET/DELETE and transactions of idempotent entries (ifNoneExist included), never a plain POST', () => {
    expect(isIdempotent({ method: 'PUT' })).toBe(true);
    expect(isIdempotent({ method: 'DELETE' })).toBe(true);
    expect(isIdempotent({ method: 'POST', body: { resourceType: 'Patient' } })).toBe(false);
    expect(isIdempotent({ method: 'POST', body: tx([{ method: 'PUT', url: 'Patient/1' }, { method: 'POST', url: 'Patient', ifNoneExist: 'identifier=a|b' }]) })).toBe(true);
    expect(isIdempotent({ method: 'POST', body: tx([{ method: 'PUT', url: 'Patient/1' }, { method: 'POST', url: 'Patient' }]) })).toBe(false);
  });
});

describe('sendWithRetries', () => {
  const noSleep = async () => undefined;
  it('retries retryable statuses and connection errors up to maxAttempts', async () => {
    const outcomes = [
      { kind: 'response' as const, status: 503, response: 'a' },
      { kind: 'error' as const, error: Object.assign(new Error('reset'), { code: 'ECONNRESET' }) },
      { kind: 'response' as const, status: 201, response: 'ok' },
    ];
    const result = await sendWithRetries(async () => outcomes.shift() as never, { policy: DEFAULT_RETRY_POLICY, idempotent: true, describe: 'x', sleep: noSleep });
    expect(result).toEqual({ response: 'ok', status: 201, attempts: 3 });
  });

  it('returns a non-retryable status as is and rethrows a programming error', async () => {
    const options = { policy: DEFAULT_RETRY_POLICY, idempotent: true, describe: 'x', sleep: noSleep };
    await expect(sendWithRetries(async () => ({ kind: 'response', status: 500, response: 'e' }), options)).resolves.toMatchObject({ status: 500, attempts: 1 });
    await expect(sendWithRetries(async () => ({ kind: 'error', error: new TypeError('bug') }), options)).rejects.toThrow(TypeError);
  });

  it('gives up with FHIRMIG_ERR_TARGET_UNAVAILABLE and waits the Retry-After in between', async () => {
    const waits: number[] = [];
    const sleep = async (ms: number) => void waits.push(ms);
    const policy = { ...DEFAULT_RETRY_POLICY, maxAttempts: 3 };
    await expect(
      sendWithRetries(async () => ({ kind: 'response', status: 429, retryAfter: '2', response: '' }), { policy, idempotent: true, describe: 'POST /fhir', sleep }),
    ).rejects.toMatchObject({ code: 'FHIRMIG_ERR_TARGET_UNAVAILABLE', retryable: true, message: expect.stringMatching(/after 3 attempts/) });
    expect(waits).toEqual([2000, 2000]);
  });
});

describe('isConnectionError', () => {
  it('looks through causes for network codes', () => {
    expect(isConnectionError(new Error('x', { cause: Object.assign(new Error('y'), { code: 'ECONNREFUSED' }) }))).toBe(true);
    expect(isConnectionError(Object.assign(new Error('t'), { code: 'UND_ERR_HEADERS_TIMEOUT' }))).toBe(true);
    expect(isConnectionError(new Error('plain'))).toBe(false);
  });
});
