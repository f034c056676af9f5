import type { LedgerEntryInput } from '../../../../src/jobs/index.ts';

/** The two ledger rows a worker writes for one patient task (crash and restart tests). */
export function patientRecords(source: string, patientKey: string): LedgerEntryInput[] {
  return [
    { ref: { source, kind: 'patients', locator: `patients.csv:${patientKey}` }, recordKey: patientKey, patientKey, outcome: 'loaded', resourceType: 'Patient', targetIds: [`Patient/${patientKey}`], contentHash: `hash-${patientKey}` },
    { ref: { source, kind: 'encounters', locator: `encounters.csv:${patientKey}-e1` }, recordKey: `${patientKey}-e1`, patientKey, outcome: 'loaded', resourceType: 'Encounter', targetIds: [`Encounter/${patientKey}-e1`] },
  ];
}
