import type { ConformanceContext } from './context.ts';
import type { ElementNode } from './element-tree.ts';
import { isArrayElement, typeCodeOf } from './element-tree.ts';
import { isPrimitiveType } from './primitives.ts';
import { capitalize } from './values.ts';

export interface ChildMatch {
  readonly node: ElementNode;
  /** Position of `node` among the children matched against (definition order). */
  readonly position: number;
  readonly typeCode: string;
  /** The element name as written in FHIRPath (`value` for `valueQuantity`). */
  readonly name: string;
  readonly choice: boolean;
  /** The JSON property of the value (`valueQuantity`, also for a key `_valueQuantity`) and of its `_` companion. */
  readonly valueKey: string;
  readonly extKey: string;
  /** Appended to the parent's expression: `.given`, `.value.ofType(Quantity)`. */
  readonly segment: string;
  readonly isArray: boolean;
  readonly primitive: boolean;
}

interface ChildIndex {
  readonly byName: Map<string, number>;
  readonly choices: number[];
  /** Matches already made, by JSON key: they depend on the children only. */
  readonly matches: Map<string, ChildMatch>;
  /** Per child: can it report an issue when absent (min > 0 itself or on a slice)? */
  readonly checkedWhenAbsent: boolean[];
}

const indexes = new WeakMap<ElementNode[], ChildIndex>();

function childIndex(children: ElementNode[]): ChildIndex {
  let index = indexes.get(children);
  if (!index) {
    const byName = new Map<string, number>();
    const choices: number[] = [];
    children.forEach((child, position) => {
      if (child.name.endsWith('[x]')) choices.push(position);
      else if (!byName.has(child.name)) byName.set(child.name, position);
    });
    index = { byName, choices, matches: new Map(), checkedWhenAbsent: children.map(reportsWhenAbsent) };
    indexes.set(children, index);
  }
  return index;
}

/** The walker reports an absent element only through min cardinality, its own or a (re)slice's. */
function reportsWhenAbsent(node: ElementNode): boolean {
  return (node.def.min ?? 0) > 0 || (node.def.slicing !== undefined && node.slices.some(sliceRequired));
}

function sliceRequired(slice: ElementNode): boolean {
  return (slice.def.min ?? 0) > 0 || slice.slices.some(sliceRequired);
}

/** Per child (by position): can it give an issue other than must-support when absent (see reportsWhenAbsent)? */
export function checkedWhenAbsent(children: ElementNode[]): readonly boolean[] {
  return childIndex(children).checkedWhenAbsent;
}

export type MatchResult = ChildMatch | { readonly problem: string } | undefined;

/** Finds the element a JSON property (`name`, `_name`, `valueQuantity`) belongs to. */
export function matchChild(children: ElementNode[], key: string, context: ConformanceContext): MatchResult {
  const index = childIndex(children);
  const known = index.matches.get(key);
  if (known) return known;
  const found = findChild(children, index, key.startsWith('_') ? key.slice(1) : key, context);
  if (found && !('problem' in found)) index.matches.set(key, found);
  return found;
}

function findChild(children: ElementNode[], index: ChildIndex, name: string, context: ConformanceContext): MatchResult {
  const direct = index.byName.get(name);
  if (direct !== undefined) {
    const node = children[direct] as ElementNode;
    const type = node.def.type?.[0];
    return newMatch(node, direct, type ? typeCodeOf(type) : 'BackboneElement', name, name, false);
  }
  for (const position of index.choices) {
    const choice = children[position] as ElementNode;
    const prefix = choice.name.slice(0, -3);
    if (!name.startsWith(prefix) || name.length === prefix.length) continue;
    const suffix = name.slice(prefix.length);
    const type = (choice.def.type ?? []).find((t) => capitalize(typeCodeOf(t)) === suffix);
    if (type) return newMatch(choice, position, typeCodeOf(type), prefix, name, true);
    if (isKnownTypeName(suffix, context)) {
      const allowed = (choice.def.type ?? []).map((t) => typeCodeOf(t)).join(', ');
      return { problem: `The type '${suffix}' is not allowed for ${choice.def.path} (allowed: ${allowed})` };
    }
  }
  return undefined;
}

function newMatch(node: ElementNode, position: number, typeCode: string, name: string, valueKey: string, choice: boolean): ChildMatch {
  const segment = choice ? `.${name}.ofType(${typeCode})` : `.${valueKey}`;
  return { node, position, typeCode, name, choice, valueKey, extKey: `_${valueKey}`, segment, isArray: isArrayElement(node.def), primitive: isPrimitiveType(typeCode) };
}

function isKnownTypeName(suffix: string, context: ConformanceContext): boolean {
  const lower = suffix.charAt(0).toLowerCase() + suffix.slice(1);
  return context.typeDefinition(suffix) !== undefined || context.typeDefinition(lower) !== undefined;
}
