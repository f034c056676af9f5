import { createHash } from 'node:crypto';
import { GENESIS_HASH, auditEntryHash, canonicalJson, nextAuditEntry } from '../../../src/jobs/index.ts';

describe('audit chain hashing', () => {
  it('writes canonical JSON: sorted keys, no whitespace, undefined members dropped', () => {
    expect(canonicalJson({ b: 1, a: [true, null, 'x'], c: { z: 1.5, y: undefined, ä: 'é' } })).toBe('{"a":[true,null,"x"],"b":1,"c":{"z":1.5,"ä":"é"}}');
    expect(canonicalJson({ '10': 1, '9': 2, B: 3, a: 4 })).toBe('{"10":1,"9":2,"B":3,"a":4}');
    expect(canonicalJson('line\nbreak "q"')).toBe('"line\\nbreak \\"q\\""');
  });

  it('rejects values JSON cannot carry', () => {
    expect(() => canonicalJson(Number.NaN)).toThrow(expect.objectContaining({ code: 'FHIRMIG_ERR_CORE_INTERNAL' }));
  });

  it('hashes sha256 over the canonical JSON of seq, at, type, payload and prevHash', () => {
    const link = { seq: 1, at: '2026-01-01T00:00:00.000Z', type: 'job.started', payload: { jobId: 'j1' }, prevHash: GENESIS_HASH };
    const expected = createHash('sha256')
      .update(`{"at":"2026-01-01T00:00:00.000Z","payload":{"jobId":"j1"},"prevHash":"${GENESIS_HASH}","seq":1,"type":"job.started"}`)
      .digest('hex');
    expect(auditEntryHash(link)).toBe(expected);
    expect(auditEntryHash({ ...link, payload: { jobId: 'j2' } })).not.toBe(expected);
  });

  it('links each entry to the previous one', () => {
    const first = nextAuditEntry(undefined, { type: 'job.created', payload: { jobId: 'j1' } }, '2026-01-01T00:00:00.000Z');
    const second = nextAuditEntry(first, { type: 'job.started', payload: { jobId: 'j1' } }, '2026-01-01T00:00:01.000Z');
    expect(first).toMatchObject({ seq: 1, prevHash: GENESIS_HASH });
    expect(second).toMatchObject({ seq: 2, prevHash: first.hash });
    expect(second.hash).toBe(auditEntryHash(second));
  });
});
