import { DatabaseSync } from 'node:sqlite';
import type { SQLInputValue, StatementSync } from 'node:sqlite';
import { MigrateError } from '../../../core/index.ts';
import { storeTooNew } from '../shared.ts';
import type { Row } from '../shared.ts';
import { SQLITE_MIGRATIONS } from './sqlite-migrations.ts';
import { WalCheckpointer } from './wal-checkpointer.ts';

/** SQLite result codes that mean "the store is not usable right now" rather than a bug. */
const UNAVAILABLE_CODES = new Set([5 /* BUSY */, 6 /* LOCKED */, 8 /* READONLY */, 10 /* IOERR */, 13 /* FULL */, 14 /* CANTOPEN */]);

export type Params = SQLInputValue[];

/**
 * A migration writes ~2,000 ledger and id-map rows per patient. With SQLite's defaults (2 MB page
 * cache, a checkpoint — with its fsync, which blocks the event loop — every 1,000 WAL pages) the
 * store's commits and checkpoints were the largest single cost of a migration; a 16 MB cache and
 * a checkpoint every 20,000 pages (the WAL grows to ~80 MB) cut ledger write time by about 3×
 * (measured, 165k rows + ids in batches of 1,100). Durability is unchanged: synchronous=NORMAL.
 */
const CACHE_KIB = -16_000;
const CHECKPOINT_PAGES = 20_000;
/**
 * Once a connection has written this many times it hands checkpoints to a WalCheckpointer thread
 * (a store that a test or a status query opens for a few writes never starts one); its own
 * autocheckpoint then stays only as the backstop of a checkpointer that falls behind or fails.
 */
const CHECKPOINTER_AFTER_WRITES = 64;
const BACKSTOP_CHECKPOINT_PAGES = 4 * CHECKPOINT_PAGES;

/**
 * One node:sqlite connection with cached statements. WAL lets readers run beside the writer and
 * survives a killed process; synchronous=NORMAL keeps every committed transaction across a
 * process crash (only an OS crash may lose the last ones) at a fraction of FULL's fsyncs.
 * (A negative cache_size is in KiB.)
 */
export class SqliteConnection {
  readonly db: DatabaseSync;
  private readonly statements = new Map<string, StatementSync>();
  private readonly path: string;
  private writes = 0;
  private checkpointer: WalCheckpointer | undefined;

  constructor(path: string, busyTimeoutMs: number) {
    this.path = path;
    this.db = guard(() => new DatabaseSync(path, { timeout: busyTimeoutMs, enableForeignKeyConstraints: true }));
    guard(() => this.db.exec(`PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA cache_size = ${CACHE_KIB}; PRAGMA wal_autocheckpoint = ${CHECKPOINT_PAGES};`));
  }

  private wrote(): void {
    if (this.checkpointer) return this.checkpointer.committed();
    if (++this.writes < CHECKPOINTER_AFTER_WRITES || !isFileDatabase(this.path)) return;
    const checkpointer = new WalCheckpointer(this.path, { onFailure: () => this.db.isOpen && this.db.exec(`PRAGMA wal_autocheckpoint = ${CHECKPOINT_PAGES}`) });
    this.db.exec(`PRAGMA wal_autocheckpoint = ${BACKSTOP_CHECKPOINT_PAGES}`);
    this.checkpointer = checkpointer;
    checkpointer.committed();
  }

  statement(sql: string): StatementSync {
    let statement = this.statements.get(sql);
    if (!statement) {
      statement = guard(() => this.db.prepare(sql));
      this.statements.set(sql, statement);
    }
    return statement;
  }

  all(sql: string, ...params: Params): Row[] {
    return guard(() => this.statement(sql).all(...params) as Row[]);
  }

  get(sql: string, ...params: Params): Row | undefined {
    return guard(() => this.statement(sql).get(...params) as Row | undefined);
  }

  run(sql: string, ...params: Params): number {
    const changes = Number(guard(() => this.statement(sql).run(...params)).changes);
    if (!this.db.isTransaction) this.wrote();
    return changes;
  }

  /** Runs `work` in one write transaction (BEGIN IMMEDIATE takes the write lock up front). */
  transaction<T>(work: () => T): T {
    guard(() => this.db.exec('BEGIN IMMEDIATE'));
    try {
      const result = work();
      guard(() => this.db.exec('COMMIT'));
      this.wrote();
      return result;
    } catch (error) {
      if (this.db.isTransaction) this.db.exec('ROLLBACK');
      throw error;
    }
  }

  close(): void {
    this.checkpointer?.close();
    this.statements.clear();
    if (this.db.isOpen) this.db.close();
  }
}

function isFileDatabase(path: string): boolean {
  return path !== '' && path !== ':memory:' && !path.startsWith('file::memory:');
}

/** Applies missing migrations, each in its own transaction; refuses a newer schema. */
export function migrateSqlite(connection: SqliteConnection, now: number): void {
  connection.db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL)');
  connection.transaction(() => {
    const current = Number(connection.get('SELECT COALESCE(MAX(version), 0) AS v FROM schema_migrations')?.v ?? 0);
    const known = SQLITE_MIGRATIONS.at(-1)?.version ?? 0;
    if (current > known) throw storeTooNew(current, known);
    for (const migration of SQLITE_MIGRATIONS) {
      if (migration.version <= current) continue;
      connection.db.exec(migration.sql);
      connection.run('INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)', migration.version, now);
    }
  });
}

/** Turns "cannot open / locked / disk" SQLite errors into FHIRMIG_ERR_STORE_UNAVAILABLE. */
function guard<T>(work: () => T): T {
  try {
    return work();
  } catch (error) {
    throw translateSqliteError(error);
  }
}

export function translateSqliteError(error: unknown): unknown {
  if (error instanceof MigrateError) return error;
  const errcode = (error as { errcode?: unknown }).errcode;
  const primary = typeof errcode === 'number' ? errcode & 0xff : undefined;
  if (primary !== undefined && UNAVAILABLE_CODES.has(primary)) {
    const reason = (error as Error).message;
    return new MigrateError('FHIRMIG_ERR_STORE_UNAVAILABLE', `The SQLite job store is unavailable: ${reason}`, { cause: error });
  }
  return error;
}
