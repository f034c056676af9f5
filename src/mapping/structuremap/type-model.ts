/**
 * The type knowledge the engine needs: which elements a type has, their types and cardinality,
 * and whether a type is a primitive, a datatype, a resource or a logical model. Built from
 * StructureDefinitions with snapshots (R4 core + logical models); each type is indexed lazily
 * on first use so building the model for ~650 definitions costs next to nothing.
 */

import { upperFirst } from './values.ts';

export type TypeKind = 'primitive-type' | 'complex-type' | 'resource' | 'logical' | 'backbone';

export interface ElementInfo {
  /** Element name as declared, e.g. `name` or `value[x]`. */
  readonly name: string;
  /** Type names (FHIR type codes, logical-model URLs or backbone paths like `Patient.contact`). */
  readonly types: readonly string[];
  readonly isArray: boolean;
  readonly isChoice: boolean;
  /** Position in the definition, for ordering output keys. */
  readonly order: number;
}

export interface TypeInfo {
  /** The name `fhirType()` reports: `Patient`, `HumanName`, `Patient.contact`, `TRight`. */
  readonly name: string;
  readonly url: string | undefined;
  readonly kind: TypeKind;
  /** Name to write into `resourceType` for resources and root logical-model instances. */
  readonly resourceTypeName: string | undefined;
  readonly elements: ReadonlyMap<string, ElementInfo>;
}

/** An element resolved against a concrete JSON property name (`valueQuantity` → `value[x]`). */
export interface ResolvedElement {
  readonly element: ElementInfo;
  /** The JSON key to read or write, when it is fixed by the name (`valueQuantity`) or not a choice. */
  readonly jsonName: string | undefined;
  /** The type fixed by a choice suffix (`Quantity` for `valueQuantity`). */
  readonly fixedType: string | undefined;
}

export interface TypeModel {
  /** Looks a type up by name, URL, id or (for logical models) path name. */
  getType(nameOrUrl: string): TypeInfo | undefined;
  /** Resolves an element of a type by its name, a choice base name or a choice-typed JSON name. */
  getElement(typeName: string, elementName: string): ResolvedElement | undefined;
  isPrimitive(typeName: string): boolean;
}

const FHIRPATH_SYSTEM = 'http://hl7.org/fhirpath/System.';
const FHIR_SD_PREFIX = 'http://hl7.org/fhir/StructureDefinition/';

interface PendingType {
  readonly sd: fhir4.StructureDefinition;
  readonly rootPath: string;
}

function typeCode(type: fhir4.ElementDefinitionType): string {
  const code = type.code;
  if (code.startsWith(FHIRPATH_SYSTEM)) {
    const fhirType = type.extension?.find((e) => e.url.endsWith('structuredefinition-fhir-type'))?.valueUrl;
    return fhirType ?? code.slice(FHIRPATH_SYSTEM.length).toLowerCase();
  }
  // Core types are sometimes given by URL (logical models): keep the plain type name.
  if (code.startsWith(FHIR_SD_PREFIX) && /^[A-Za-z][A-Za-z0-9]*$/.test(code.slice(FHIR_SD_PREFIX.length))) return code.slice(FHIR_SD_PREFIX.length);
  return code;
}

function kindOf(sd: fhir4.StructureDefinition): TypeKind {
  switch (sd.kind) {
    case 'primitive-type':
    case 'complex-type':
    case 'resource':
    case 'logical':
      return sd.kind;
    default:
      throw new Error(`StructureDefinition ${sd.url} has an unknown kind ${String(sd.kind)}`);
  }
}

function lastSegment(s: string): string {
  const i = s.lastIndexOf('/');
  return i >= 0 ? s.slice(i + 1) : s;
}

/** Builds element tables for one StructureDefinition: the root type plus one type per backbone path. */
function definitionElements(sd: fhir4.StructureDefinition): fhir4.ElementDefinition[] {
  return sd.snapshot?.element ?? sd.differential?.element ?? [];
}

/** The root element path; differential-only logical models may omit the root element itself. */
function rootPathOf(sd: fhir4.StructureDefinition): string | undefined {
  const first = definitionElements(sd)[0]?.path;
  return first === undefined ? undefined : (first.split('.')[0] ?? first);
}

function indexDefinition(sd: fhir4.StructureDefinition, typeName: string): TypeInfo[] {
  const elements = definitionElements(sd);
  const rootPath = rootPathOf(sd) ?? typeName;
  const tables = new Map<string, Map<string, ElementInfo>>([[rootPath, new Map()]]);
  const parents = new Set(elements.map((e) => e.path.slice(0, Math.max(0, e.path.lastIndexOf('.')))));
  let order = 0;
  for (const ed of elements) {
    if (ed.path === rootPath) continue;
    const dot = ed.path.lastIndexOf('.');
    const parentPath = ed.path.slice(0, dot);
    const name = ed.path.slice(dot + 1);
    if (ed.sliceName) continue;
    const table = tables.get(parentPath);
    if (!table) continue;
    const types = elementTypes(ed, parents.has(ed.path), rootPath, typeName);
    if (parents.has(ed.path) && !ed.contentReference) tables.set(ed.path, new Map());
    const isChoice = name.endsWith('[x]');
    const info: ElementInfo = { name, types, isArray: ed.max !== '1' && ed.max !== '0', isChoice, order: order++ };
    table.set(isChoice ? name.slice(0, -3) : name, info);
  }
  const kind = kindOf(sd);
  const result: TypeInfo[] = [];
  for (const [path, table] of tables) {
    const isRoot = path === rootPath;
    result.push({
      name: isRoot ? typeName : path.replace(rootPath, typeName),
      url: isRoot ? sd.url : undefined,
      kind: isRoot ? kind : 'backbone',
      resourceTypeName: isRoot && (kind === 'resource' || kind === 'logical') ? lastSegment(typeName) : undefined,
      elements: table,
    });
  }
  return result;
}

