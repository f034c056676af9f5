import { deterministicResourceId, uuidV5 } from '../../src/core/index.ts';

describe('UUIDv5 ids (RFC 9562 §5.5)', () => {
  it('matches the RFC test vector for the DNS namespace', () => {
    // RFC 9562 Appendix A.4: name "www.example.com" in the DNS namespace.
    expect(uuidV5('www.example.com', '6ba7b810-9dad-11d1-80b4-00c04fd430c8')).toBe('2ed6657d-e927-568b-95e1-2665a8aea6a2');
  });

  it('derives stable, distinct resource ids', () => {
    const a = deterministicResourceId('legacy', 'patients#1', 'Patient');
    expect(deterministicResourceId('legacy', 'patients#1', 'Patient')).toBe(a);
    expect(deterministicResourceId('legacy', 'patients#1', 'Observation')).not.toBe(a);
    expect(deterministicResourceId('legacy', 'patients#2', 'Patient')).not.toBe(a);
    expect(a).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });
});
