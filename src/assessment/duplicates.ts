import { textOf } from './column-profiler.ts';
import { jaroWinkler, normaliseName } from './jaro-winkler.ts';
import type { DuplicateCandidate, PatientEvidence } from './report.ts';
import type { DecisionRegister, PatientFields } from './types.ts';

interface PatientEntry extends PatientEvidence {
  readonly normalisedName: string;
  readonly identifiers: readonly { readonly column: string; readonly value: string }[];
}

/**
 * Duplicate patient candidates: the same identifier under two patient records, or the same birth
 * date and sex with names whose Jaro-Winkler similarity reaches the threshold. Patients are
 * blocked by birth date + sex, so names are compared only within a block.
 */
export class DuplicateFinder {
  readonly #fields: PatientFields;
  readonly #threshold: number;
  readonly #byIdentifier = new Map<string, PatientEntry[]>();
  readonly #byDemographics = new Map<string, PatientEntry[]>();

  constructor(fields: PatientFields, threshold: number) {
    this.#fields = fields;
    this.#threshold = threshold;
  }

  get kind(): string {
    return this.#fields.kind;
  }

  add(key: string, locator: string, data: Readonly<Record<string, unknown>>): void {
    const text = (column: string | undefined): string | undefined => (column === undefined ? undefined : textOf(data[column]));
    const name = [...this.#fields.given, ...this.#fields.family].map(text).filter((v) => v !== undefined).join(' ');
    const identifiers = this.#fields.identifiers.flatMap((column) => {
      const value = text(column);
      return value === undefined ? [] : [{ column, value }];
    });
    const birthDate = text(this.#fields.birthDate);
    const sex = text(this.#fields.sex);
    const entry: PatientEntry = { key, locator, name, normalisedName: normaliseName(name), identifiers, ...(birthDate ? { birthDate } : {}), ...(sex ? { sex } : {}) };
    for (const id of identifiers) push(this.#byIdentifier, `${id.column}|${id.value}`, entry);
    if (birthDate !== undefined && entry.normalisedName !== '') push(this.#byDemographics, `${birthDate}|${sex ?? ''}`, entry);
  }

  /** At most `limit` candidates (a block of look-alike test patients must not flood the report). */
  candidates(limit = MAX_CANDIDATES): DuplicateCandidate[] {
    const pairs = new Map<string, { a: PatientEntry; b: PatientEntry; reasons: Set<string> }>();
    const note = (a: PatientEntry, b: PatientEntry, reason: string): void => {
      if (pairs.size >= limit && !pairs.has(pairKey(a, b))) return;
      const [first, second] = a.key < b.key ? [a, b] : [b, a];
      const id = pairKey(first, second);
      const pair = pairs.get(id) ?? { a: first, b: second, reasons: new Set<string>() };
      pair.reasons.add(reason);
      pairs.set(id, pair);
    };
    for (const [id, entries] of this.#byIdentifier) forPairs(entries, (a, b) => note(a, b, `same identifier ${id.split('|')[0]}`));
    for (const entries of this.#byDemographics.values()) {
      forPairs(entries, (a, b) => {
        const similarity = jaroWinkler(a.normalisedName, b.normalisedName);
        if (similarity >= this.#threshold) note(a, b, `same birth date and sex, name similarity ${similarity.toFixed(3)}`);
      });
    }
    return [...pairs.values()].map(({ a, b, reasons }) => ({
      patients: [evidence(a), evidence(b)],
      reasons: [...reasons].sort(),
      nameSimilarity: Math.round(jaroWinkler(a.normalisedName, b.normalisedName) * 1000) / 1000,
      sharedIdentifiers: a.identifiers.filter((x) => b.identifiers.some((y) => y.column === x.column && y.value === x.value)),
    }));
  }
}

const MAX_CANDIDATES = 10000;

function pairKey(a: { key: string }, b: { key: string }): string {
  return a.key < b.key ? `${a.key}\u0000${b.key}` : `${b.key}\u0000${a.key}`;
}

function evidence(entry: PatientEntry): PatientEvidence {
  const { key, locator, name, birthDate, sex } = entry;
  return { key, locator, name, ...(birthDate ? { birthDate } : {}), ...(sex ? { sex } : {}) };
}

function push<T>(map: Map<string, T[]>, key: string, value: T): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

function forPairs<T extends { key: string }>(entries: readonly T[], visit: (a: T, b: T) => void): void {
  for (let i = 0; i < entries.length; i++) {
    for (let j = i + 1; j < entries.length; j++) {
      const [a, b] = [entries[i] as T, entries[j] as T];
      if (a.key !== b.key) visit(a, b);
    }
  }
}

/**
 * The demographic columns, read off the decision register's Patient table: the columns whose
 * target is Patient.name.given/family, Patient.birthDate, Patient.gender or (other than the key)
 * Patient.identifier.
 */
export function patientFieldsFromDecisions(register: DecisionRegister): PatientFields | undefined {
  const entry = Object.entries(register.tables).find(([, table]) => table.resourceType === 'Patient');
  if (!entry) return undefined;
  const [kind, table] = entry;
  const columns = Object.entries(table.columns).filter(([, d]) => d.decision === 'migrate' || d.decision === 'transform');
  const targeting = (prefix: string): string[] => columns.filter(([, d]) => d.target?.startsWith(prefix)).map(([c]) => c);
  return {
    kind,
    given: targeting('Patient.name.given'),
    family: targeting('Patient.name.family'),
    birthDate: targeting('Patient.birthDate')[0],
    sex: targeting('Patient.gender')[0],
    identifiers: targeting('Patient.identifier').filter((c) => c !== table.key),
  };
}
