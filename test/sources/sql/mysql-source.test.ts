import { MysqlDriver } from '../../../src/sources/sql/mysql-driver.ts';
import { mysqlGate } from '../../support/legacy-sql/services.ts';
import { serverSuite } from './server-tests.ts';

const gate = mysqlGate();

gate.describe('mysql: source (legacy schema in its own MariaDB database)', () => {
  serverSuite('mysql', (spec) => new MysqlDriver(spec), 'mysql://root@127.0.0.1:1/none');
});
