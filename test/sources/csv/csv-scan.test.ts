/**
 * The patient index's byte scanner (src/sources/csv/csv-scan.ts) must report exactly the rows
 * csv-parse reports (RFC 4180 records: quoted fields with "" and line breaks, CRLF or LF, blank
 * lines skipped, a UTF-8 BOM) — same byte ranges, same line at start, same decoded column — and
 * give up on what it does not read, so that csv-parse decides there. Compared on every CSV of
 * the shared test data and on edge cases, including records across its 1 MB read chunks.
 */
import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readCsvEvents } from '../../../src/sources/csv/csv-rows.ts';
import type { CsvDialect, CsvRange } from '../../../src/sources/csv/csv-rows.ts';
import { CsvReadHandles, scanCsvColumn, scanCsvRange } from '../../../src/sources/csv/csv-scan.ts';
import { SHARED } from '../../validation/support.ts';

const UTF8: CsvDialect = { delimiter: ',', quote: '"', encoding: 'utf8' };

interface Seen {
  header: string[];
  rows: { value: string | undefined; start: number; end: number; lineAtStart: number }[];
}

async function viaCsvParse(path: string, column: (header: string[]) => number, dialect = UTF8): Promise<Seen> {
  const seen: Seen = { header: [], rows: [] };
  let index = -1;
  let first = true;
  for await (const event of readCsvEvents(path, dialect)) {
    if (event.kind !== 'row') continue;
    if (first) {
      first = false;
      seen.header = event.fields;
      index = column(event.fields);
    } else seen.rows.push({ value: index < 0 ? undefined : event.fields[index], start: event.start, end: event.end, lineAtStart: event.lineAtStart });
  }
  return seen;
}

async function viaScanner(path: string, column: (header: string[]) => number, dialect = UTF8): Promise<Seen | false> {
  const seen: Seen = { header: [], rows: [] };
  const complete = await scanCsvColumn(path, dialect, (header) => ((seen.header = header), column(header)), (row) => seen.rows.push({ ...row }));
  return complete && seen;
}

function csvFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return csvFiles(path);
    return name.endsWith('.csv') ? [path] : [];
  });
}

const secondColumn = (header: string[]): number => Math.min(1, header.length - 1);
const lastColumn = (header: string[]): number => header.length - 1;

describe('csv index scanner', () => {
  const files = csvFiles(join(SHARED, 'testdata'));

  it('reads every CSV of the shared test data as csv-parse does', async () => {
    expect(files.length).toBeGreaterThan(200);
    let scanned = 0;
    for (const file of files) {
      for (const column of [secondColumn, lastColumn]) {
        const fast = await viaScanner(file, column);
        if (fast === false) continue;
        scanned++;
        expect([file, fast]).toEqual([file, await viaCsvParse(file, column)]);
      }
    }
    expect(scanned).toBeGreaterThan(files.length); // most files are read by the scanner
  });

  it('reads the Synthea tables itself (the migration path)', async () => {
    for (const file of csvFiles(join(SHARED, 'testdata', 'synthea', 'csv'))) expect([file, await viaScanner(file, secondColumn) !== false]).toEqual([file, true]);
  });

  describe('edge cases', () => {
    let dir = '';
    beforeAll(() => (dir = mkdtempSync(join(tmpdir(), 'fhirmig-scan-'))));
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    const READ = {
      'blank lines, no final newline': 'id,p\n1,a\n\n\n2,b',
      'CRLF, a quoted line break and quotes': 'id,p\r\n1,"a\nb"\r\n\r\n2,"say ""hi"""\r\n',
      'a BOM and empty fields': '\ufeffid,p,q\n,,\n1,,x\n"",b,\n',
      'a quoted field closing at the end': 'id,p\n1,"end"',
      'trailing blank lines': 'id,p\n1,a\n\n\n',
      'short and long rows': 'id,p\n1\n2,b,c,d\n',
    };
    it.each(Object.entries(READ))('%s', async (name, text) => {
      const file = join(dir, `${name}.csv`);
      writeFileSync(file, text);
      const fast = await viaScanner(file, secondColumn);
      expect(fast).not.toBe(false);
      expect(fast).toEqual(await viaCsvParse(file, secondColumn));
    });

    const GIVE_UP = {
      'a stray quote': 'id,p\n1,a"b\n',
      'text after a closing quote': 'id,p\n1,"a"b\n',
      'an unclosed quote': 'id,p\n1,"ab\n2,c\n',
      'a bare CR': 'id,p\r1,a\r',
      'a CR inside quotes': 'id,p\r\n1,"a\r\nb"\r\n',
      'mixed line endings': 'id,p\r\n1,a\n',
    };
    it.each(Object.entries(GIVE_UP))('gives up on %s', async (name, text) => {
      const file = join(dir, `${name}.csv`);
      writeFileSync(file, text);
      expect(await viaScanner(file, secondColumn)).toBe(false);
    });

    it('gives up on other encodings and dialects it does not read', async () => {
      const file = join(dir, 'latin1.csv');
      writeFileSync(file, 'id,p\n1,a\n');
      expect(await viaScanner(file, secondColumn, { ...UTF8, encoding: 'latin1' })).toBe(false);
      expect(await viaScanner(file, secondColumn, { ...UTF8, delimiter: '||' })).toBe(false);
    });

    it('reads records across its read chunks', async () => {
      const rows = ['id,patient,note'];
      for (let i = 0; i < 60_000; i++) rows.push(`${i},p${i % 97},"line ${i}\nwith ""quotes"", and commas"`);
      const file = join(dir, 'big.csv');
      writeFileSync(file, `${rows.join('\r\n')}\r\n`.replaceAll('\r\n', '\n'));
      expect(statSync(file).size).toBeGreaterThan(2 << 20);
      const fast = await viaScanner(file, secondColumn);
      expect(fast).not.toBe(false);
      expect(fast).toEqual(await viaCsvParse(file, secondColumn));
      const noted = await viaScanner(file, lastColumn);
      expect(noted).toEqual(await viaCsvParse(file, lastColumn));
    });
  });
});

