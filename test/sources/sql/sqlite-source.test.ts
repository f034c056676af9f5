import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { createSource, isSourceRejection } from '../../../src/sources/index.ts';
import { collect, sqlContract } from './sql-contract.ts';
import type { ContractState } from './sql-contract.ts';

describe('sqlite: source (legacy schema)', () => {
  const state: ContractState = {};
  sqlContract('sqlite', state);

  it('opens the file read-only', async () => {
    const { SqliteDriver } = await import('../../../src/sources/sql/sqlite-driver.ts');
    const driver = new SqliteDriver(state.db!.spec.slice('sqlite:'.length));
    await expect(collect({ read: () => driver.stream('DELETE FROM patients', []) } as never)).rejects.toThrow(/readonly|read-only/i);
    await driver.close();
  });
});

describe('sqlite: bad values and bad specs', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fhirmig-sqlite-'));
  const path = join(dir, 'small.db');
  beforeAll(() => {
    const db = new DatabaseSync(path);
    db.exec("CREATE TABLE people (id INTEGER PRIMARY KEY, born TEXT, weight TEXT); INSERT INTO people VALUES (1, '2001-02-03', '70.5'), (2, '2021-02-30', '80'), (3, '1999-12-31', 'heavy'), (4, NULL, NULL)");
    db.close();
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('quarantines a row whose value does not fit its type, and goes on', async () => {
    const source = createSource(`sqlite:${path}`, { descriptor: { tables: { people: { key: 'id', types: { born: 'date', weight: 'decimal' } } } } });
    const items = await collect(source);
    await source.close();
    expect(items.map((i) => (isSourceRejection(i) ? `${i.ref.locator} ${i.code} ${i.field}` : `${i.ref.locator} ok`))).toEqual([
      'people#1 ok',
      'people#2 FHIRMIG_ERR_SOURCE_VALUE born',
      'people#3 FHIRMIG_ERR_SOURCE_VALUE weight',
      'people#4 ok',
    ]);
    expect(items[0]).toMatchObject({ key: '1', data: { id: 1, born: '2001-02-03', weight: 70.5 } });
    expect(items[3]).toMatchObject({ data: { id: 4 } });
    expect(Object.keys((items[3] as { data: object }).data)).toEqual(['id']);
  });

  it('needs a descriptor, and a file that exists', () => {
    expect(() => createSource(`sqlite:${path}`)).toThrow(expect.objectContaining({ code: 'FHIRMIG_ERR_SOURCE_SPEC' }));
    expect(() => createSource(`sqlite:${join(dir, 'missing.db')}`, { descriptor: { tables: {} } })).toThrow(expect.objectContaining({ code: 'FHIRMIG_ERR_SOURCE_CONNECT' }));
  });

  it('rejects a descriptor with every problem listed', () => {
    const bad = { tables: { a: { key: 3, types: { x: 'money' } }, b: 'nope' }, patientTable: 'zzz' };
    try {
      createSource(`sqlite:${path}`, { descriptor: bad as never });
      throw new Error('expected a throw');
    } catch (error) {
      expect(error).toMatchObject({ code: 'FHIRMIG_ERR_SOURCE_SPEC' });
      expect((error as { details: string[] }).details).toEqual([
        'tables.a.key must be a column name or a list of them',
        'tables.a.types.x: unknown type "money" (string, integer, decimal, boolean, date, dateTime)',
        'tables.b is not an object',
        'patientTable "zzz" is not one of the tables',
      ]);
    }
  });
});
