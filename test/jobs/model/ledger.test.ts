import { foldLedgerCounts } from '../../../src/jobs/index.ts';

describe('ledger counts', () => {
  it('folds grouped rows into totals per kind, resource type and rejection code', () => {
    const counts = foldLedgerCounts([
      { kind: 'patients', resourceType: 'Patient', outcome: 'loaded', errorCode: undefined, count: 10 },
      { kind: 'patients', resourceType: undefined, outcome: 'rejected', errorCode: 'FHIRMIG_ERR_SOURCE_PARSE', count: 2 },
      { kind: 'labs', resourceType: 'Observation', outcome: 'rejected', errorCode: 'FHIRMIG_ERR_SOURCE_PARSE', count: 3 },
      { kind: 'labs', resourceType: 'Observation', outcome: 'skipped', errorCode: 'duplicate', count: 1 },
    ]);
    expect(counts.total).toEqual({ read: 16, loaded: 10, rejected: 5, skipped: 1 });
    expect(counts.byKind.labs).toEqual({ read: 4, loaded: 0, rejected: 3, skipped: 1 });
    expect(counts.byResourceType['(none)']).toEqual({ read: 2, loaded: 0, rejected: 2, skipped: 0 });
    expect(counts.rejectedByCode).toEqual({ FHIRMIG_ERR_SOURCE_PARSE: 5 });
  });

  it('is all zeros for an empty ledger', () => {
    expect(foldLedgerCounts([])).toEqual({ total: { read: 0, loaded: 0, rejected: 0, skipped: 0 }, byKind: {}, byResourceType: {}, rejectedByCode: {} });
  });
});
