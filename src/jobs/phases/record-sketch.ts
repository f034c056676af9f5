import type { SourceRecord } from '../../core/index.ts';
import { projectStructureMap } from '../../mapping/index.ts';
import { mapInput, recordResourceId } from '../runner/record-mapper.ts';
import type { MapSet } from '../runner/types.ts';
import { handleOf } from './phase-plan.ts';
import type { ResourceHandle } from './phase-plan.ts';
import { ownPhase, phaseOfType } from './phase-table.ts';
import type { PhaseTable } from './phase-table.ts';

/** A record seen without mapping it: the earliest phase it can take and how it can be referred to. */
export interface RecordSketch {
  readonly earliest: number;
  readonly handle: ResourceHandle;
}

/** A table's map projected on what the planner reads, and the phase of its type. */
interface TableProjection {
  readonly projection: fhir4.StructureMap;
  readonly byType: number;
}

/** Sees records through their maps' projections; built once per task (the projection of each table once). */
export type Sketcher = (record: SourceRecord) => RecordSketch | undefined;

/**
 * A record of a later phase than `wanted`, seen through its map's projection on `identifier`
 * (logical references resolve through it) and on the elements the phase table reads for its type
 * (an active Condition is critical). Undefined when the record must be mapped whole: its table
 * names no single resource type (messages, documents), its map has no projection, the
 * projection fails, or the record can belong to `wanted` or an earlier phase — a record that
 * mapping would reject takes the phase of its type.
 */
export function recordSketcher(mapSet: MapSet, table: PhaseTable, wanted: number): Sketcher {
  const projections = new Map<string, TableProjection | undefined>();
  const projectionOf = (kind: string): TableProjection | undefined => {
    if (projections.has(kind)) return projections.get(kind);
    const rule = mapSet.tables.get(kind);
    const byType = phaseOfType(table, rule?.kind === 'map' ? rule.resourceType : undefined);
    const projection = rule?.kind === 'map' && rule.resourceType !== undefined && byType > wanted ? projectStructureMap(rule.map, ['identifier', ...phaseElements(table, rule.resourceType)]) : undefined;
    projections.set(kind, projection && { projection, byType });
    return projections.get(kind);
  };
  return (record) => {
    const projected = projectionOf(record.ref.kind);
    if (!projected) return undefined;
    let resource: fhir4.Resource;
    try {
      resource = mapSet.engine.transform(projected.projection, mapInput(record)) as fhir4.Resource;
    } catch {
      return undefined;
    }
    if (resource.resourceType === 'Bundle') return undefined;
    const earliest = Math.min(projected.byType, ownPhase(table, resource));
    if (earliest <= wanted) return undefined;
    resource.id = recordResourceId(record.ref.source, record, resource.resourceType);
    return { earliest, handle: handleOf(resource) };
  };
}

/** The elements whose codes the table's rules for the type read (`clinicalStatus` for Condition). */
function phaseElements(table: PhaseTable, resourceType: string): string[] {
  const elements = table.phases.flatMap((p) => p.rules.filter((r) => r.resourceType === resourceType && r.element !== undefined).map((r) => r.element as string));
  return [...new Set(elements)];
}
