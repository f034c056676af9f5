import { GENESIS_HASH, appendAuditEntry, canonicalJson, verifyAuditChain } from '../../src/provenance/index.ts';
import type { AuditEntry } from '../../src/provenance/index.ts';

function chainOf(n: number): AuditEntry[] {
  let chain: AuditEntry[] = [];
  for (let i = 1; i <= n; i++) chain = appendAuditEntry(chain, { at: `2026-11-25T10:00:0${i}Z`, type: i === 1 ? 'job.start' : 'job.phase', payload: { jobId: 'job-1', step: i, counts: { loaded: i * 10 } } });
  return chain;
}

describe('canonicalJson', () => {
  it('sorts keys at every depth, drops undefined, keeps array order', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, 1], c: undefined, b: 'x' } })).toBe('{"a":{"b":"x","d":[3,1]},"b":1}');
    expect(canonicalJson({ at: new Date('2026-01-01T00:00:00Z') })).toBe('{"at":"2026-01-01T00:00:00.000Z"}');
    expect(() => canonicalJson({ n: Number.NaN })).toThrow(/non-finite/);
    // a flat row (JSON.stringify with sorted keys) and the member-by-member path write the same text
    const row = { é: 'e', Z: null, b: true, a: -0.5, '10': 'ten', '2': 'two', u: undefined, 'q"k': 'x\n"y' };
    const expected = '{"10":"ten","2":"two","Z":null,"a":-0.5,"b":true,"q\\"k":"x\\n\\"y","é":"e"}';
    expect(canonicalJson(row)).toBe(expected);
    expect(canonicalJson({ nested: row })).toBe(`{"nested":${expected}}`);
    expect(canonicalJson({ d: new Date('2026-01-01T00:00:00Z'), a: 'x' })).toBe('{"a":"x","d":"2026-01-01T00:00:00.000Z"}'); // not flat: a Date member
    expect(() => canonicalJson({ a: 'x', n: Number.POSITIVE_INFINITY })).toThrow(/non-finite/);
  });
});

describe('hash-chained audit log', () => {
  const chain = chainOf(5);

  it('links each entry to the previous one and verifies', () => {
    expect(chain.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5]);
    expect(chain[0]?.prevHash).toBe(GENESIS_HASH);
    expect(chain[3]?.prevHash).toBe(chain[2]?.hash);
    expect(chain[0]?.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(verifyAuditChain(chain)).toEqual({ ok: true, count: 5, headHash: chain[4]?.hash });
    expect(verifyAuditChain([])).toMatchObject({ ok: true, count: 0 });
  });

  it('hashes the same content the same way whatever the key order', () => {
    const a = appendAuditEntry([], { at: 't', type: 'x', payload: { a: 1, b: 2 } });
    const b = appendAuditEntry([], { at: 't', type: 'x', payload: { b: 2, a: 1 } });
    expect(a[0]?.hash).toBe(b[0]?.hash);
  });

  it('detects a changed entry and names it', () => {
    const tampered = chain.map((e) => (e.seq === 3 ? { ...e, payload: { jobId: 'job-1', step: 3, counts: { loaded: 31 } } } : e));
    expect(verifyAuditChain(tampered)).toMatchObject({ ok: false, seq: 3, problem: 'modified' });
  });

  it('detects a changed and re-hashed entry at the link that breaks', () => {
    const rehashed = appendAuditEntry(chain.slice(0, 2), { at: chain[2]?.at as string, type: 'job.phase', payload: { forged: true } });
    const tampered = [...rehashed, ...chain.slice(3)];
    expect(verifyAuditChain(tampered)).toMatchObject({ ok: false, seq: 4, problem: 'broken-link' });
  });

  it('detects a deleted entry and names the missing seq', () => {
    expect(verifyAuditChain(chain.filter((e) => e.seq !== 2))).toMatchObject({ ok: false, seq: 2, problem: 'missing' });
  });

  it('detects an inserted entry', () => {
    const forged = appendAuditEntry(chain.slice(0, 3), { at: 'x', type: 'job.phase', payload: { forged: true } })[3] as AuditEntry;
    const inserted = [...chain.slice(0, 3), forged, ...chain.slice(3)];
    expect(verifyAuditChain(inserted)).toMatchObject({ ok: false, seq: 4, problem: 'out-of-order' });
  });

  it('detects reordered entries', () => {
    const swapped = [chain[0], chain[1], chain[3], chain[2], chain[4]] as AuditEntry[];
    expect(verifyAuditChain(swapped)).toMatchObject({ ok: false, seq: 4, problem: 'out-of-order' });
  });

  it('detects entries cut from the end only against a recorded head or count', () => {
    const cut = chain.slice(0, 4);
    expect(verifyAuditChain(cut).ok).toBe(true);
    expect(verifyAuditChain(cut, { expectedCount: 5 })).toMatchObject({ ok: false, seq: 5, problem: 'missing' });
    expect(verifyAuditChain(cut, { expectedHeadHash: chain[4]?.hash as string })).toMatchObject({ ok: false, problem: 'head-mismatch' });
  });
});
