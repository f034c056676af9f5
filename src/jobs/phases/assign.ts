import { indexIdentifiers, referencedKeys } from '../runner/references.ts';
import type { IdentifierIndex } from '../runner/references.ts';
import { ownPhase, phaseOfType } from './phase-table.ts';
import type { PhaseTable } from './phase-table.ts';

/** One record of a patient as the phase rule sees it: its resources when it mapped, else its type. */
export interface PhaseItem {
  readonly resources?: readonly fhir4.Resource[];
  readonly resourceType?: string;
}

/**
 * The phase (index) of each item. A resource's phase is the earliest of its own phase and the
 * phases of the resources that refer to it, transitively, within the set (issue 5: "a referenced
 * resource goes in the same or an earlier phase"), so no transaction refers to a resource that a
 * later phase would write. A record of several resources (a message's Bundle) takes the earliest
 * of theirs. Each phase change only lowers an index, so the loop ends.
 */
export function assignPhases(table: PhaseTable, items: readonly PhaseItem[]): number[] {
  const phases = items.map((item) => (item.resources?.length ? Math.min(...item.resources.map((r) => ownPhase(table, r))) : phaseOfType(table, item.resourceType)));
  const identifiers: IdentifierIndex = new Map();
  const byKey = new Map<string, number>();
  items.forEach((item, i) => {
    for (const resource of item.resources ?? []) {
      indexIdentifiers(identifiers, resource);
      byKey.set(`${resource.resourceType}/${resource.id ?? ''}`, i);
    }
  });
  const edges = items.map((item, i) => {
    const referenced = (item.resources ?? []).flatMap((resource) => [...referencedKeys(resource, identifiers)]);
    return referenced.map((key) => byKey.get(key)).filter((t): t is number => t !== undefined && t !== i);
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
