import { join } from 'node:path';
import { createSource, parseSourceSpec, redactUrl } from '../../src/sources/index.ts';

const TESTDATA = join(__dirname, '..', '..', '..', 'shared', 'testdata');

describe('sources: SPEC strings', () => {
  it.each([
    ['csv:/data/extract', { type: 'csv', path: '/data/extract' }],
    ['sqlite:./legacy.db', { type: 'sqlite', path: './legacy.db' }],
    ['hl7v2:/archive/2019', { type: 'hl7v2', path: '/archive/2019' }],
    ['ccda:doc.xml', { type: 'ccda', path: 'doc.xml' }],
    ['postgres://u:pw@db:5432/emr', { type: 'postgres', url: 'postgres://u:pw@db:5432/emr' }],
    ['postgresql://db/emr', { type: 'postgres', url: 'postgresql://db/emr' }],
    ['mysql://root@127.0.0.1:3306/emr', { type: 'mysql', url: 'mysql://root@127.0.0.1:3306/emr' }],
    ['mariadb://root@db/emr', { type: 'mysql', url: 'mariadb://root@db/emr' }],
  ])('%s', (spec, expected) => {
    expect(parseSourceSpec(spec)).toEqual(expected);
  });

  it.each(['', 'csv:', 'ftp://host/x', 'oracle://db', 'patients.csv'])('rejects %j with FHIRMIG_ERR_SOURCE_SPEC', (spec) => {
    expect(() => parseSourceSpec(spec)).toThrow(expect.objectContaining({ code: 'FHIRMIG_ERR_SOURCE_SPEC' }));
  });

  it('never repeats a password in messages or default names', () => {
    expect(redactUrl('postgres://admin:s3cret@db:5432/emr')).toBe('postgres://admin:***@db:5432/emr');
    expect(() => parseSourceSpec('oracle://admin:s3cret@db')).toThrow(expect.not.objectContaining({ message: expect.stringContaining('s3cret') }));
    const source = createSource('postgres://admin:s3cret@db.example:5432/emr?sslmode=disable', { descriptor: { tables: {} } });
    expect(source.name).toBe('postgres://db.example:5432/emr');
    expect(source.type).toBe('postgres');
  });

  it('opens each file-based connector from its spec', () => {
    expect(createSource(`csv:${join(TESTDATA, 'synthea', 'csv')}`).type).toBe('csv');
    expect(createSource(`hl7v2:${join(TESTDATA, 'hl7v2', 'fhir-converter', 'ADT-A01-01.hl7')}`).name).toBe('hl7v2:ADT-A01-01.hl7');
    expect(createSource(`ccda:${join(TESTDATA, 'ccda')}`, { name: 'docs' }).name).toBe('docs');
    expect(() => createSource('hl7v2:/no/such/place')).toThrow(expect.objectContaining({ code: 'FHIRMIG_ERR_INPUT_READ' }));
  });
});
