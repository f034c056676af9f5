import { scopeCovers } from '../../src/api/auth/scopes.ts';

/** SMART scopes: v1 (`read`/`write`/`*`) and v2 (`cruds`) permissions, system context only. */
describe('scopeCovers', () => {
  it.each([
    ['system/*.read', 'system/*.read', true],
    ['system/*.*', 'system/*.write', true],
    ['system/*.rs', 'system/*.read', true],
    ['system/*.r', 'system/*.read', false],
    ['system/Patient.read', 'system/*.read', false],
    ['system/*.read', 'system/Patient.read', true],
    ['system/*.write', 'system/*.read', false],
    ['user/*.read', 'system/*.read', false],
    ['system/*.cruds', 'system/Observation.write', true],
    ['nonsense', 'system/*.read', false],
  ])('%s covers %s: %s', (granted, required, expected) => {
    expect(scopeCovers(granted, required)).toBe(expected);
  });
});
