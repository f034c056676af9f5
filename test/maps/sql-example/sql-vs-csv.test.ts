import { buildMapSet, mapAllRows, readDecisions } from '../synthea-csv/support.ts';
import type { Resource as CsvResource } from '../synthea-csv/support.ts';
import { createLegacyDatabase } from '../../support/legacy-sql/loader.ts';
import type { LegacyDatabase } from '../../support/legacy-sql/loader.ts';
import { mysqlGate, postgresGate } from '../../support/legacy-sql/services.ts';
import type { ServiceGate } from '../../support/legacy-sql/services.ts';
import { comparable, sqlKeyLookup, stableJson } from './compare.ts';
import { MAP_DIR, mapSqlSource } from './support.ts';
import type { SqlMapRun } from './support.ts';

/**
 * The legacy SQL map set on PostgreSQL and MariaDB (schema filled from the Synthea CSVs) gives
 * the same resources as the Synthea CSV map set, for every table both sources have.
 */

const LAB_CATEGORIES = new Set(['laboratory', 'vital-signs']);
/** Legacy table → the CSV table it was filled from, and the resource type both produce. */
const SHARED_TABLES = [
  { sql: 'patients', csv: 'patients', type: 'Patient' },
  { sql: 'visits', csv: 'encounters', type: 'Encounter' },
  { sql: 'problems', csv: 'conditions', type: 'Condition' },
  { sql: 'prescriptions', csv: 'medications', type: 'MedicationRequest' },
  { sql: 'allergies', csv: 'allergies', type: 'AllergyIntolerance' },
  { sql: 'lab_results', csv: 'observations', type: 'Observation' },
  { sql: 'imaging_orders', csv: 'imaging_studies', type: 'ImagingStudy' },
] as const;

let csvResources: Promise<Map<string, string[]>> | undefined;

/** The CSV path, once per file: comparable resources per CSV table (lab and vital-sign observations only). */
function csvSide(): Promise<Map<string, string[]>> {
  csvResources ??= (async () => {
    const outcomes = await mapAllRows(buildMapSet(), readDecisions());
    const byTable = new Map<string, string[]>();
    for (const outcome of outcomes) {
      if (outcome.kind !== 'mapped' || !SHARED_TABLES.some((t) => t.csv === outcome.table)) continue;
      if (outcome.table === 'observations' && !isLabOrVital(outcome.resource)) continue;
      byTable.set(outcome.table, [...(byTable.get(outcome.table) ?? []), stableJson(comparable(outcome.resource))]);
    }
    return byTable;
  })();
  return csvResources;
}

function isLabOrVital(resource: CsvResource): boolean {
  const categories = (resource['category'] as { coding?: { code?: string }[] }[] | undefined) ?? [];
  return categories.some((c) => c.coding?.some((x) => LAB_CATEGORIES.has(x.code ?? '')));
}

function sqlSuite(name: string, gate: ServiceGate, dialect: 'postgres' | 'mysql'): void {
  gate.describe(`sql-example map set on ${name}`, () => {
    let db: LegacyDatabase | undefined;
    let run: SqlMapRun;
    beforeAll(async () => {
      db = await createLegacyDatabase(dialect);
      run = await mapSqlSource(db.spec, db.descriptor);
    }, 120_000);
    afterAll(async () => {
      await db?.drop();
    });

    it('maps every row of a mapped table (charges are archived), with no failure; only free-text answers go untranslated', () => {
      expect(run.failures).toEqual([]);
      for (const table of ['patients', 'visits', 'problems', 'prescriptions', 'allergies', 'lab_results', 'notes', 'imaging_orders']) {
        expect([table, run.mapped.filter((m) => m.table === table).length]).toEqual([table, db?.counts[table]]);
      }
      expect(run.mapped.filter((m) => m.table === 'patients')).toHaveLength(11);
      expect(run.mapped.some((m) => m.table === 'charges')).toBe(false);
      expect([...run.unmapped.keys()].every((k) => k.startsWith('https://fhir-migrate.dev/ConceptMap/synthea-observation-answer|'))).toBe(true);
    });

    it.each(SHARED_TABLES)('$sql gives the same $type resources as CSV $csv', async ({ sql, csv, type }) => {
      const lookup = sqlKeyLookup(run.mapped);
      const fromSql = run.mapped.filter((m) => m.table === sql).map((m) => stableJson(comparable(m.resource, lookup))).sort();
      const fromCsv = [...((await csvSide()).get(csv) ?? [])].sort();
      expect(fromSql.length).toBeGreaterThan(0);
      expect(fromSql.every((r) => JSON.parse(r).resourceType === type)).toBe(true);
      expect(fromSql.length).toBe(fromCsv.length);
      expect(fromSql).toEqual(fromCsv);
    }, 120_000);

    it('adds what only the legacy schema holds: lab reference ranges and interpretation, notes as attachments', () => {
      const flagged = run.mapped.filter((m) => m.table === 'lab_results' && m.row['abnormal_flag'] !== undefined);
      expect(flagged.length).toBeGreaterThan(0);
      for (const { row, resource } of flagged) {
        const interpretation = (resource['interpretation'] as fhir4.CodeableConcept[])[0]?.coding?.[0];
        expect(interpretation).toMatchObject({ system: 'http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation', code: row['abnormal_flag'] });
        expect(resource['referenceRange']).toEqual([{ low: expect.objectContaining({ value: row['ref_low'] }), high: expect.objectContaining({ value: row['ref_high'] }) }]);
      }
      const note = run.mapped.find((m) => m.table === 'notes');
      const attachment = (note?.resource['content'] as fhir4.DocumentReferenceContent[])[0]?.attachment;
      expect(Buffer.from(attachment?.data ?? '', 'base64').toString('utf8')).toBe(note?.row['note_text']);
    });
  });
}

describe('sql-example map set', () => {
  it('lives in maps/sql-example', () => expect(MAP_DIR).toMatch(/maps[/\\]sql-example$/));
});
sqlSuite('PostgreSQL', postgresGate(), 'postgres');
sqlSuite('MariaDB', mysqlGate(), 'mysql');
