/**
 * Synthea CSV → the legacy schema: integer keys and MRNs instead of UUIDs, naive timestamps,
 * legacy column names, and lab results with reference ranges and an abnormal flag (H/L/N) derived
 * from a range defined here per LOINC code. Rows stream table by table.
 */
import { CsvSource, isSourceRejection } from '../../../src/sources/index.ts';

type Row = Record<string, string | number | null>;
type CsvRow = Record<string, string | undefined>;

/** Adult reference ranges (low, high) for the codes the flag is derived for. */
export const REFERENCE_RANGES: Readonly<Record<string, readonly [number, number]>> = {
  '2339-0': [70, 99], '2345-7': [70, 99], '38483-4': [0.6, 1.3], '2093-3': [0, 200], '2571-8': [0, 150], '18262-6': [0, 100],
  '2085-9': [40, 200], '4548-4': [4, 5.6], '6299-2': [7, 20], '49765-1': [8.5, 10.2], '2947-0': [136, 145], '6298-4': [3.5, 5.1],
  '2069-3': [98, 107], '20565-8': [23, 29], '718-7': [12, 17.5], '6690-2': [3.8, 10.8], '8480-6': [90, 120], '8462-4': [60, 80],
  '39156-5': [18.5, 25],
};

export const LAB_CATEGORIES = new Set(['laboratory', 'vital-signs']);

export interface LegacyRow {
  readonly table: string;
  readonly row: Row;
}

export function abnormalFlag(code: string, value: number | null): 'H' | 'L' | 'N' | null {
  const range = REFERENCE_RANGES[code];
  if (!range || value === null) return null;
  if (value < range[0]) return 'L';
  if (value > range[1]) return 'H';
  return 'N';
}

const naive = (ts: string | undefined): string | null => (ts ? ts.replace('T', ' ').replace(/Z$/, '').slice(0, 19) : null);
const text = (value: string | undefined): string | null => (value === undefined || value === '' ? null : value);
const numeric = (value: string | undefined): number | null => (value !== undefined && value !== '' && Number.isFinite(Number(value)) ? Number(value) : null);

async function* csvRows(source: CsvSource, kind: string): AsyncGenerator<CsvRow> {
  for await (const item of source.read({ kinds: [kind] })) {
    if (isSourceRejection(item)) throw new Error(`Synthea row rejected: ${item.message}`);
    yield item.data as CsvRow;
  }
}

export async function* legacyRows(syntheaDir: string): AsyncGenerator<LegacyRow> {
  const source = new CsvSource(syntheaDir);
  const patientIds = new Map<string, number>();
  const visitIds = new Map<string, number>();
  const pid = (uuid: string | undefined): number | null => (uuid ? patientIds.get(uuid) ?? null : null);
  const vid = (uuid: string | undefined): number | null => (uuid ? visitIds.get(uuid) ?? null : null);

  for await (const p of csvRows(source, 'patients')) {
    const id = patientIds.size + 1;
    patientIds.set(p.Id as string, id);
    yield {
      table: 'patients',
      row: {
        patient_id: id, mrn: `MRN${String(100000 + id)}`, source_uuid: text(p.Id), name_prefix: text(p.PREFIX), first_name: text(p.FIRST), last_name: text(p.LAST),
        name_suffix: text(p.SUFFIX), maiden_name: text(p.MAIDEN), sex: text(p.GENDER), birth_date: text(p.BIRTHDATE), death_date: text(p.DEATHDATE), ssn: text(p.SSN),
        drivers_license: text(p.DRIVERS), passport_no: text(p.PASSPORT), marital_status: text(p.MARITAL), race: text(p.RACE), ethnicity: text(p.ETHNICITY),
        street: text(p.ADDRESS), city: text(p.CITY), state: text(p.STATE), county: text(p.COUNTY), zip: text(p.ZIP),
      },
    };
  }
  for await (const e of csvRows(source, 'encounters')) {
    const id = visitIds.size + 1;
    visitIds.set(e.Id as string, id);
    yield {
      table: 'visits',
      row: {
        visit_id: id, visit_number: text(e.Id), patient_id: pid(e.PATIENT), visit_class: text(e.ENCOUNTERCLASS), visit_type_code: text(e.CODE), visit_type_desc: text(e.DESCRIPTION),
        admit_ts: naive(e.START), discharge_ts: naive(e.STOP), attending_id: text(e.PROVIDER), facility_id: text(e.ORGANIZATION), reason_code: text(e.REASONCODE),
        reason_desc: text(e.REASONDESCRIPTION), total_charge: numeric(e.TOTAL_CLAIM_COST),
      },
    };
    yield {
      table: 'notes',
      row: {
        note_id: id, patient_id: pid(e.PATIENT), visit_id: id, note_type: e.ENCOUNTERCLASS === 'inpatient' ? 'discharge' : 'progress', author_id: text(e.PROVIDER),
        note_ts: naive(e.STOP ?? e.START), note_text: `${e.DESCRIPTION ?? 'Visit'}.\nReason: ${e.REASONDESCRIPTION ?? 'routine care'}.\nPlan: follow up as needed.`,
      },
    };
  }
  yield* simpleTables(source, pid, vid);
}

