import { existsSync } from 'node:fs';
import { DatabaseSync } from 'node:sqlite';
import { MigrateError } from '../../core/index.ts';
import { doubleQuote } from './sql-driver.ts';
import type { DriverRow, SqlDialect, SqlDriver } from './sql-driver.ts';

const SQLITE: SqlDialect = { name: 'sqlite', quoteIdentifier: doubleQuote, placeholder: () => '?' };

/** `sqlite:FILE` through node:sqlite, opened read-only; rows come one by one from `iterate()`. */
export class SqliteDriver implements SqlDriver {
  readonly dialect = SQLITE;
  readonly #db: DatabaseSync;

  constructor(path: string) {
    if (!existsSync(path)) throw new MigrateError('FHIRMIG_ERR_SOURCE_CONNECT', `SQLite file not found: ${path}`, { location: { file: path } });
    try {
      this.#db = new DatabaseSync(path, { readOnly: true });
    } catch (error) {
      throw new MigrateError('FHIRMIG_ERR_SOURCE_CONNECT', `cannot open SQLite file ${path}: ${(error as Error).message}`, { cause: error });
    }
  }

  async *stream(sql: string, params: readonly unknown[], signal?: AbortSignal): AsyncGenerator<DriverRow> {
    const statement = this.#db.prepare(sql);
    for (const row of statement.iterate(...(params as (string | number | null)[]))) {
      signal?.throwIfAborted();
      yield row as DriverRow;
    }
  }

  async columns(sql: string): Promise<string[]> {
    return this.#db.prepare(sql).columns().map((column) => column.name);
  }

  async close(): Promise<void> {
    if (this.#db.isOpen) this.#db.close();
  }
}
