import { basename } from 'node:path';
import { CcdaSource } from './ccda/ccda-source.ts';
import { CsvSource } from './csv/csv-source.ts';
import type { SourceDescriptor } from './descriptor.ts';
import { Hl7v2Source } from './hl7v2/hl7v2-source.ts';
import type { LegacySource } from './source.ts';
import { parseSourceSpec, redactUrl } from './spec.ts';
import type { SourceSpec } from './spec.ts';
import { MysqlDriver } from './sql/mysql-driver.ts';
import { PostgresDriver } from './sql/postgres-driver.ts';
import { SqliteDriver } from './sql/sqlite-driver.ts';
import { SqlSource } from './sql/sql-source.ts';

export interface CreateSourceOptions {
  /** SourceRef.source of every record (default: derived from the spec, without credentials). */
  readonly name?: string;
  /** Tabular sources: kinds, keys, patient columns, types (CSV: overrides `source.json`/Synthea). */
  readonly descriptor?: SourceDescriptor;
  /** HL7 v2 files' text encoding (default UTF-8). */
  readonly encoding?: 'utf-8' | 'latin1';
  /** PostgreSQL cursor batch size (rows per FETCH). */
  readonly batchSize?: number;
}

/** Opens the source a SPEC string names; database connections open lazily on the first read. */
export function createSource(spec: string | SourceSpec, options: CreateSourceOptions = {}): LegacySource {
  const parsed = typeof spec === 'string' ? parseSourceSpec(spec) : spec;
  switch (parsed.type) {
    case 'csv':
      return new CsvSource(parsed.path, { name: options.name, descriptor: options.descriptor });
    case 'hl7v2':
      return new Hl7v2Source(parsed.path, { name: options.name, encoding: options.encoding });
    case 'ccda':
      return new CcdaSource(parsed.path, { name: options.name });
    case 'sqlite':
      return new SqlSource('sqlite', new SqliteDriver(parsed.path), options.name ?? `sqlite:${basename(parsed.path)}`, options.descriptor);
    case 'postgres':
      return new SqlSource('postgres', new PostgresDriver(parsed.url, options.batchSize), options.name ?? defaultUrlName(parsed.url), options.descriptor);
    case 'mysql':
      return new SqlSource('mysql', new MysqlDriver(parsed.url), options.name ?? defaultUrlName(parsed.url), options.descriptor);
    default:
      throw new Error(`unknown source type ${String((parsed as { type: unknown }).type)}`);
  }
}

/** `postgres://user:pw@host:5432/db?…` → `postgres://host:5432/db` (no credentials, no options). */
function defaultUrlName(url: string): string {
  const parsed = new URL(url);
  return redactUrl(`${parsed.protocol}//${parsed.host}${parsed.pathname}`);
}
