import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SourceDescriptor } from '../../sources/index.ts';
import type { DemoDataset, LegacyRow } from './demo-dataset.ts';

/** The demo extract's tables, in source order: the CSV file, its key and its patient column. */
export const DEMO_TABLES = [
  { kind: 'patients', file: 'patients.csv', key: 'mrn', map: 'patient.map', resourceType: 'Patient' },
  { kind: 'lab_results', file: 'lab_results.csv', key: 'result_id', map: 'lab-result.map', resourceType: 'Observation' },
] as const;

function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

function csvText(rows: readonly LegacyRow[]): string {
  const columns = [...new Set(rows.flatMap((row) => Object.keys(row)))];
  const lines = [columns.map(csvField).join(','), ...rows.map((row) => columns.map((c) => csvField(row[c] ?? '')).join(','))];
  return `${lines.join('\n')}\n`;
}

/**
 * Writes the synthetic dataset as a legacy CSV extract (one file per table and a `source.json`
 * naming keys and patient columns), so the demo reads it through the real `csv:` connector.
 */
export function writeDemoExtract(dir: string, dataset: DemoDataset): string {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'patients.csv'), csvText(dataset.patients));
  writeFileSync(join(dir, 'lab_results.csv'), csvText(dataset.labResults));
  const descriptor: SourceDescriptor = {
    tables: Object.fromEntries(DEMO_TABLES.map((t) => [t.kind, { file: t.file, key: t.key, patient: 'mrn' }])),
    patientTable: 'patients',
  };
  writeFileSync(join(dir, 'source.json'), `${JSON.stringify(descriptor, null, 2)}\n`);
  return dir;
}
