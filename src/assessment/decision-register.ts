import type { DecisionRow } from './report.ts';
import type { DecisionRegister } from './types.ts';

/**
 * Every column seen in the data next to the map set's decision; a seen column without one is
 * `undecided`. Decided columns that never appeared are listed too (seen: false).
 */
export function decisionRows(seen: ReadonlyMap<string, ReadonlySet<string>>, register: DecisionRegister | undefined): DecisionRow[] {
  const rows: DecisionRow[] = [];
  const kinds = new Set([...seen.keys(), ...Object.keys(register?.tables ?? {})]);
  for (const kind of [...kinds].sort()) {
    const table = register?.tables[kind];
    const columns = seen.get(kind) ?? new Set<string>();
    for (const column of [...new Set([...columns, ...Object.keys(table?.columns ?? {})])].sort()) {
      const decided = table?.columns[column];
      const isSeen = columns.has(column);
      if (!decided) {
        const note = table ? 'no decision for this column' : 'no decisions for this kind';
        rows.push({ kind, column, seen: isSeen, decision: 'undecided', note });
        continue;
      }
      const note = table?.rows === 'archive' ? `rows archived: ${table.rowsReason ?? ''}` : (decided.reason ?? decided.how);
      rows.push({ kind, column, seen: isSeen, decision: decided.decision, ...(decided.target ? { target: decided.target } : {}), ...(note ? { note } : {}) });
    }
  }
  return rows;
}

export function undecidedSeen(rows: readonly DecisionRow[]): DecisionRow[] {
  return rows.filter((r) => r.seen && r.decision === 'undecided');
}
