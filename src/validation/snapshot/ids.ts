/**
 * Element ids in a snapshot: the parent's id, a dot, the element name, and `:sliceName` on a slice
 * (`Observation.component:systolic.code`). The parent is the nearest earlier element one level up,
 * which for the children of a slice is that slice.
 */
import type { ED } from './types.ts';

export function assignIds(elements: readonly ED[]): void {
  const lastIdByPath = new Map<string, string>();
  for (const ed of elements) {
    const dot = ed.path.lastIndexOf('.');
    const slice = ed.sliceName !== undefined ? `:${ed.sliceName}` : '';
    if (dot < 0) {
      ed.id = ed.path + slice;
    } else {
      const parentPath = ed.path.slice(0, dot);
      const parentId = lastIdByPath.get(parentPath) ?? parentPath;
      ed.id = `${parentId}.${ed.path.slice(dot + 1)}${slice}`;
    }
    lastIdByPath.set(ed.path, ed.id);
  }
}
