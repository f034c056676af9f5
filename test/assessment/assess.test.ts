import { assessSource, patientFieldsFromDecisions } from '../../src/assessment/index.ts';
import type { AssessmentItem, DecisionRegister, MappingProbe } from '../../src/assessment/index.ts';
import type { SourceRecord } from '../../src/core/index.ts';

const record = (kind: string, line: number, key: string, data: Record<string, string>, patientKey?: string): SourceRecord => ({
  ref: { source: 'test', kind, locator: `${kind}.csv:${line}` },
  key,
  ...(patientKey ? { patientKey } : {}),
  data,
});

async function* items(list: readonly AssessmentItem[]): AsyncGenerator<AssessmentItem> {
  yield* list;
}

const DECISIONS: DecisionRegister = {
  mapSet: 'test-set',
  tables: {
    people: {
      resourceType: 'Patient',
      key: 'ID',
      columns: {
        ID: { decision: 'transform', target: 'Patient.identifier (lineage)' },
        MRN: { decision: 'transform', target: 'Patient.identifier (MR)' },
        GIVEN: { decision: 'migrate', target: 'Patient.name.given' },
        FAMILY: { decision: 'migrate', target: 'Patient.name.family' },
        DOB: { decision: 'migrate', target: 'Patient.birthDate' },
        SEX: { decision: 'transform', target: 'Patient.gender', how: 'ConceptMap sex' },
      },
    },
    visits: { resourceType: 'Encounter', key: 'ID', columns: { ID: { decision: 'migrate' }, PERSON: { decision: 'transform' } } },
  },
};

const PEOPLE = [
  record('people', 2, 'p1', { ID: 'p1', MRN: 'M1', GIVEN: 'Martha', FAMILY: 'Jones', DOB: '1980-01-02', SEX: 'F' }, 'p1'),
  record('people', 3, 'p2', { ID: 'p2', MRN: 'M2', GIVEN: 'Marhta', FAMILY: 'Jones', DOB: '1980-01-02', SEX: 'F' }, 'p2'),
  record('people', 4, 'p3', { ID: 'p3', MRN: 'M1', GIVEN: 'Bob', FAMILY: 'Smith', DOB: '1990-02-30', SEX: 'Q' }, 'p3'),
  record('people', 5, 'p4', { ID: 'p4', MRN: 'M4', GIVEN: 'Martha', FAMILY: 'Jones', DOB: '1980-01-02', SEX: 'M', NICKNAME: 'Mo' }, 'p4'),
];
const VISITS = [
  record('visits', 2, 'v1', { ID: 'v1', PERSON: 'p1' }, 'p1'),
  record('visits', 3, 'v2', { ID: 'v2', PERSON: 'ghost' }, 'ghost'),
  record('visits', 4, 'v3', { ID: 'v3', PERSON: 'ghost' }, 'ghost'),
];

async function run(extra: Partial<Parameters<typeof assessSource>[1]> = {}) {
  const list: AssessmentItem[] = [...VISITS, ...PEOPLE, { ref: { source: 'test', kind: 'visits', locator: 'visits.csv:9' }, code: 'FHIRMIG_ERR_SOURCE_PARSE', message: 'bad row' }];
  return assessSource(items(list), {
    source: 'test',
    decisions: DECISIONS,
    columnTypes: { people: { DOB: 'date' } },
    columns: { people: ['ID', 'MRN', 'GIVEN', 'FAMILY', 'DOB', 'SEX', 'SUFFIX'] },
    codeSets: { people: { SEX: { conceptMap: 'urn:sex', codes: new Set(['F', 'M']) } } },
    now: () => new Date('2026-01-01T00:00:00Z'),
    ...extra,
  });
}

