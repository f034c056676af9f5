import type { SourceRecord } from '../core/index.ts';
import { ColumnProfiler } from './column-profiler.ts';
import { decisionRows, undecidedSeen } from './decision-register.ts';
import { DuplicateFinder, patientFieldsFromDecisions } from './duplicates.ts';
import { OrphanFinder } from './orphans.ts';
import type { AssessmentReport, KindInventory, RejectionSummary } from './report.ts';
import type { AssessmentItem, AssessmentOptions, AssessmentRejection, PatientFields } from './types.ts';
import { UnmappedCodeTracker } from './unmapped.ts';

const DEFAULT_DISTINCT_CAP = 10000;
const DEFAULT_NAME_THRESHOLD = 0.9;
const SAMPLE_CAP = 5;

interface KindState {
  records: number;
  rejected: number;
  withPatient: number;
  readonly columns: Map<string, ColumnProfiler>;
}

/**
 * The pre-migration assessment: one pass over the source's records (and rejections), with
 * counters and bounded sketches per column, then the report. Pure: the records and everything
 * known about the map set come in; nothing is read or written here.
 */
export async function assessSource(items: AsyncIterable<AssessmentItem>, options: AssessmentOptions): Promise<AssessmentReport> {
  const started = performance.now();
  const state = new AssessmentState(options);
  for await (const item of items) {
    if ('data' in item) state.addRecord(item);
    else state.addRejection(item);
  }
  return state.report((performance.now() - started) / 1000);
}

class AssessmentState {
  readonly #options: AssessmentOptions;
  readonly #kinds = new Map<string, KindState>();
  readonly #rejections = new Map<string, { summary: Omit<RejectionSummary, 'count' | 'samples'>; count: number; samples: string[] }>();
  readonly #duplicates: DuplicateFinder | undefined;
  readonly #orphans: OrphanFinder;
  readonly #unmapped = new UnmappedCodeTracker();

  constructor(options: AssessmentOptions) {
    this.#options = options;
    const fields: PatientFields | undefined = options.patients ?? (options.decisions ? patientFieldsFromDecisions(options.decisions) : undefined);
    this.#duplicates = fields ? new DuplicateFinder(fields, options.nameThreshold ?? DEFAULT_NAME_THRESHOLD) : undefined;
    this.#orphans = new OrphanFinder(fields?.kind ?? 'patients');
  }

  addRecord(record: SourceRecord): void {
    const { kind, locator } = record.ref;
    const kindState = this.#kind(kind);
    kindState.records++;
    if (record.patientKey !== undefined) kindState.withPatient++;
    const data = asRow(record.data);
    for (const [column, value] of Object.entries(data)) this.#column(kindState, kind, column).add(value, locator);
    this.#orphans.add(kind, record.key, record.patientKey, locator);
    if (this.#duplicates && kind === this.#duplicates.kind) this.#duplicates.add(record.key, locator, data);
    const probe = this.#options.probeMapping?.(record);
    if (probe) this.#unmapped.add(kind, locator, data, probe, this.#options.codeSets?.[kind]);
  }

  addRejection(rejection: AssessmentRejection): void {
    const { kind, locator } = rejection.ref;
    this.#kind(kind).rejected++;
    const id = `${kind}|${rejection.code}|${rejection.field ?? ''}`;
    const entry = this.#rejections.get(id) ?? { summary: { kind, code: rejection.code, ...(rejection.field ? { field: rejection.field } : {}) }, count: 0, samples: [] };
    entry.count++;
    if (entry.samples.length < SAMPLE_CAP) entry.samples.push(locator);
    this.#rejections.set(id, entry);
  }

  #kind(kind: string): KindState {
    let state = this.#kinds.get(kind);
    if (!state) {
      state = { records: 0, rejected: 0, withPatient: 0, columns: new Map() };
      for (const column of this.#options.columns?.[kind] ?? []) this.#column(state, kind, column);
      this.#kinds.set(kind, state);
    }
    return state;
  }

  #column(state: KindState, kind: string, column: string): ColumnProfiler {
    let profiler = state.columns.get(column);
    if (!profiler) {
      const type = this.#options.columnTypes?.[kind]?.[column];
      const codeSet = this.#options.codeSets?.[kind]?.[column];
      profiler = new ColumnProfiler(kind, column, this.#options.distinctCap ?? DEFAULT_DISTINCT_CAP, type, codeSet);
      state.columns.set(column, profiler);
    }
    return profiler;
  }

  report(seconds: number): AssessmentReport {
    const kinds = [...this.#kinds].sort(([a], [b]) => a.localeCompare(b));
    const inventory: KindInventory[] = kinds.map(([kind, s]) => ({ kind, records: s.records, rejected: s.rejected, withPatient: s.withPatient, columns: [...s.columns.keys()] }));
    const columns = kinds.flatMap(([, s]) => [...s.columns.values()].map((c) => c.report(s.records)));
    const seen = new Map(kinds.map(([kind, s]) => [kind, new Set(s.columns.keys())]));
    const decisions = decisionRows(seen, this.#options.decisions);
    const duplicates = this.#duplicates?.candidates() ?? [];
    const orphans = this.#orphans.orphans();
    const unmappedCodes = this.#unmapped.codes();
    const mappingFailures = this.#unmapped.failures();
    const records = inventory.reduce((sum, k) => sum + k.records, 0);
    const rejected = inventory.reduce((sum, k) => sum + k.rejected, 0);
    return {
      generatedAt: (this.#options.now?.() ?? new Date()).toISOString(),
      source: this.#options.source,
      ...(this.#options.decisions?.mapSet ? { mapSet: this.#options.decisions.mapSet } : {}),
      summary: {
        records,
        rejected,
        kinds: inventory.length,
        seconds: Math.round(seconds * 1000) / 1000,
        recordsPerSecond: seconds > 0 ? Math.round((records + rejected) / seconds) : 0,
        invalidValues: columns.reduce((sum, c) => sum + (c.declaredType ? (c.invalid?.count ?? 0) : 0), 0),
        inferredTypeOutliers: columns.reduce((sum, c) => sum + (c.inferredType ? (c.invalid?.count ?? 0) : 0), 0),
        codesOutsideCodeSystem: columns.reduce((sum, c) => sum + (c.codeSystem?.outside ?? 0), 0),
        duplicateCandidates: duplicates.length,
        orphanRecords: orphans.reduce((sum, o) => sum + o.records, 0),
        unmappedCodes: unmappedCodes.reduce((sum, u) => sum + u.count, 0),
        undecidedFields: undecidedSeen(decisions).length,
        mappingFailures: mappingFailures.reduce((sum, f) => sum + f.count, 0),
      },
      inventory,
      columns,
      rejections: [...this.#rejections.values()].map(({ summary, count, samples }) => ({ ...summary, count, samples })),
      duplicates,
      orphans,
      unmappedCodes,
      mappingFailures,
      decisions,
      ...(this.#options.decisionsNote ? { decisionsNote: this.#options.decisionsNote } : {}),
    };
  }
}

function asRow(data: unknown): Readonly<Record<string, unknown>> {
  return typeof data === 'object' && data !== null && !Array.isArray(data) ? (data as Record<string, unknown>) : { value: data };
}
