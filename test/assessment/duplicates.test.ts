import { DuplicateFinder } from '../../src/assessment/duplicates.ts';

const FIELDS = { kind: 'patients', given: ['FIRST'], family: ['LAST'], birthDate: 'DOB', sex: 'SEX', identifiers: ['SSN'] };

describe('DuplicateFinder', () => {
  it('compares names only within a birth date + sex block, and ignores different people', () => {
    const finder = new DuplicateFinder(FIELDS, 0.9);
    finder.add('a', 'p:2', { FIRST: 'Anna', LAST: 'Smith', DOB: '1970-01-01', SEX: 'F', SSN: '1' });
    finder.add('b', 'p:3', { FIRST: 'Anna', LAST: 'Smith', DOB: '1970-01-02', SEX: 'F', SSN: '2' });
    finder.add('c', 'p:4', { FIRST: 'Anna', LAST: 'Smith', DOB: '1970-01-01', SEX: 'M', SSN: '3' });
    finder.add('d', 'p:5', { FIRST: 'Boris', LAST: 'Jones', DOB: '1970-01-01', SEX: 'F', SSN: '4' });
    expect(finder.candidates()).toEqual([]);
  });

  it('caps the candidates it reports', () => {
    const finder = new DuplicateFinder(FIELDS, 0.9);
    for (const key of ['a', 'b', 'c', 'd', 'e']) finder.add(key, `p:${key}`, { FIRST: 'Anna', LAST: 'Smith', DOB: '1970-01-01', SEX: 'F' });
    expect(finder.candidates()).toHaveLength(10);
    expect(finder.candidates(3)).toHaveLength(3);
  });

  it('does not pair a record with itself when its key repeats', () => {
    const finder = new DuplicateFinder(FIELDS, 0.9);
    finder.add('a', 'p:2', { FIRST: 'Anna', LAST: 'Smith', DOB: '1970-01-01', SEX: 'F', SSN: '1' });
    finder.add('a', 'p:3', { FIRST: 'Anna', LAST: 'Smith', DOB: '1970-01-01', SEX: 'F', SSN: '1' });
    expect(finder.candidates()).toEqual([]);
  });
});
