import type { ConformanceContext } from './context.ts';

/** One element of a snapshot, with its direct children and its slices. */
export interface ElementNode {
  readonly def: fhir4.ElementDefinition;
  /** Last path segment, e.g. `value[x]` or `given`. */
  readonly name: string;
  readonly children: ElementNode[];
  readonly slices: ElementNode[];
  /** The StructureDefinition this node comes from. */
  readonly sd: fhir4.StructureDefinition;
}

export interface ElementTree {
  readonly root: ElementNode;
  /** Non-slice nodes by path, for contentReference. */
  readonly byPath: Map<string, ElementNode>;
}

const trees = new WeakMap<fhir4.StructureDefinition, ElementTree>();

/** The element tree of a snapshot, built once per StructureDefinition. */
export function elementTree(sd: fhir4.StructureDefinition): ElementTree {
  let tree = trees.get(sd);
  if (!tree) {
    tree = buildTree(sd);
    trees.set(sd, tree);
  }
  return tree;
}

function buildTree(sd: fhir4.StructureDefinition): ElementTree {
  const elements = sd.snapshot?.element ?? [];
  const first = elements[0];
  if (!first) throw new Error(`StructureDefinition ${sd.url} has an empty snapshot`);
  const root = makeNode(first, sd);
  const byPath = new Map<string, ElementNode>([[first.path, root]]);
  // stack[i] is the current node at depth i+1 (path segments)
  const stack: ElementNode[] = [root];
  for (const def of elements.slice(1)) {
    const depth = def.path.split('.').length;
    stack.length = depth - 1;
    const parent = stack[depth - 2];
    if (!parent) continue;
    const node = makeNode(def, sd);
    if (def.sliceName) attachSlice(parent, node);
    else {
      parent.children.push(node);
      if (!byPath.has(def.path)) byPath.set(def.path, node);
    }
    stack[depth - 1] = node;
  }
  return { root, byPath };
}

function attachSlice(parent: ElementNode, slice: ElementNode): void {
  const base = findLast(parent.children, (c) => c.name === slice.name) ?? findChoiceBase(parent, slice.name);
  if (!base) {
    parent.children.push(slice);
    return;
  }
  const sliceName = slice.def.sliceName ?? '';
  const slash = sliceName.lastIndexOf('/');
  if (slash > 0) {
    const owner = findSlice(base, sliceName.slice(0, slash));
    if (owner) {
      owner.slices.push(slice);
      return;
    }
  }
  base.slices.push(slice);
}

function findSlice(base: ElementNode, sliceName: string): ElementNode | undefined {
  for (const s of base.slices) {
    if (s.def.sliceName === sliceName) return s;
    const inner = findSlice(s, sliceName);
    if (inner) return inner;
  }
  return undefined;
}

/** A slice written `valueQuantity` of `value[x]` (older profile style). */
function findChoiceBase(parent: ElementNode, name: string): ElementNode | undefined {
  return parent.children.find((c) => c.name.endsWith('[x]') && name.startsWith(c.name.slice(0, -3)));
}

function findLast<T>(list: T[], test: (t: T) => boolean): T | undefined {
  for (let i = list.length - 1; i >= 0; i--) {
    const item = list[i] as T;
    if (test(item)) return item;
  }
  return undefined;
}

function makeNode(def: fhir4.ElementDefinition, sd: fhir4.StructureDefinition): ElementNode {
  const name = def.path.slice(def.path.lastIndexOf('.') + 1);
  return { def, name, children: [], slices: [], sd };
}

/** The type code of an element type, mapping the FHIRPath system types of `id`/`url`/`value` elements. */
export function typeCodeOf(type: fhir4.ElementDefinitionType): string {
  const code = type.code;
  if (!code.startsWith('http://hl7.org/fhirpath/System.')) return code;
  const fhirType = type.extension?.find((e) => e.url === 'http://hl7.org/fhir/StructureDefinition/structuredefinition-fhir-type');
  if (fhirType?.valueUrl) return fhirType.valueUrl;
  if (fhirType?.valueUri) return fhirType.valueUri;
  return `System.${code.slice('http://hl7.org/fhirpath/System.'.length)}`;
}

/** Whether JSON carries this element as an array (decided by the base definition, not the profile). */
export function isArrayElement(def: fhir4.ElementDefinition): boolean {
  const max = def.base?.max ?? def.max ?? '1';
  return max === '*' || Number(max) > 1;
}

/**
 * The children a value of this node has: those listed in the snapshot under the node, otherwise
 * those of its type (or of the element a contentReference points to).
 */
export function childrenOf(node: ElementNode, typeCode: string, context: ConformanceContext): ElementNode[] {
  if (node.children.length > 0) return node.children;
  const ref = node.def.contentReference;
  if (ref) {
    const target = resolveContentReference(node, ref, context);
    if (target) return target.children;
  }
  const typeSd = context.typeDefinition(typeCode);
  return typeSd ? elementTree(typeSd).root.children : [];
}

function resolveContentReference(node: ElementNode, ref: string, context: ConformanceContext): ElementNode | undefined {
  const path = ref.slice(ref.indexOf('#') + 1);
  const own = elementTree(node.sd).byPath.get(path);
  if (own) return own;
  const baseType = path.split('.')[0] ?? '';
  const baseSd = context.typeDefinition(baseType);
  return baseSd ? elementTree(baseSd).byPath.get(path) : undefined;
}

const extensionChildren = new WeakMap<fhir4.StructureDefinition, ElementNode[]>();

/** The children of a primitive type's `_name` companion object: all but `value` (`id`, `extension`). */
export function primitiveExtensionChildren(context: ConformanceContext, typeCode: string): ElementNode[] {
  const sd = context.typeDefinition(typeCode);
  if (!sd) return [];
  let children = extensionChildren.get(sd);
  if (!children) {
    children = elementTree(sd).root.children.filter((c) => c.name !== 'value');
    extensionChildren.set(sd, children);
  }
  return children;
}
