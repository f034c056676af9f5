import type { ConformanceContext } from './context.ts';
import type { ElementNode } from './element-tree.ts';
import { typeCodeOf } from './element-tree.ts';
import { capitalize } from './values.ts';

export interface ChildMatch {
  readonly node: ElementNode;
  readonly typeCode: string;
  /** The element name as written in FHIRPath (`value` for `valueQuantity`). */
  readonly name: string;
  readonly choice: boolean;
}

interface ChildIndex {
  readonly byName: Map<string, ElementNode>;
  readonly choices: ElementNode[];
}

const indexes = new WeakMap<ElementNode[], ChildIndex>();

function childIndex(children: ElementNode[]): ChildIndex {
  let index = indexes.get(children);
  if (!index) {
    const byName = new Map<string, ElementNode>();
    const choices: ElementNode[] = [];
    for (const child of children) {
      if (child.name.endsWith('[x]')) choices.push(child);
      else if (!byName.has(child.name)) byName.set(child.name, child);
    }
    index = { byName, choices };
    indexes.set(children, index);
  }
  return index;
}

export type MatchResult = ChildMatch | { readonly problem: string } | undefined;

/** Finds the element a JSON property (`name`, `_name`, `valueQuantity`) belongs to. */
export function matchChild(children: ElementNode[], key: string, context: ConformanceContext): MatchResult {
  const name = key.startsWith('_') ? key.slice(1) : key;
  const index = childIndex(children);
  const direct = index.byName.get(name);
  if (direct) {
    const type = direct.def.type?.[0];
    return { node: direct, typeCode: type ? typeCodeOf(type) : 'BackboneElement', name, choice: false };
  }
  for (const choice of index.choices) {
    const prefix = choice.name.slice(0, -3);
    if (!name.startsWith(prefix) || name.length === prefix.length) continue;
    const suffix = name.slice(prefix.length);
    const type = (choice.def.type ?? []).find((t) => capitalize(typeCodeOf(t)) === suffix);
    if (type) return { node: choice, typeCode: typeCodeOf(type), name: prefix, choice: true };
    if (isKnownTypeName(suffix, context)) {
      const allowed = (choice.def.type ?? []).map((t) => typeCodeOf(t)).join(', ');
      return { problem: `The type '${suffix}' is not allowed for ${choice.def.path} (allowed: ${allowed})` };
    }
  }
  return undefined;
}

function isKnownTypeName(suffix: string, context: ConformanceContext): boolean {
  const lower = suffix.charAt(0).toLowerCase() + suffix.slice(1);
  return context.typeDefinition(suffix) !== undefined || context.typeDefinition(lower) !== undefined;
}
