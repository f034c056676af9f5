/**
 * A realistic legacy EHR schema (integer keys, MRNs, its own column names and codes), filled from
 * the Synthea CSVs by transform.ts. One definition, DDL per dialect.
 */
export type LegacyColumnType = 'id' | 'int' | 'text' | 'short' | 'code' | 'date' | 'timestamp' | 'money' | 'decimal';
export type LegacyDialect = 'postgres' | 'mysql' | 'sqlite';

export interface LegacyTable {
  readonly name: string;
  readonly columns: Readonly<Record<string, LegacyColumnType>>;
  /** Column with an index (the patient column), besides the primary key `<first column>`. */
  readonly indexed?: readonly string[];
}

export const LEGACY_TABLES: readonly LegacyTable[] = [
  {
    name: 'patients',
    columns: {
      patient_id: 'id', mrn: 'code', source_uuid: 'short', name_prefix: 'code', first_name: 'short', last_name: 'short', name_suffix: 'code',
      maiden_name: 'short', sex: 'code', birth_date: 'date', death_date: 'date', ssn: 'code', drivers_license: 'code', passport_no: 'code',
      marital_status: 'code', race: 'short', ethnicity: 'short', street: 'short', city: 'short', state: 'short', county: 'short', zip: 'code',
    },
    indexed: ['mrn'],
  },
  {
    name: 'visits',
    columns: {
      visit_id: 'id', visit_number: 'short', patient_id: 'int', visit_class: 'code', visit_type_code: 'code', visit_type_desc: 'text',
      admit_ts: 'timestamp', discharge_ts: 'timestamp', attending_id: 'short', facility_id: 'short', reason_code: 'code', reason_desc: 'text', total_charge: 'money',
    },
    indexed: ['patient_id'],
  },
  {
    name: 'problems',
    columns: { problem_id: 'id', patient_id: 'int', visit_id: 'int', snomed_code: 'code', problem_desc: 'text', onset_date: 'date', resolved_date: 'date', problem_status: 'code' },
    indexed: ['patient_id'],
  },
  {
    name: 'lab_results',
    columns: {
      result_id: 'id', patient_id: 'int', visit_id: 'int', loinc_code: 'code', test_name: 'text', result_value: 'short', numeric_value: 'decimal',
      units: 'code', ref_low: 'decimal', ref_high: 'decimal', abnormal_flag: 'code', result_category: 'code', result_status: 'code', result_ts: 'timestamp',
    },
    indexed: ['patient_id'],
  },
  {
    name: 'prescriptions',
    columns: { rx_id: 'id', patient_id: 'int', visit_id: 'int', rxnorm_code: 'code', drug_name: 'text', start_ts: 'timestamp', stop_ts: 'timestamp', dispenses: 'int', reason_code: 'code', total_cost: 'money' },
    indexed: ['patient_id'],
  },
  {
    name: 'allergies',
    columns: {
      allergy_id: 'id', patient_id: 'int', visit_id: 'int', allergen_code: 'code', code_system: 'code', allergen_desc: 'text', allergy_type: 'code',
      allergy_category: 'code', reaction_code: 'code', reaction_desc: 'text', severity: 'code', onset_date: 'date', end_date: 'date',
    },
    indexed: ['patient_id'],
  },
  {
    name: 'notes',
    columns: { note_id: 'id', patient_id: 'int', visit_id: 'int', note_type: 'code', author_id: 'short', note_ts: 'timestamp', note_text: 'text' },
    indexed: ['patient_id'],
  },
  {
    name: 'imaging_orders',
    columns: {
      order_id: 'id', patient_id: 'int', visit_id: 'int', accession_no: 'short', series_uid: 'short', instance_uid: 'short', modality: 'code',
      modality_desc: 'short', body_site_code: 'code', body_site_desc: 'short', sop_class: 'short', procedure_code: 'code', order_ts: 'timestamp',
    },
    indexed: ['patient_id'],
  },
  {
    name: 'charges',
    columns: {
      charge_id: 'id', patient_id: 'int', visit_id: 'int', claim_ref: 'short', line_no: 'int', procedure_code: 'code', amount: 'money',
      units: 'int', service_from: 'timestamp', service_to: 'timestamp', diagnosis_ref: 'code',
    },
    indexed: ['patient_id'],
  },
];

const SQL_TYPES: Readonly<Record<LegacyDialect, Readonly<Record<LegacyColumnType, string>>>> = {
  postgres: { id: 'INTEGER PRIMARY KEY', int: 'INTEGER', text: 'TEXT', short: 'VARCHAR(120)', code: 'VARCHAR(40)', date: 'DATE', timestamp: 'TIMESTAMP', money: 'NUMERIC(12,2)', decimal: 'NUMERIC(18,4)' },
  mysql: { id: 'INT PRIMARY KEY', int: 'INT', text: 'TEXT', short: 'VARCHAR(120)', code: 'VARCHAR(40)', date: 'DATE', timestamp: 'DATETIME', money: 'DECIMAL(12,2)', decimal: 'DECIMAL(18,4)' },
  sqlite: { id: 'INTEGER PRIMARY KEY', int: 'INTEGER', text: 'TEXT', short: 'TEXT', code: 'TEXT', date: 'TEXT', timestamp: 'TEXT', money: 'NUMERIC', decimal: 'NUMERIC' },
};

export function createTableStatements(dialect: LegacyDialect): string[] {
  const quote = dialect === 'mysql' ? (n: string) => `\`${n}\`` : (n: string) => `"${n}"`;
  return LEGACY_TABLES.flatMap((table) => {
    const columns = Object.entries(table.columns).map(([name, type]) => `${quote(name)} ${SQL_TYPES[dialect][type]}`);
    const create = `CREATE TABLE ${quote(table.name)} (${columns.join(', ')})`;
    const indexes = (table.indexed ?? []).map((column) => `CREATE INDEX ${quote(`${table.name}_${column}_idx`)} ON ${quote(table.name)} (${quote(column)})`);
    return [create, ...indexes];
  });
}
