import type { OrphanGroup } from './report.ts';

const SAMPLE_CAP = 3;

/**
 * Records whose patient key names no record of the patient kind. Referenced keys are kept per
 * kind (memory grows with the patient count, not the record count) and checked at the end, so
 * the patient kind may come in any order.
 */
export class OrphanFinder {
  readonly #patientKind: string;
  readonly #patients = new Set<string>();
  readonly #referenced = new Map<string, Map<string, { records: number; samples: string[] }>>();
  #patientKindSeen = false;

  constructor(patientKind: string) {
    this.#patientKind = patientKind;
  }

  add(kind: string, key: string, patientKey: string | undefined, locator: string): void {
    if (kind === this.#patientKind) {
      this.#patientKindSeen = true;
      this.#patients.add(patientKey ?? key);
      return;
    }
    if (patientKey === undefined) return;
    let byPatient = this.#referenced.get(kind);
    if (!byPatient) this.#referenced.set(kind, (byPatient = new Map()));
    const entry = byPatient.get(patientKey) ?? { records: 0, samples: [] };
    entry.records++;
    if (entry.samples.length < SAMPLE_CAP) entry.samples.push(locator);
    byPatient.set(patientKey, entry);
  }

  /** Orphans by kind and missing patient; none when the patient kind was not in the data. */
  orphans(): OrphanGroup[] {
    if (!this.#patientKindSeen) return [];
    const groups: OrphanGroup[] = [];
    for (const [kind, byPatient] of this.#referenced) {
      for (const [patientKey, { records, samples }] of byPatient) {
        if (!this.#patients.has(patientKey)) groups.push({ kind, patientKey, records, samples });
      }
    }
    return groups.sort((a, b) => a.kind.localeCompare(b.kind) || a.patientKey.localeCompare(b.patientKey));
  }

  get patientKindSeen(): boolean {
    return this.#patientKindSeen;
  }
}
