import { createHash } from 'node:crypto';
import { deterministicResourceId, uuidV5 } from '../../src/core/index.ts';

/** RFC 9562 §5.5 spelled out byte by byte: SHA-1 over namespace bytes + UTF-8 name, version and variant bits set. */
function referenceUuidV5(name: string, namespace: string): string {
  const bytes = createHash('sha1').update(Buffer.from(namespace.replace(/-/g, ''), 'hex')).update(Buffer.from(name, 'utf8')).digest().subarray(0, 16);
  bytes[6] = ((bytes[6] as number) & 0x0f) | 0x50;
  bytes[8] = ((bytes[8] as number) & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return [hex.slice(0, 8), hex.slice(8, 12), hex.slice(12, 16), hex.slice(16, 20), hex.slice(20)].join('-');
}

describe('UUIDv5 ids (RFC 9562 §5.5)', () => {
  it('matches the RFC test vector for the DNS namespace', () => {
    // RFC 9562 Appendix A.4: name "www.example.com" in the DNS namespace.
    expect(uuidV5('www.example.com', '6ba7b810-9dad-11d1-80b4-00c04fd430c8')).toBe('2ed6657d-e927-568b-95e1-2665a8aea6a2');
  });

  it('agrees with the RFC construction for short, long (past its reused buffer), non-ASCII names and other namespaces', () => {
    const dns = '6ba7b810-9dad-11d1-80b4-00c04fd430c8';
    const names = ['', 'a', 'www.example.com', 'Zoë Ångström — 患者', 'x'.repeat(700), '患'.repeat(677), 'é'.repeat(1500), '𝄞'.repeat(400), ...Array.from({ length: 200 }, (_, i) => `csv:synthea\u001fobservations/${i}\u001fObservation\u001f`)];
    for (const name of names) {
      expect(uuidV5(name)).toBe(referenceUuidV5(name, '6f1c7a52-3b0e-4c8e-9a51-2d7f0c4be9a3'));
      expect(uuidV5(name, dns)).toBe(referenceUuidV5(name, dns));
    }
    // every variant digit occurs (the two variant bits come from the hash)
    expect(new Set(names.map((n) => uuidV5(n)[19]))).toEqual(new Set(['8', '9', 'a', 'b']));
  });

  it('derives stable, distinct resource ids', () => {
    const a = deterministicResourceId('legacy', 'patients#1', 'Patient');
    expect(deterministicResourceId('legacy', 'patients#1', 'Patient')).toBe(a);
    expect(deterministicResourceId('legacy', 'patients#1', 'Observation')).not.toBe(a);
    expect(deterministicResourceId('legacy', 'patients#2', 'Patient')).not.toBe(a);
    expect(a).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });
});
