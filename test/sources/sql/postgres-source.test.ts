import { PostgresDriver } from '../../../src/sources/sql/postgres-driver.ts';
import { postgresGate } from '../../support/legacy-sql/services.ts';
import { serverSuite } from './server-tests.ts';

const gate = postgresGate();

gate.describe('postgres: source (legacy schema in its own schema)', () => {
  serverSuite('postgres', (spec) => new PostgresDriver(spec, 100), 'postgres://postgres@127.0.0.1:1/none');
});
