import { closeSync, existsSync, openSync, readdirSync, readFileSync, readSync, statSync } from 'node:fs';
import { basename, extname, join } from 'node:path';
import { MigrateError } from '../../core/index.ts';
import { checkDescriptor, keyColumns, normaliseEncoding, specError } from '../descriptor.ts';
import type { ColumnType, SourceDescriptor } from '../descriptor.ts';
import type { CsvDialect } from './csv-rows.ts';
import { SYNTHEA_DESCRIPTOR, SYNTHEA_PATIENTS_HEADER } from './synthea-descriptor.ts';

/** One CSV file as a kind of record, with everything needed to read it. */
export interface CsvTable {
  readonly kind: string;
  readonly path: string;
  readonly fileName: string;
  readonly dialect: CsvDialect;
  readonly keyColumns: readonly string[];
  readonly patientColumn: string | undefined;
  readonly types: Readonly<Record<string, ColumnType>> | undefined;
}

export interface CsvLayout {
  readonly tables: readonly CsvTable[];
  /** Where the descriptor came from: `options`, `source.json`, `synthea` or `none`. */
  readonly descriptorOrigin: 'options' | 'source.json' | 'synthea' | 'none';
}

const DESCRIPTOR_FILE = 'source.json';
const TABULAR_EXTENSIONS: Readonly<Record<string, string>> = { '.csv': ',', '.tsv': '\t', '.txt': ',' };

/** Finds the folder's descriptor (options, `source.json`, Synthea, or one table per file). */
export function resolveCsvLayout(dir: string, descriptor?: SourceDescriptor): CsvLayout {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    throw new MigrateError('FHIRMIG_ERR_INPUT_READ', `CSV source folder not found: ${dir}`, { location: { file: dir } });
  }
  if (descriptor) return { tables: tablesFrom(dir, checkDescriptor(descriptor, 'descriptor')), descriptorOrigin: 'options' };
  const descriptorPath = join(dir, DESCRIPTOR_FILE);
  if (existsSync(descriptorPath)) return { tables: tablesFrom(dir, readDescriptor(descriptorPath)), descriptorOrigin: 'source.json' };
  if (isSyntheaFolder(dir)) return { tables: tablesFrom(dir, presentTables(dir, SYNTHEA_DESCRIPTOR)), descriptorOrigin: 'synthea' };
  return { tables: tablesFrom(dir, oneTablePerFile(dir)), descriptorOrigin: 'none' };
}

function readDescriptor(path: string): SourceDescriptor {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new MigrateError('FHIRMIG_ERR_SOURCE_SPEC', `${path} is not valid JSON: ${(error as Error).message}`, { location: { file: path } });
  }
  return checkDescriptor(json, path);
}

function isSyntheaFolder(dir: string): boolean {
  const patients = join(dir, 'patients.csv');
  if (!existsSync(patients)) return false;
  const fd = openSync(patients, 'r');
  try {
    const head = Buffer.alloc(256);
    const bytes = readSync(fd, head, 0, head.length, 0);
    return SYNTHEA_PATIENTS_HEADER.test(head.subarray(0, bytes).toString('utf8'));
  } finally {
    closeSync(fd);
  }
}

function presentTables(dir: string, descriptor: SourceDescriptor): SourceDescriptor {
  const tables = Object.fromEntries(Object.entries(descriptor.tables).filter(([kind]) => existsSync(join(dir, `${kind}.csv`))));
  return { ...descriptor, tables };
}

function oneTablePerFile(dir: string): SourceDescriptor {
  const tables: Record<string, { file: string; delimiter: string }> = {};
  for (const file of readdirSync(dir).sort()) {
    const delimiter = TABULAR_EXTENSIONS[extname(file).toLowerCase()];
    if (delimiter !== undefined) tables[basename(file, extname(file))] = { file, delimiter };
  }
  return { tables };
}

function tablesFrom(dir: string, descriptor: SourceDescriptor): CsvTable[] {
  return Object.entries(descriptor.tables).map(([kind, table]) => {
    const fileName = table.file ?? `${kind}.csv`;
    const path = join(dir, fileName);
    if (!existsSync(path)) throw specError(`descriptor table "${kind}" names ${fileName}, which is not in ${dir}`);
    const encoding = table.encoding ?? descriptor.encoding ?? 'utf8';
    return {
      kind,
      path,
      fileName,
      dialect: {
        delimiter: table.delimiter ?? descriptor.delimiter ?? ',',
        quote: table.quote ?? '"',
        encoding: normaliseEncoding(encoding, `table ${kind}`),
      },
      keyColumns: keyColumns(table),
      patientColumn: table.patient,
      types: table.types,
    };
  });
}
