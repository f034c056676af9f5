/**
 * Creates the legacy schema in its own PostgreSQL schema / MariaDB database / SQLite file
 * (`legacy_test_<random>`), fills it from the Synthea CSVs, and drops it afterwards.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import mysql from 'mysql2/promise';
import pg from 'pg';
import type { SourceDescriptor } from '../../../src/sources/index.ts';
import { createTableStatements, LEGACY_TABLES } from './schema.ts';
import type { LegacyDialect } from './schema.ts';
import { legacyRows } from './transform.ts';
import type { LegacyRow } from './transform.ts';

// jest gives __dirname; the ESM benchmark (run from the repository root) does not
const HERE = typeof __dirname === 'string' ? __dirname : join(process.cwd(), 'test', 'support', 'legacy-sql');
export const SYNTHEA_CSV_DIR = join(HERE, '..', '..', '..', '..', 'shared', 'testdata', 'synthea', 'csv');
export const PG_ADMIN_URL = process.env.FHIRMIG_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
export const MYSQL_ADMIN_URL = process.env.FHIRMIG_TEST_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306/test';

export const LEGACY_DESCRIPTOR = JSON.parse(readFileSync(join(HERE, 'legacy-descriptor.json'), 'utf8')) as SourceDescriptor;

export interface LegacyDatabase {
  /** The source SPEC string for createSource. */
  readonly spec: string;
  readonly descriptor: SourceDescriptor;
  /** Rows written per table. */
  readonly counts: Readonly<Record<string, number>>;
  drop(): Promise<void>;
}

type Writer = { write(table: string, rows: LegacyRow['row'][]): Promise<void>; exec(sql: string): Promise<void>; end(): Promise<void> };

const BATCH = 250;

export async function createLegacyDatabase(dialect: LegacyDialect, syntheaDir = SYNTHEA_CSV_DIR): Promise<LegacyDatabase> {
  const name = `legacy_test_${Math.random().toString(36).slice(2, 10)}`;
  const { writer, spec, drop } = await openWriter(dialect, name);
  try {
    for (const statement of createTableStatements(dialect)) await writer.exec(statement);
    const counts = await fill(writer, syntheaDir);
    await writer.end();
    return { spec, descriptor: LEGACY_DESCRIPTOR, counts, drop };
  } catch (error) {
    await writer.end().catch(() => undefined);
    await drop().catch(() => undefined);
    throw error;
  }
}

async function fill(writer: Writer, syntheaDir: string): Promise<Record<string, number>> {
  const counts: Record<string, number> = Object.fromEntries(LEGACY_TABLES.map((t) => [t.name, 0]));
  const pending = new Map<string, LegacyRow['row'][]>();
  for await (const { table, row } of legacyRows(syntheaDir)) {
    const rows = pending.get(table) ?? [];
    rows.push(row);
    pending.set(table, rows);
    counts[table] = (counts[table] ?? 0) + 1;
    if (rows.length >= BATCH) {
      await writer.write(table, rows);
      pending.set(table, []);
    }
  }
  for (const [table, rows] of pending) if (rows.length > 0) await writer.write(table, rows);
  return counts;
}

function columnsOf(table: string): string[] {
  const definition = LEGACY_TABLES.find((t) => t.name === table);
  if (!definition) throw new Error(`unknown legacy table ${table}`);
  return Object.keys(definition.columns);
}

function insertSql(table: string, rowCount: number, quote: (n: string) => string, placeholder: (n: number) => string): string {
  const columns = columnsOf(table);
  let n = 0;
  const values = Array.from({ length: rowCount }, () => `(${columns.map(() => placeholder(++n)).join(', ')})`);
  return `INSERT INTO ${quote(table)} (${columns.map(quote).join(', ')}) VALUES ${values.join(', ')}`;
}

const flatten = (table: string, rows: LegacyRow['row'][]): unknown[] => rows.flatMap((row) => columnsOf(table).map((c) => row[c] ?? null));

async function openWriter(dialect: LegacyDialect, name: string): Promise<{ writer: Writer; spec: string; drop: () => Promise<void> }> {
  switch (dialect) {
    case 'postgres':
      return openPostgres(name);
    case 'mysql':
      return openMysql(name);
    case 'sqlite':
      return openSqlite(name);
    default:
      throw new Error(`unknown dialect ${String(dialect)}`);
  }
}

async function openPostgres(schema: string): Promise<{ writer: Writer; spec: string; drop: () => Promise<void> }> {
  const client = new pg.Client({ connectionString: PG_ADMIN_URL });
  await client.connect();
  await client.query(`CREATE SCHEMA ${schema}`);
  await client.query(`SET search_path TO ${schema}`);
  const quote = (n: string): string => `"${n}"`;
  const writer: Writer = {
    exec: async (sql) => void (await client.query(sql)),
    write: async (table, rows) => void (await client.query(insertSql(table, rows.length, quote, (n) => `$${n}`), flatten(table, rows))),
    end: () => client.end(),
  };
  const separator = PG_ADMIN_URL.includes('?') ? '&' : '?';
  const spec = `${PG_ADMIN_URL}${separator}options=${encodeURIComponent(`-c search_path=${schema}`)}`;
  const drop = async (): Promise<void> => {
    const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
    await admin.connect();
    await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await admin.end();
  };
  return { writer, spec, drop };
}

async function openMysql(database: string): Promise<{ writer: Writer; spec: string; drop: () => Promise<void> }> {
  const connection = await mysql.createConnection({ uri: MYSQL_ADMIN_URL });
  await connection.query(`CREATE DATABASE ${database}`);
  await connection.query(`USE ${database}`);
  const quote = (n: string): string => `\`${n}\``;
  const writer: Writer = {
    exec: async (sql) => void (await connection.query(sql)),
    write: async (table, rows) => void (await connection.query(insertSql(table, rows.length, quote, () => '?'), flatten(table, rows))),
    end: () => connection.end(),
  };
  const url = new URL(MYSQL_ADMIN_URL);
  url.pathname = `/${database}`;
  const drop = async (): Promise<void> => {
    const admin = await mysql.createConnection({ uri: MYSQL_ADMIN_URL });
    await admin.query(`DROP DATABASE IF EXISTS ${database}`);
    await admin.end();
  };
  return { writer, spec: url.toString(), drop };
}

async function openSqlite(name: string): Promise<{ writer: Writer; spec: string; drop: () => Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), 'fhirmig-legacy-'));
  const path = join(dir, `${name}.db`);
  const db = new DatabaseSync(path);
  const quote = (n: string): string => `"${n}"`;
  const writer: Writer = {
    exec: async (sql) => db.exec(sql),
    write: async (table, rows) => void db.prepare(insertSql(table, rows.length, quote, () => '?')).run(...(flatten(table, rows) as (string | number | null)[])),
    end: async () => db.close(),
  };
  return { writer, spec: `sqlite:${path}`, drop: async () => rmSync(dir, { recursive: true, force: true }) };
}
