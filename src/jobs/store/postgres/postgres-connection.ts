import pg from 'pg';
import { MigrateError } from '../../../core/index.ts';
import { storeTooNew } from '../shared.ts';
import type { Row } from '../shared.ts';
import { POSTGRES_MIGRATIONS } from './postgres-migrations.ts';

export interface PostgresConnectionOptions {
  readonly connectionString: string;
  /** Keep the tables in this schema (created when missing); `public` otherwise. */
  readonly schema?: string;
  /** Pool size per store (default 4). */
  readonly maxConnections?: number;
}

/** Connection-level failures: the store is down, not the statement wrong. */
const UNAVAILABLE_NODE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'ETIMEDOUT', 'EHOSTUNREACH', 'EPIPE']);
const UNAVAILABLE_SQLSTATE = /^(08|53|57P|3D000|40001|40P01)/;
const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

export type Queryable = Pick<pg.PoolClient, 'query'>;

export async function queryRows(client: Queryable, sql: string, params: unknown[] = []): Promise<Row[]> {
  try {
    return (await client.query(sql, params)).rows as Row[];
  } catch (error) {
    throw translatePgError(error);
  }
}

export function translatePgError(error: unknown): unknown {
  if (error instanceof MigrateError) return error;
  const code = String((error as { code?: unknown }).code ?? '');
  const message = (error as Error).message ?? String(error);
  const connectionLost = /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error/i.test(message);
  if (UNAVAILABLE_NODE_CODES.has(code) || UNAVAILABLE_SQLSTATE.test(code) || connectionLost) {
    return new MigrateError('FHIRMIG_ERR_STORE_UNAVAILABLE', `The PostgreSQL job store is unavailable: ${message}`, { cause: error });
  }
  return error;
}

/** A pg pool whose every connection works in the store's schema. */
export class PostgresConnection {
  readonly pool: pg.Pool;
  readonly schema: string | undefined;

  constructor(options: PostgresConnectionOptions) {
    if (options.schema !== undefined && !SCHEMA_NAME.test(options.schema)) {
      throw new MigrateError('FHIRMIG_ERR_CONFIG_INVALID', `Job store schema '${options.schema}' must match ${SCHEMA_NAME.source}.`);
    }
    this.schema = options.schema;
    const searchPath = options.schema === undefined ? {} : { options: `-c search_path=${options.schema}` };
    this.pool = new pg.Pool({ connectionString: options.connectionString, max: options.maxConnections ?? 4, connectionTimeoutMillis: 10_000, ...searchPath });
    // An idle client that loses its server emits here; the next query reports it instead.
    this.pool.on('error', () => undefined);
  }

  async query(sql: string, params: unknown[] = []): Promise<Row[]> {
    return queryRows(this.pool, sql, params);
  }

  /** Runs `work` in one transaction on one pooled client (READ COMMITTED). */
  async transaction<T>(work: (client: Queryable) => Promise<T>): Promise<T> {
    let client: pg.PoolClient;
    try {
      client = await this.pool.connect();
    } catch (error) {
      throw translatePgError(error);
    }
    let broken = false;
    try {
      await queryRows(client, 'BEGIN');
      const result = await work(client);
      await queryRows(client, 'COMMIT');
      return result;
    } catch (error) {
      broken = error instanceof MigrateError && error.code === 'FHIRMIG_ERR_STORE_UNAVAILABLE';
      if (!broken) await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release(broken);
    }
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}

/**
 * Creates the schema and applies missing migrations under a transaction-scoped advisory lock, so
 * several workers starting at once migrate exactly once.
 */
export async function migratePostgres(connection: PostgresConnection, now: number): Promise<void> {
  await connection.transaction(async (client) => {
    await queryRows(client, "SELECT pg_advisory_xact_lock(hashtext('fhir-migrate-job-store'), hashtext(current_setting('search_path')))");
    if (connection.schema !== undefined) await queryRows(client, `CREATE SCHEMA IF NOT EXISTS ${connection.schema}`);
    await queryRows(client, 'CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at BIGINT NOT NULL)');
    const current = Number((await queryRows(client, 'SELECT COALESCE(MAX(version), 0) AS v FROM schema_migrations'))[0]?.v ?? 0);
    const known = POSTGRES_MIGRATIONS.at(-1)?.version ?? 0;
    if (current > known) throw storeTooNew(current, known);
    for (const migration of POSTGRES_MIGRATIONS) {
      if (migration.version <= current) continue;
      await queryRows(client, migration.sql);
      await queryRows(client, 'INSERT INTO schema_migrations (version, applied_at) VALUES ($1, $2)', [migration.version, now]);
    }
  });
}
