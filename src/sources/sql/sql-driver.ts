/** A database row as the driver gives it. */
export type DriverRow = Record<string, unknown>;

/** How a dialect spells identifiers and parameters. */
export interface SqlDialect {
  readonly name: 'postgres' | 'mysql' | 'sqlite';
  quoteIdentifier(name: string): string;
  /** The placeholder for the n-th (1-based) parameter. */
  placeholder(n: number): string;
}

/**
 * One read-only connection. `stream` yields rows through a cursor (server-side where the
 * database has one) so memory stays flat; one stream at a time per driver.
 */
export interface SqlDriver {
  readonly dialect: SqlDialect;
  stream(sql: string, params: readonly unknown[], signal?: AbortSignal): AsyncIterable<DriverRow>;
  /** The result columns of a statement, without reading rows. */
  columns(sql: string): Promise<string[]>;
  close(): Promise<void>;
}

/** `a.b` → `"a"."b"`: a descriptor may qualify a table with its schema. */
export function quoteQualified(dialect: SqlDialect, name: string): string {
  return name.split('.').map((part) => dialect.quoteIdentifier(part)).join('.');
}

export const doubleQuote = (name: string): string => `"${name.replaceAll('"', '""')}"`;
export const backQuote = (name: string): string => `\`${name.replaceAll('`', '``')}\``;

/** `2021-10-15 18:34:30+00` (PostgreSQL, MariaDB text) → `2021-10-15T18:34:30+00:00` (ISO 8601). */
export function isoDateTimeText(text: string): string {
  const match = /^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2}(?:\.\d+)?)([+-]\d{2})?(?::?(\d{2}))?$/.exec(text);
  if (!match) return text;
  const offset = match[3] === undefined ? '' : match[3] === '+00' && (match[4] ?? '00') === '00' ? 'Z' : `${match[3]}:${match[4] ?? '00'}`;
  return `${match[1]}T${match[2]}${offset}`;
}
