import mysql from 'mysql2';
import type { Pool, PoolConnection } from 'mysql2';
import { MigrateError } from '../../core/index.ts';
import { redactUrl } from '../spec.ts';
import { backQuote, isoDateTimeText } from './sql-driver.ts';
import type { DriverRow, SqlDialect, SqlDriver } from './sql-driver.ts';

const MYSQL: SqlDialect = { name: 'mysql', quoteIdentifier: backQuote, placeholder: () => '?' };

/** Concurrent reads (a listPatients inside a read loop) each get their own connection. */
const MAX_CONNECTIONS = 4;

/**
 * `mysql://…` (MySQL, MariaDB) through mysql2: read-only sessions, each stream on its own pooled
 * connection as `START TRANSACTION READ ONLY` + `query(...).stream()` with back-pressure (rows are
 * pulled, the socket pauses while the consumer works). Dates stay text.
 */
export class MysqlDriver implements SqlDriver {
  readonly dialect = MYSQL;
  readonly url: string;
  readonly #pool: Pool;

  constructor(url: string) {
    this.url = redactUrl(url);
    this.#pool = mysql.createPool({
      uri: url.replace(/^mariadb:/, 'mysql:'),
      connectionLimit: MAX_CONNECTIONS,
      dateStrings: true,
      supportBigNumbers: true,
      bigNumberStrings: true,
      typeCast: (field, next) => (field.type === 'DATETIME' || field.type === 'TIMESTAMP' ? isoOrNull(field.string()) : next()),
    });
    this.#pool.on('connection', (connection) => connection.query('SET SESSION TRANSACTION READ ONLY'));
  }

  async *stream(sql: string, params: readonly unknown[], signal?: AbortSignal): AsyncGenerator<DriverRow> {
    const connection = await this.checkout();
    let open = false;
    try {
      await run(connection, 'START TRANSACTION READ ONLY');
      open = true;
      const rows = connection.query({ sql, values: params as unknown[] }).stream({ highWaterMark: 500 });
      try {
        for await (const row of rows as AsyncIterable<DriverRow>) {
          signal?.throwIfAborted();
          yield row;
        }
      } finally {
        rows.destroy(); // resumes the connection, which drains what is left of the result
      }
      await run(connection, 'COMMIT');
      open = false;
    } finally {
      if (open) await run(connection, 'ROLLBACK').catch(() => undefined);
      connection.release();
    }
  }

  async columns(sql: string): Promise<string[]> {
    const connection = await this.checkout();
    try {
      return await new Promise((resolve, reject) => {
        connection.query(`SELECT * FROM (${sql}) AS fhirmig_columns LIMIT 0`, (error, _rows, fields) => {
          if (error) reject(error);
          else resolve((fields ?? []).map((field) => field.name));
        });
      });
    } finally {
      connection.release();
    }
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => this.#pool.end(() => resolve()));
  }

  private checkout(): Promise<PoolConnection> {
    return new Promise((resolve, reject) =>
      this.#pool.getConnection((error, connection) => {
        if (error) reject(new MigrateError('FHIRMIG_ERR_SOURCE_CONNECT', `cannot open a read-only session on ${this.url}: ${error.message}`, { cause: error }));
        else resolve(connection);
      }),
    );
  }
}

function run(connection: PoolConnection, sql: string): Promise<void> {
  return new Promise((resolve, reject) => connection.query(sql, (error) => (error ? reject(error) : resolve())));
}

function isoOrNull(text: string | null): string | null {
  return text === null ? null : isoDateTimeText(text);
}
