/** The PostgreSQL and MariaDB suites: the contract, read-only sessions, equality with SQLite, connect errors. */
import { createSource } from '../../../src/sources/index.ts';
import type { SqlDriver } from '../../../src/sources/sql/sql-driver.ts';
import { createLegacyDatabase } from '../../support/legacy-sql/loader.ts';
import { collect, sqlContract } from './sql-contract.ts';
import type { ContractState } from './sql-contract.ts';

export function serverSuite(dialect: 'postgres' | 'mysql', openDriver: (spec: string) => SqlDriver, unreachableSpec: string): void {
  const state: ContractState = {};
  sqlContract(dialect, state);

  it('runs every statement in a read-only session', async () => {
    const driver = openDriver(state.db!.spec);
    try {
      await expect(collect({ read: () => driver.stream('DELETE FROM patients', []) } as never)).rejects.toThrow(dialect === 'postgres' ? /syntax error/ : /read.only/i);
      if (dialect === 'postgres') {
        // a cursor cannot wrap a write at all; the transaction around it is read-only as well
        const [row] = await collect({ read: () => driver.stream("SELECT current_setting('transaction_read_only') AS ro, current_setting('default_transaction_read_only') AS session_ro", []) } as never);
        expect(row).toEqual({ ro: 'on', session_ro: 'on' });
      } else await expect(collect({ read: () => driver.stream('CREATE TABLE intruder (a INT)', []) } as never)).rejects.toThrow(/read.only/i);
    } finally {
      await driver.close();
    }
  });

  it('gives exactly the records the SQLite copy of the same schema gives', async () => {
    const sqlite = await createLegacyDatabase('sqlite');
    const source = createSource(sqlite.spec, { descriptor: sqlite.descriptor, name: `legacy-${dialect}` });
    try {
      const expected = await collect(source);
      expect(state.all).toEqual(expected);
    } finally {
      await source.close();
      await sqlite.drop();
    }
  }, 60_000);

  it('reports an unreachable database as FHIRMIG_ERR_SOURCE_CONNECT', async () => {
    const source = createSource(unreachableSpec, { descriptor: { tables: { patients: { key: 'id' } } } });
    await expect(collect(source)).rejects.toMatchObject({ code: 'FHIRMIG_ERR_SOURCE_CONNECT', retryable: true });
    await source.close();
  });
}
