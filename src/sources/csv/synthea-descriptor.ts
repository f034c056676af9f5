import type { SourceDescriptor, TableDescriptor } from '../descriptor.ts';

/**
 * The Synthea CSV export (v3.2-era layout, 18 tables), recognised without a descriptor. Tables
 * without an id column (observations, conditions, …) are keyed by their row position
 * (`observations.csv:12`); dates are checked as real dates but stay text.
 */
const dated = (dates: readonly string[], dateTimes: readonly string[] = []): Record<string, 'date' | 'dateTime'> => ({
  ...Object.fromEntries(dates.map((c) => [c, 'date' as const])),
  ...Object.fromEntries(dateTimes.map((c) => [c, 'dateTime' as const])),
});

const TABLES: Readonly<Record<string, TableDescriptor>> = {
  patients: { key: 'Id', patient: 'Id', types: dated(['BIRTHDATE', 'DEATHDATE']) },
  encounters: { key: 'Id', patient: 'PATIENT', types: dated([], ['START', 'STOP']) },
  conditions: { patient: 'PATIENT', types: dated(['START', 'STOP']) },
  observations: { patient: 'PATIENT', types: dated([], ['DATE']) },
  medications: { patient: 'PATIENT', types: dated([], ['START', 'STOP']) },
  procedures: { patient: 'PATIENT', types: dated([], ['START', 'STOP']) },
  immunizations: { patient: 'PATIENT', types: dated([], ['DATE']) },
  allergies: { patient: 'PATIENT', types: dated(['START', 'STOP']) },
  careplans: { key: 'Id', patient: 'PATIENT', types: dated(['START', 'STOP']) },
  devices: { patient: 'PATIENT', types: dated([], ['START', 'STOP']) },
  imaging_studies: { key: 'Id', patient: 'PATIENT', types: dated([], ['DATE']) },
  supplies: { patient: 'PATIENT', types: dated(['DATE']) },
  claims: { key: 'Id', patient: 'PATIENTID', types: dated([], ['CURRENTILLNESSDATE', 'SERVICEDATE']) },
  claims_transactions: { key: 'ID', patient: 'PATIENTID', types: dated([], ['FROMDATE', 'TODATE']) },
  payer_transitions: { patient: 'PATIENT', types: dated([], ['START_DATE', 'END_DATE']) },
  payers: { key: 'Id' },
  organizations: { key: 'Id' },
  providers: { key: 'Id' },
};

export const SYNTHEA_DESCRIPTOR: SourceDescriptor = { tables: TABLES, patientTable: 'patients' };

/** The header line that marks a Synthea export (its patients.csv). */
export const SYNTHEA_PATIENTS_HEADER = /^\uFEFF?Id,BIRTHDATE,DEATHDATE,SSN,/;