describe('assessSource', () => {
  it('takes the demographic columns from the decision register', () => {
    expect(patientFieldsFromDecisions(DECISIONS)).toEqual({ kind: 'people', given: ['GIVEN'], family: ['FAMILY'], birthDate: 'DOB', sex: 'SEX', identifiers: ['MRN'] });
  });

  it('inventories kinds, records, rejections and columns (declared empty ones too)', async () => {
    const report = await run();
    expect(report.inventory).toEqual([
      { kind: 'people', records: 4, rejected: 0, withPatient: 4, columns: ['ID', 'MRN', 'GIVEN', 'FAMILY', 'DOB', 'SEX', 'SUFFIX', 'NICKNAME'] },
      { kind: 'visits', records: 3, rejected: 1, withPatient: 3, columns: ['ID', 'PERSON'] },
    ]);
    expect(report.rejections).toEqual([{ kind: 'visits', code: 'FHIRMIG_ERR_SOURCE_PARSE', count: 1, samples: ['visits.csv:9'] }]);
    const suffix = report.columns.find((c) => c.kind === 'people' && c.column === 'SUFFIX');
    expect(suffix).toMatchObject({ present: 0, empty: 4, emptyRate: 1, distinct: 0 });
    const nickname = report.columns.find((c) => c.column === 'NICKNAME');
    expect(nickname).toMatchObject({ present: 1, empty: 3, emptyRate: 0.75 });
  });

  it('counts values that do not parse and codes outside the code system', async () => {
    const report = await run();
    const dob = report.columns.find((c) => c.column === 'DOB');
    expect(dob?.invalid).toEqual({ count: 1, reason: 'not a real date (YYYY-MM-DD)', patterns: [{ pattern: '9999-99-99', count: 1 }], samples: ['people.csv:4'] });
    expect(dob?.distinct).toBe(2);
    const sex = report.columns.find((c) => c.column === 'SEX');
    expect(sex?.codeSystem).toEqual({ conceptMap: 'urn:sex', outside: 1, codes: [{ code: 'Q', count: 1 }] });
    expect(report.summary).toMatchObject({ records: 7, rejected: 1, invalidValues: 1, codesOutsideCodeSystem: 1 });
  });

  it('finds duplicate candidates by identifier and by demographics with a fuzzy name', async () => {
    const report = await run();
    const pairs = report.duplicates.map((d) => [d.patients[0].key, d.patients[1].key, d.reasons]);
    expect(pairs).toEqual([
      ['p1', 'p3', ['same identifier MRN']],
      ['p1', 'p2', ['same birth date and sex, name similarity 0.981']],
    ]);
    const byId = report.duplicates[0];
    expect(byId?.sharedIdentifiers).toEqual([{ column: 'MRN', value: 'M1' }]);
    expect(report.duplicates[1]?.patients[1]).toEqual({ key: 'p2', locator: 'people.csv:3', name: 'Marhta Jones', birthDate: '1980-01-02', sex: 'F' });
  });

  it('finds orphans whatever the order of kinds', async () => {
    const report = await run();
    expect(report.orphans).toEqual([{ kind: 'visits', patientKey: 'ghost', records: 2, samples: ['visits.csv:3', 'visits.csv:4'] }]);
    expect(report.summary.orphanRecords).toBe(2);
  });

  it('lists every field next to its decision; seen but undecided ones are counted', async () => {
    const report = await run();
    const undecided = report.decisions.filter((d) => d.decision === 'undecided').map((d) => `${d.kind}.${d.column}:${d.seen}`);
    expect(undecided).toEqual(['people.NICKNAME:true', 'people.SUFFIX:true']);
    expect(report.summary.undecidedFields).toBe(2);
    expect(report.decisions.find((d) => d.column === 'SEX')).toMatchObject({ decision: 'transform', target: 'Patient.gender', note: 'ConceptMap sex', seen: true });
  });

  it('attributes unmapped codes to the field holding them, and counts mapping failures', async () => {
    const probe = (r: SourceRecord): MappingProbe => {
      const data = r.data as Record<string, string>;
      if (r.ref.kind === 'visits') return { unmapped: [], ...(data['PERSON'] === 'ghost' ? { error: 'no patient' } : {}) };
      return { unmapped: data['SEX'] === 'Q' ? [{ conceptMap: 'urn:sex', code: 'Q', rule: 'gender' }, { conceptMap: 'urn:other', code: 'zz', rule: 'extra' }] : [] };
    };
    const report = await run({ probeMapping: probe });
    expect(report.unmappedCodes).toEqual([
      { kind: 'people', field: 'rule extra', conceptMap: 'urn:other', code: 'zz', count: 1 },
      { kind: 'people', field: 'SEX', conceptMap: 'urn:sex', code: 'Q', count: 1 },
    ]);
    expect(report.mappingFailures).toEqual([{ kind: 'visits', count: 2, messages: ['no patient'], samples: ['visits.csv:3', 'visits.csv:4'] }]);
    expect(report.summary).toMatchObject({ unmappedCodes: 2, mappingFailures: 2 });
  });

  it('infers the type of an undeclared column from 20+ values and counts the outliers apart', async () => {
    const rows = (values: string[]): AssessmentItem[] => values.map((v, i) => record('labs', i + 2, `l${i}`, { AMOUNT: v }));
    const amounts = [...Array.from({ length: 24 }, (_, i) => String(i * 1.5)), 'n/a'];
    const report = await assessSource(items(rows(amounts)), { source: 'test' });
    const amount = report.columns.find((c) => c.column === 'AMOUNT');
    expect(amount).toMatchObject({ inferredType: 'decimal', invalid: { count: 1, reason: 'not a decimal number', patterns: [{ pattern: 'A/A', count: 1 }], samples: ['labs.csv:26'] } });
    expect(report.summary).toMatchObject({ invalidValues: 0, inferredTypeOutliers: 1 });
    const few = await assessSource(items(rows(['1', '2', 'x'])), { source: 'test' });
    expect(few.columns.find((c) => c.column === 'AMOUNT')?.inferredType).toBeUndefined();
  });
});