async function* simpleTables(source: CsvSource, pid: (u?: string) => number | null, vid: (u?: string) => number | null): AsyncGenerator<LegacyRow> {
  let n = 0;
  for await (const c of csvRows(source, 'conditions')) {
    yield { table: 'problems', row: { problem_id: ++n, patient_id: pid(c.PATIENT), visit_id: vid(c.ENCOUNTER), snomed_code: text(c.CODE), problem_desc: text(c.DESCRIPTION), onset_date: text(c.START), resolved_date: text(c.STOP), problem_status: c.STOP ? 'resolved' : 'active' } };
  }
  n = 0;
  for await (const o of csvRows(source, 'observations')) {
    if (!LAB_CATEGORIES.has(o.CATEGORY ?? '')) continue;
    const value = o.TYPE === 'numeric' ? numeric(o.VALUE) : null;
    const range = REFERENCE_RANGES[o.CODE ?? ''];
    yield {
      table: 'lab_results',
      row: {
        result_id: ++n, patient_id: pid(o.PATIENT), visit_id: vid(o.ENCOUNTER), loinc_code: text(o.CODE), test_name: text(o.DESCRIPTION), result_value: text(o.VALUE),
        numeric_value: value, units: text(o.UNITS), ref_low: range?.[0] ?? null, ref_high: range?.[1] ?? null, abnormal_flag: abnormalFlag(o.CODE ?? '', value),
        result_category: o.CATEGORY === 'vital-signs' ? 'VITAL' : 'LAB', result_status: 'F', result_ts: naive(o.DATE),
      },
    };
  }
  n = 0;
  for await (const m of csvRows(source, 'medications')) {
    yield { table: 'prescriptions', row: { rx_id: ++n, patient_id: pid(m.PATIENT), visit_id: vid(m.ENCOUNTER), rxnorm_code: text(m.CODE), drug_name: text(m.DESCRIPTION), start_ts: naive(m.START), stop_ts: naive(m.STOP), dispenses: numeric(m.DISPENSES), reason_code: text(m.REASONCODE), total_cost: numeric(m.TOTALCOST) } };
  }
  n = 0;
  for await (const a of csvRows(source, 'allergies')) {
    yield {
      table: 'allergies',
      row: {
        allergy_id: ++n, patient_id: pid(a.PATIENT), visit_id: vid(a.ENCOUNTER), allergen_code: text(a.CODE), code_system: text(a.SYSTEM), allergen_desc: text(a.DESCRIPTION),
        allergy_type: text(a.TYPE), allergy_category: text(a.CATEGORY), reaction_code: text(a.REACTION1), reaction_desc: text(a.DESCRIPTION1), severity: text(a.SEVERITY1),
        onset_date: text(a.START), end_date: text(a.STOP),
      },
    };
  }
  n = 0;
  for await (const i of csvRows(source, 'imaging_studies')) {
    yield {
      table: 'imaging_orders',
      row: {
        order_id: ++n, patient_id: pid(i.PATIENT), visit_id: vid(i.ENCOUNTER), accession_no: text(i.Id), series_uid: text(i.SERIES_UID), instance_uid: text(i.INSTANCE_UID),
        modality: text(i.MODALITY_CODE), modality_desc: text(i.MODALITY_DESCRIPTION), body_site_code: text(i.BODYSITE_CODE), body_site_desc: text(i.BODYSITE_DESCRIPTION),
        sop_class: text(i.SOP_CODE), procedure_code: text(i.PROCEDURE_CODE), order_ts: naive(i.DATE),
      },
    };
  }
  n = 0;
  for await (const t of csvRows(source, 'claims_transactions')) {
    if (t.TYPE !== 'CHARGE') continue;
    yield {
      table: 'charges',
      row: {
        charge_id: ++n, patient_id: pid(t.PATIENTID), visit_id: vid(t.APPOINTMENTID), claim_ref: text(t.CLAIMID), line_no: numeric(t.CHARGEID), procedure_code: text(t.PROCEDURECODE),
        amount: numeric(t.AMOUNT), units: numeric(t.UNITS), service_from: naive(t.FROMDATE), service_to: naive(t.TODATE), diagnosis_ref: text(t.DIAGNOSISREF1),
      },
    };
  }
}