describe('csv range scanner', () => {
  async function rangeViaCsvParse(path: string, range: CsvRange): Promise<unknown[]> {
    const rows: unknown[] = [];
    for await (const event of readCsvEvents(path, UTF8, range)) rows.push(event);
    return rows;
  }

  it('reads whole files and every patient range of the Synthea tables as csv-parse does', async () => {
    let ranges = 0;
    for (const file of csvFiles(join(SHARED, 'testdata', 'synthea', 'csv'))) {
      const { size } = statSync(file);
      const whole: CsvRange = { start: 0, endInclusive: size - 1, line: 1 };
      expect([file, await scanCsvRange(file, UTF8, whole)]).toEqual([file, await rangeViaCsvParse(file, whole)]);
      // Ranges as the index makes them, from record boundaries: single rows and runs of three.
      const seen = await viaCsvParse(file, secondColumn);
      for (let i = 0; i < seen.rows.length; i += 7) {
        const first = seen.rows[i] as Seen['rows'][number];
        const last = seen.rows[Math.min(seen.rows.length - 1, i + (i % 2 === 0 ? 0 : 2))] as Seen['rows'][number];
        const range: CsvRange = { start: first.start, endInclusive: last.end - 1, line: first.lineAtStart };
        const fast = await scanCsvRange(file, UTF8, range);
        expect([file, range, fast]).toEqual([file, range, await rangeViaCsvParse(file, range)]);
        ranges++;
      }
    }
    expect(ranges).toBeGreaterThan(1000);
  });

  it('reads ranges through kept-open handles, side by side, as through a handle per read; reopens after close', async () => {
    const file = join(SHARED, 'testdata', 'synthea', 'csv', 'observations.csv');
    const seen = await viaCsvParse(file, secondColumn);
    const ranges = seen.rows.filter((_, i) => i % 97 === 0).map((r): CsvRange => ({ start: r.start, endInclusive: r.end - 1, line: r.lineAtStart }));
    const handles = new CsvReadHandles();
    const kept = await Promise.all(ranges.map((range) => scanCsvRange(file, UTF8, range, handles)));
    const once = await Promise.all(ranges.map((range) => scanCsvRange(file, UTF8, range)));
    expect(kept).toEqual(once);
    expect(kept.every((rows) => rows?.length === 1)).toBe(true);
    await handles.close();
    expect(await scanCsvRange(file, UTF8, ranges[1] as CsvRange, handles)).toEqual(once[1]);
    await handles.close();
    await expect(scanCsvRange(join(SHARED, 'nope.csv'), UTF8, ranges[0] as CsvRange, handles)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('reads the shared CSVs as csv-parse does, or leaves them to it', async () => {
    let scanned = 0;
    for (const file of csvFiles(join(SHARED, 'testdata')).filter((f) => !f.includes('synthea'))) {
      const { size } = statSync(file);
      if (size === 0) continue;
      const whole: CsvRange = { start: 0, endInclusive: size - 1, line: 1 };
      const fast = await scanCsvRange(file, UTF8, whole);
      if (!fast) continue;
      scanned++;
      expect([file, fast]).toEqual([file, await rangeViaCsvParse(file, whole)]);
    }
    expect(scanned).toBeGreaterThan(200);
  });
});