function elementTypes(ed: fhir4.ElementDefinition, hasChildren: boolean, rootPath: string, typeName: string): string[] {
  if (ed.contentReference) return [ed.contentReference.slice(ed.contentReference.indexOf('#') + 1).replace(rootPath, typeName)];
  if (hasChildren) return [ed.path.replace(rootPath, typeName)];
  return (ed.type ?? []).map(typeCode);
}

/** Creates the type model from StructureDefinitions (pure: data in). Later definitions do not replace earlier keys. */
export function createR4TypeModel(structureDefinitions: readonly fhir4.StructureDefinition[]): TypeModel {
  const pending = new Map<string, PendingType>();
  const indexed = new Map<string, TypeInfo | undefined>();
  const register = (key: string | undefined, entry: PendingType): void => {
    if (key && !pending.has(key)) pending.set(key, entry);
  };
  for (const sd of structureDefinitions) {
    const rootPath = rootPathOf(sd) ?? sd.type;
    const entry = { sd, rootPath };
    const isBase = sd.derivation !== 'constraint';
    register(sd.url, entry);
    if (isBase) register(sd.type, entry);
    if (isBase && sd.kind === 'logical') {
      register(sd.name, entry);
      register(sd.id, entry);
      register(rootPath, entry);
      register(lastSegment(sd.type), entry);
    }
    if (!isBase) register(sd.id, entry);
  }

  const load = (key: string): TypeInfo | undefined => {
    if (indexed.has(key)) return indexed.get(key);
    // A versioned canonical (`...|4.0.1`) names the same definition.
    const bar = key.indexOf('|');
    if (bar > 0) return load(key.slice(0, bar));
    const entry = pending.get(key) ?? pending.get(key.startsWith(FHIR_SD_PREFIX) ? key.slice(FHIR_SD_PREFIX.length) : key);
    let found: TypeInfo | undefined;
    if (entry) {
      const { sd } = entry;
      const typeName = sd.derivation === 'constraint' ? sd.type : sd.kind === 'logical' ? logicalName(sd) : sd.type;
      for (const info of indexDefinition(sd, typeName)) {
        if (!indexed.has(info.name)) indexed.set(info.name, info);
        if (info.url && !indexed.has(info.url)) indexed.set(info.url, info);
        if (info.url === undefined && info.name === key) found = info;
      }
      found = found ?? indexed.get(typeName);
    } else if (key.includes('.')) {
      const root = key.slice(0, key.indexOf('.'));
      if (root !== key && pending.has(root) && !indexed.has(root)) {
        load(root);
        return indexed.get(key);
      }
    }
    indexed.set(key, found);
    return found;
  };

  const elementCache = new Map<string, Map<string, ResolvedElement | undefined>>();
  const getElement = (typeName: string, elementName: string): ResolvedElement | undefined => {
    let perType = elementCache.get(typeName);
    if (!perType) elementCache.set(typeName, (perType = new Map()));
    if (perType.has(elementName)) return perType.get(elementName);
    const resolved = resolveElement(typeName, elementName);
    perType.set(elementName, resolved);
    return resolved;
  };

  const resolveElement = (typeName: string, elementName: string): ResolvedElement | undefined => {
    const type = load(typeName);
    if (!type) return undefined;
    const direct = type.elements.get(elementName);
    if (direct) return { element: direct, jsonName: direct.isChoice ? undefined : elementName, fixedType: undefined };
    for (const [base, element] of type.elements) {
      if (!element.isChoice || !elementName.startsWith(base)) continue;
      const suffix = elementName.slice(base.length);
      const fixedType = element.types.find((t) => upperFirst(t) === suffix);
      if (fixedType) return { element, jsonName: elementName, fixedType };
    }
    return undefined;
  };

  return {
    getType: load,
    getElement,
    isPrimitive: (typeName) => load(typeName)?.kind === 'primitive-type',
  };
}

/** A logical model's instance type name: its `type`, or its root element path when `type` is a URL. */
function logicalName(sd: fhir4.StructureDefinition): string {
  if (!/^[a-z]+:/i.test(sd.type)) return sd.type;
  return rootPathOf(sd) ?? lastSegment(sd.type);
}

/** JSON key for a choice element holding a value of `type`: `value` + `Quantity`. */
export function choiceJsonName(base: string, type: string): string {
  return base + upperFirst(type);
}
