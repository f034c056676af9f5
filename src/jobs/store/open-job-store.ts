import { MigrateError } from '../../core/index.ts';
import type { JobStore, JobStoreOptions } from './job-store.ts';
import { openPostgresJobStore } from './postgres/postgres-job-store.ts';
import type { PostgresJobStoreOptions } from './postgres/postgres-job-store.ts';
import { openSqliteJobStore } from './sqlite/sqlite-job-store.ts';
import type { SqliteJobStoreOptions } from './sqlite/sqlite-job-store.ts';

export type OpenJobStoreOptions = ({ readonly backend: 'sqlite' } & SqliteJobStoreOptions) | ({ readonly backend: 'postgres' } & PostgresJobStoreOptions);

/** Opens either backend; the caller sees only the JobStore interface. */
export async function openJobStore(options: OpenJobStoreOptions): Promise<JobStore> {
  switch (options.backend) {
    case 'sqlite':
      return openSqliteJobStore(options);
    case 'postgres':
      return openPostgresJobStore(options);
    default:
      throw new MigrateError('FHIRMIG_ERR_CONFIG_INVALID', `Unknown job store backend '${String((options satisfies never as { backend: unknown }).backend)}'.`);
  }
}

/**
 * `--store` / config value → options: `postgres://…` or `postgresql://…` (an optional
 * `?schema=name` picks the schema) selects PostgreSQL; anything else is a SQLite file path.
 */
export function jobStoreOptionsFromLocation(location: string, base: JobStoreOptions = {}): OpenJobStoreOptions {
  if (!/^postgres(ql)?:\/\//i.test(location)) return { ...base, backend: 'sqlite', path: location };
  const url = new URL(location);
  const schema = url.searchParams.get('schema') ?? undefined;
  url.searchParams.delete('schema');
  return { ...base, backend: 'postgres', connectionString: url.toString(), ...(schema === undefined ? {} : { schema }) };
}
