import { jaroSimilarity, jaroWinkler, normaliseName } from '../../src/assessment/jaro-winkler.ts';

describe('Jaro-Winkler', () => {
  it('gives the textbook values', () => {
    expect(jaroSimilarity('martha', 'marhta')).toBeCloseTo(0.944, 3);
    expect(jaroWinkler('martha', 'marhta')).toBeCloseTo(0.961, 3);
    expect(jaroWinkler('dwayne', 'duane')).toBeCloseTo(0.84, 3);
    expect(jaroWinkler('dixon', 'dicksonx')).toBeCloseTo(0.813, 3);
  });

  it('is 1 for equal strings and 0 when nothing matches or one is empty', () => {
    expect(jaroWinkler('anna', 'anna')).toBe(1);
    expect(jaroWinkler('abc', 'xyz')).toBe(0);
    expect(jaroWinkler('', 'abc')).toBe(0);
  });

  it('puts a one-letter typo in a full name above 0.9 and different people below', () => {
    expect(jaroWinkler('margorie cormier', 'margroie cormier')).toBeGreaterThanOrEqual(0.9);
    expect(jaroWinkler('margorie cormier', 'temika wuckert')).toBeLessThan(0.9);
  });

  it('normalises names: case, accents, Synthea digit suffixes, punctuation', () => {
    expect(normaliseName('Margorie48  Cormier289')).toBe('margorie cormier');
    expect(normaliseName("José O'Neil")).toBe('jose o neil');
  });
});
