import { caseNames, readCase, runCase } from './case-runner.ts';

/** Every folder under cases/ is one spec-cited case (see its case.json). */
describe('StructureMap engine cases', () => {
  const names = caseNames();

  it('has the case folders', () => {
    expect(names.length).toBeGreaterThan(0);
  });

  it.each(names)('%s', (name) => {
    const { spec, expected, expectedError } = readCase(name);
    const result = runCase(name);
    if (expectedError) {
      expect(result.error?.code).toBe(expectedError.code);
      expect(result.error?.message).toContain(expectedError.message);
      return;
    }
    if (result.error) throw new Error(`${result.error.code ?? ''}: ${result.error.message}`);
    expect(result.output).toEqual(expected);
    if (spec.unmapped) expect(result.unmapped).toEqual(spec.unmapped);
    if (spec.logs) expect(result.logs).toEqual(spec.logs);
  });
});
