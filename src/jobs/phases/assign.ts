import { indexIdentifiers, referencedKeys } from '../runner/references.ts';
import type { IdentifierIndex } from '../runner/references.ts';
import { ownPhase, phaseOfType } from './phase-table.ts';
import type { PhaseTable } from './phase-table.ts';

/** One record of a patient as the phase rule sees it: its resource when it mapped, else its type. */
export interface PhaseItem {
  readonly resource?: fhir4.Resource;
  readonly resourceType?: string;
}

/**
 * The phase (index) of each item. A resource's phase is the earliest of its own phase and the
 * phases of the resources that refer to it, transitively, within the set (issue 5: "a referenced
 * resource goes in the same or an earlier phase"), so no transaction refers to a resource that a
 * later phase would write. Each phase change only lowers an index, so the loop ends.
 */
export function assignPhases(table: PhaseTable, items: readonly PhaseItem[]): number[] {
  const phases = items.map((item) => (item.resource ? ownPhase(table, item.resource) : phaseOfType(table, item.resourceType)));
  const identifiers: IdentifierIndex = new Map();
  const byKey = new Map<string, number>();
  items.forEach((item, i) => {
    if (!item.resource) return;
    indexIdentifiers(identifiers, item.resource);
    byKey.set(`${item.resource.resourceType}/${item.resource.id ?? ''}`, i);
  });
  const edges = items.map((item) => {
    if (!item.resource) return [];
    const self = `${item.resource.resourceType}/${item.resource.id ?? ''}`;
    return [...referencedKeys(item.resource, identifiers)].filter((key) => key !== self).map((key) => byKey.get(key)).filter((t): t is number => t !== undefined);
  });
  for (let changed = true; changed; ) {
    changed = false;
    edges.forEach((targets, from) => {
      for (const to of targets) {
        if ((phases[to] as number) > (phases[from] as number)) {
          phases[to] = phases[from] as number;
          changed = true;
        }
      }
    });
  }
  return phases;
}
