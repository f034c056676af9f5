import type { SourceRejection } from '../../sources/index.ts';
import type { MapSet, MappedRecord } from '../runner/types.ts';
import { assignPhases } from './assign.ts';
import type { PhaseItem } from './assign.ts';
import { DEFAULT_PHASE_TABLE, phaseIndex } from './phase-table.ts';
import type { PhaseTable } from './phase-table.ts';

/** The phase of every task of a job planned before priority phases: it takes all of a patient's records. */
export const ALL_PHASE = 'all';

export function phaseTableOf(mapSet: MapSet): PhaseTable {
  return mapSet.phases ?? DEFAULT_PHASE_TABLE;
}

/** A patient's records split for one phase's task. */
export interface PhaseSplit {
  /** Source rejections that belong to this phase. */
  readonly rejections: readonly SourceRejection[];
  /** Mapped (or refused) records that belong to this phase. */
  readonly current: readonly MappedRecord[];
  /** Resources of earlier phases (written by their tasks): references to them resolve. */
  readonly earlier: readonly Extract<MappedRecord, { state: 'mapped' }>[];
}

/**
 * Keeps what the phase's task owns: each record of the patient belongs to exactly one phase
 * (assignPhases), so across a job's tasks every record is recorded once. Later phases' records
 * are left to their tasks.
 */
export function splitByPhase(mapSet: MapSet, phase: string, rejections: readonly SourceRejection[], mapped: readonly MappedRecord[]): PhaseSplit {
  if (phase === ALL_PHASE) return { rejections, current: mapped, earlier: [] };
  const table = phaseTableOf(mapSet);
  const wanted = phaseIndex(table, phase);
  const items: PhaseItem[] = [
    ...rejections.map((r) => optionalType(tableType(mapSet, r.ref.kind))),
    ...mapped.map((m): PhaseItem => (m.state === 'mapped' ? { resource: m.resource } : optionalType(recordType(mapSet, m)))),
  ];
  const phases = assignPhases(table, items);
  const phaseOfMapped = (i: number): number => phases[rejections.length + i] as number;
  return {
    rejections: rejections.filter((_, i) => phases[i] === wanted),
    current: mapped.filter((_, i) => phaseOfMapped(i) === wanted),
    earlier: mapped.filter((m, i): m is Extract<MappedRecord, { state: 'mapped' }> => m.state === 'mapped' && phaseOfMapped(i) < wanted),
  };
}

/** The resource type a table maps to, when its decision names one. */
export function tableType(mapSet: MapSet, kind: string): string | undefined {
  const rule = mapSet.tables.get(kind);
  return rule?.kind === 'map' ? rule.resourceType : undefined;
}

/** The resource type of a mapped record, or the one it would have had. */
export function recordType(mapSet: MapSet, m: MappedRecord): string | undefined {
  return m.state === 'mapped' ? m.resource.resourceType : m.resourceType ?? tableType(mapSet, m.record.ref.kind);
}

function optionalType(resourceType: string | undefined): PhaseItem {
  return resourceType === undefined ? {} : { resourceType };
}
