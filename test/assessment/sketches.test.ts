import { DistinctCounter, hash32 } from '../../src/assessment/distinct.ts';
import { BoundedCounter, valueShape } from '../../src/assessment/patterns.ts';
import { parseProblem } from '../../src/assessment/parse-checks.ts';

describe('DistinctCounter', () => {
  it('counts exactly up to the cap', () => {
    const counter = new DistinctCounter(100);
    for (let i = 0; i < 300; i++) counter.add(`v${i % 80}`);
    expect(counter.exact).toBe(true);
    expect(counter.count).toBe(80);
  });

  it('switches to an estimate past the cap, within 5 %', () => {
    const counter = new DistinctCounter(1000);
    for (let i = 0; i < 50000; i++) counter.add(`patient-${i}`);
    for (let i = 0; i < 50000; i++) counter.add(`patient-${i}`);
    expect(counter.exact).toBe(false);
    expect(Math.abs(counter.count - 50000) / 50000).toBeLessThan(0.05);
  });

  it('hashes deterministically to 32 bits', () => {
    expect(hash32('abc')).toBe(hash32('abc'));
    expect(hash32('abc')).not.toBe(hash32('abd'));
    expect(hash32('x')).toBeLessThan(2 ** 32);
  });
});

describe('valueShape', () => {
  it('turns letters into A and digits into 9', () => {
    expect(valueShape('2021-02-30')).toBe('9999-99-99');
    expect(valueShape('abc123')).toBe('AAA999');
    expect(valueShape('999-33-2827')).toBe('999-99-9999');
    expect(valueShape('Mrs.')).toBe('AAA.');
  });

  it('gives every UUID and hex id one shape, and cuts long shapes', () => {
    expect(valueShape('b37f7960-7e9e-f3f7-f891-79ae4f632406')).toBe(valueShape('515991e2-40dd-22c1-c377-e0b71ad973b9'));
    expect(valueShape('a1b2c3d4')).toBe('XXXXXXXX');
    expect(valueShape('x'.repeat(40))).toBe(`${'A'.repeat(24)}…`);
  });
});

describe('BoundedCounter', () => {
  it('keeps at most cap keys and sums the rest under other', () => {
    const counter = new BoundedCounter(2);
    for (const key of ['a', 'b', 'a', 'c', 'd', 'a']) counter.add(key);
    expect(counter.top(5)).toEqual([{ key: 'a', count: 3 }, { key: 'b', count: 1 }]);
    expect(counter.other).toBe(2);
  });
});

describe('parseProblem', () => {
  it('rejects impossible dates and accepts real ones', () => {
    expect(parseProblem('1987-02-30', 'date')).toMatch(/real date/);
    expect(parseProblem('2024-02-29', 'date')).toBeUndefined();
    expect(parseProblem('2023-02-29', 'date')).toBeDefined();
    expect(parseProblem('2014-05-06T08:34:30Z', 'dateTime')).toBeUndefined();
    expect(parseProblem('2014-05-06T25:00:00Z', 'dateTime')).toBeDefined();
  });

  it('checks numbers and booleans', () => {
    expect(parseProblem('12', 'integer')).toBeUndefined();
    expect(parseProblem('1.5', 'integer')).toBe('not an integer');
    expect(parseProblem('-1.5e3', 'decimal')).toBeUndefined();
    expect(parseProblem('12,5', 'decimal')).toBe('not a decimal number');
    expect(parseProblem('yes', 'boolean')).toBeUndefined();
    expect(parseProblem('maybe', 'boolean')).toBe('not a boolean');
    expect(parseProblem('anything', 'string')).toBeUndefined();
  });
});
