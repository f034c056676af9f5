import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ERROR_CODES, MigrateError, errorToOutcome } from '../../src/core/index.ts';

const readme = readFileSync(join(__dirname, '..', '..', 'README.md'), 'utf8');

describe('error registry (STYLE.md rule 2)', () => {
  it.each(Object.keys(ERROR_CODES))('%s is documented in the README error table', (code) => {
    expect(readme).toMatch(new RegExp(`^\\| \`${code}\` \\|`, 'm'));
  });

  it('every code follows FHIRMIG_ERR_<AREA>_<THING>', () => {
    for (const code of Object.keys(ERROR_CODES)) expect(code).toMatch(/^FHIRMIG_ERR_[A-Z0-9]+_[A-Z0-9_]+$/);
  });

  it('turns a MigrateError into a located OperationOutcome carrying its code', () => {
    const error = new MigrateError('FHIRMIG_ERR_FML_SYNTAX', 'Expected "->"', {
      location: { file: 'patient.map', line: 3, column: 14 },
    });
    const outcome = errorToOutcome(error);
    expect(outcome.issue[0]).toMatchObject({
      severity: 'error',
      code: 'invalid',
      diagnostics: 'patient.map:3:14: Expected "->"',
      details: { coding: [{ code: 'FHIRMIG_ERR_FML_SYNTAX' }] },
    });
    expect(error.status).toBe(400);
  });

  it('reports an unknown error as fatal FHIRMIG_ERR_CORE_INTERNAL', () => {
    const outcome = errorToOutcome(new TypeError('boom'));
    expect(outcome.issue[0]).toMatchObject({ severity: 'fatal', code: 'exception', details: { text: 'FHIRMIG_ERR_CORE_INTERNAL' } });
  });
});
