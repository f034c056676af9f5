import { MigrateError } from '../core/index.ts';
import type { TransactionLimits, WriteStrategy } from './profiles.ts';

/** What the chunker needs of an entry: its position and the positions it references. */
export interface ChunkNode {
  readonly key: string;
  readonly dependsOn: readonly number[];
}

interface ChunkLoad {
  entries: number;
  puts: number;
  conditional: number;
}

/**
 * Splits entries into dependency-ordered chunks within a target's limits: a referenced entry goes
 * in the same or an earlier chunk. Entries that reference each other in a cycle must share a chunk
 * (a conditional create cannot point at a server id it has not learned yet), so each strongly
 * connected group is placed whole. Returns entry positions per chunk.
 */
export function planChunks(nodes: readonly ChunkNode[], strategy: WriteStrategy, limits: TransactionLimits): number[][] {
  const chunks: number[][] = [];
  let current: number[] = [];
  let load: ChunkLoad = { entries: 0, puts: 0, conditional: 0 };
  for (const group of dependencyOrderedGroups(nodes)) {
    const groupLoad = loadOf(group.length, strategy);
    if (!fits(groupLoad, limits)) {
      const keys = group.map((i) => nodes[i]?.key).join(', ');
      throw new MigrateError('FHIRMIG_ERR_TARGET_CHUNKING', `Entries that reference each other in a cycle (${keys}) exceed the target's transaction limits`);
    }
    const combined = addLoads(load, groupLoad);
    if (current.length > 0 && !fits(combined, limits)) {
      chunks.push(current);
      current = [...group];
      load = groupLoad;
    } else {
      current.push(...group);
      load = combined;
    }
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}

function loadOf(count: number, strategy: WriteStrategy): ChunkLoad {
  switch (strategy) {
    case 'put':
      return { entries: count, puts: count, conditional: 0 };
    case 'conditional-create':
      return { entries: count, puts: 0, conditional: count };
    default:
      throw new MigrateError('FHIRMIG_ERR_CONFIG_INVALID', `Unknown write strategy ${String(strategy)}`);
  }
}

function addLoads(a: ChunkLoad, b: ChunkLoad): ChunkLoad {
  return { entries: a.entries + b.entries, puts: a.puts + b.puts, conditional: a.conditional + b.conditional };
}

function fits(load: ChunkLoad, limits: TransactionLimits): boolean {
  if (load.entries > limits.maxEntries || load.puts > limits.maxPuts || load.conditional > limits.maxConditional) return false;
  return load.conditional === 0 || load.entries <= limits.maxEntriesWithConditional;
}

/**
 * Tarjan's strongly connected components, visited in input order. Tarjan emits a component only
 * after every component it reaches, and edges point from a resource to what it references, so
 * the output lists dependencies first.
 */
export function dependencyOrderedGroups(nodes: readonly ChunkNode[]): number[][] {
  const index = new Array<number>(nodes.length).fill(-1);
  const low = new Array<number>(nodes.length).fill(0);
  const onStack = new Array<boolean>(nodes.length).fill(false);
  const stack: number[] = [];
  const groups: number[][] = [];
  let counter = 0;

  const visit = (v: number): void => {
    index[v] = low[v] = counter++;
    stack.push(v);
    onStack[v] = true;
    for (const w of nodes[v]?.dependsOn ?? []) {
      if (index[w] === -1) {
        visit(w);
        low[v] = Math.min(low[v] as number, low[w] as number);
      } else if (onStack[w]) {
        low[v] = Math.min(low[v] as number, index[w] as number);
      }
    }
    if (low[v] !== index[v]) return;
    const group: number[] = [];
    let w: number;
    do {
      w = stack.pop() as number;
      onStack[w] = false;
      group.push(w);
    } while (w !== v);
    groups.push(group.sort((a, b) => a - b));
  };

  for (let v = 0; v < nodes.length; v++) if (index[v] === -1) visit(v);
  return groups;
}
