import pg from 'pg';
import { MigrateError } from '../../core/index.ts';
import { redactUrl } from '../spec.ts';
import { doubleQuote, isoDateTimeText } from './sql-driver.ts';
import type { DriverRow, SqlDialect, SqlDriver } from './sql-driver.ts';

const POSTGRES: SqlDialect = { name: 'postgres', quoteIdentifier: doubleQuote, placeholder: (n) => `$${n}` };

/** Date and time types stay text (ISO 8601), never JS Dates shifted to the local zone. */
const TEXT_TYPES = new Set([1082, 1083, 1266]); // date, time, timetz
const TIMESTAMP_TYPES = new Set([1114, 1184]); // timestamp, timestamptz

const types = {
  getTypeParser: ((oid: number, format?: string) => {
    if (TEXT_TYPES.has(oid)) return (value: string) => value;
    if (TIMESTAMP_TYPES.has(oid)) return isoDateTimeText;
    return pg.types.getTypeParser(oid, format as 'text');
  }) as typeof pg.types.getTypeParser,
};

/** Concurrent reads (a listPatients inside a read loop) each get their own connection. */
const MAX_CONNECTIONS = 4;

/**
 * `postgres://…` through pg: sessions opened read-only (`default_transaction_read_only`), each
 * stream a server-side cursor (`DECLARE … NO SCROLL CURSOR`) in a `READ ONLY` transaction on its
 * own pooled connection, fetched in batches.
 */
export class PostgresDriver implements SqlDriver {
  readonly dialect = POSTGRES;
  readonly url: string;
  readonly #pool: pg.Pool;
  readonly #batchSize: number;
  #cursors = 0;

  constructor(url: string, batchSize = 1000) {
    this.url = redactUrl(url);
    this.#pool = new pg.Pool({ connectionString: withReadOnlySessions(url), types, max: MAX_CONNECTIONS, application_name: 'fhir-migrate-source' });
    this.#pool.on('error', () => undefined); // an idle connection dropped: the next checkout reconnects
    this.#batchSize = batchSize;
  }

  async *stream(sql: string, params: readonly unknown[], signal?: AbortSignal): AsyncGenerator<DriverRow> {
    const client = await this.checkout();
    const cursor = `fhirmig_cursor_${++this.#cursors}`;
    let open = false;
    try {
      await client.query('BEGIN READ ONLY');
      open = true;
      await client.query(`DECLARE ${cursor} NO SCROLL CURSOR FOR ${sql}`, params as unknown[]);
      for (;;) {
        signal?.throwIfAborted();
        const batch = await client.query(`FETCH FORWARD ${this.#batchSize} FROM ${cursor}`);
        for (const row of batch.rows as DriverRow[]) yield row;
        if (batch.rows.length < this.#batchSize) break;
      }
      await client.query('COMMIT');
      open = false;
    } finally {
      if (open) await client.query('ROLLBACK').catch(() => undefined);
      client.release();
    }
  }

  async columns(sql: string): Promise<string[]> {
    const client = await this.checkout();
    try {
      const result = await client.query(`SELECT * FROM (${sql}) AS fhirmig_columns LIMIT 0`);
      return result.fields.map((field) => field.name);
    } finally {
      client.release();
    }
  }

  async close(): Promise<void> {
    await this.#pool.end().catch(() => undefined);
  }

  private async checkout(): Promise<pg.PoolClient> {
    try {
      return await this.#pool.connect();
    } catch (error) {
      throw new MigrateError('FHIRMIG_ERR_SOURCE_CONNECT', `cannot open a read-only session on ${this.url}: ${(error as Error).message}`, { cause: error });
    }
  }
}

/** Adds `-c default_transaction_read_only=on` to the URL's own `options` (a URL's options win over config). */
function withReadOnlySessions(url: string): string {
  const parsed = new URL(url);
  const options = parsed.searchParams.get('options');
  parsed.searchParams.set('options', [options, '-c default_transaction_read_only=on'].filter(Boolean).join(' '));
  return parsed.toString();
}
