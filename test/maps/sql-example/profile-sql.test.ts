import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AssessmentReport } from '../../../src/assessment/index.ts';
import { profileCommand } from '../../../src/cli/commands/profile.ts';
import { createLegacyDatabase } from '../../support/legacy-sql/loader.ts';
import type { LegacyDatabase } from '../../support/legacy-sql/loader.ts';
import { mysqlGate, postgresGate } from '../../support/legacy-sql/services.ts';
import type { ServiceGate } from '../../support/legacy-sql/services.ts';
import { REPO } from './support.ts';

/** `fhir-migrate profile --strict` on the legacy SQL schema with the sql-example map set (descriptor: its source.json). */
function profileSuite(name: string, gate: ServiceGate, dialect: 'postgres' | 'mysql'): void {
  gate.describe(`profile of the legacy schema on ${name}`, () => {
    let db: LegacyDatabase | undefined;
    let status: number;
    let stderr = '';
    let report: AssessmentReport;
    const out = mkdtempSync(join(tmpdir(), `fhirmig-profile-${dialect}-`));
    beforeAll(async () => {
      db = await createLegacyDatabase(dialect);
      const io = { stdout: () => undefined, stderr: (t: string) => void (stderr += t), cwd: REPO, packageRoot: REPO };
      status = await profileCommand.run(['--source', db.spec, '--maps', 'maps/sql-example', '--out', out, '--strict'], io);
      report = JSON.parse(readFileSync(join(out, 'profile.json'), 'utf8')) as AssessmentReport;
    }, 120_000);
    afterAll(async () => {
      await db?.drop();
      rmSync(out, { recursive: true, force: true });
    });

    it('passes --strict: every legacy column has a decision', () => {
      expect(stderr).toBe('');
      expect(status).toBe(0);
      expect(report.summary.undecidedFields).toBe(0);
      // the source lists its columns, so a column NULL in every row is still seen
      expect(report.decisions).toHaveLength(111);
      expect(report.decisions.every((d) => d.seen)).toBe(true);
      expect(report.columns.find((c) => c.kind === 'patients' && c.column === 'name_suffix')).toMatchObject({ present: 0, emptyRate: 1 });
    });

    it('inventories the nine tables with the loader counts, and finds no orphans or duplicates', () => {
      expect(Object.fromEntries(report.inventory.map((k) => [k.kind, k.records]))).toEqual(db?.counts);
      expect(report.summary).toMatchObject({ kinds: 9, rejected: 0, invalidValues: 0, codesOutsideCodeSystem: 0, duplicateCandidates: 0, orphanRecords: 0, mappingFailures: 0 });
    });

    it('checks codes against the ConceptMaps the maps use, and counts untranslated answers per field', () => {
      const flag = report.columns.find((c) => c.kind === 'lab_results' && c.column === 'abnormal_flag');
      expect(flag?.codeSystem?.conceptMap).toBe('https://fhir-migrate.dev/ConceptMap/v2-0078-interpretation');
      expect(flag?.distinct).toBe(3);
      expect(report.unmappedCodes.length).toBeGreaterThan(0);
      expect(report.unmappedCodes.every((u) => u.kind === 'lab_results' && u.field === 'result_value')).toBe(true);
    });
  });
}

profileSuite('PostgreSQL', postgresGate(), 'postgres');
profileSuite('MariaDB', mysqlGate(), 'mysql');
