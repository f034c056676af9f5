import { MigrateError } from '../../core/index.ts';
import { isEquivalence, relationshipToEquivalence } from './equivalence.ts';
import type { Equivalence } from './equivalence.ts';

/** R5 `group.unmapped.relationship` carried in an R4 map (cross-version extension). */
export const UNMAPPED_RELATIONSHIP_EXTENSION =
  'http://hl7.org/fhir/5.0/StructureDefinition/extension-ConceptMap.group.unmapped.relationship';

export type UnmappedMode = 'provided' | 'fixed' | 'other-map';

export interface IndexedTarget {
  readonly element: fhir4.ConceptMapGroupElement;
  readonly target: fhir4.ConceptMapGroupElementTarget;
}

export interface IndexedUnmapped {
  readonly mode: UnmappedMode;
  readonly code?: string;
  readonly display?: string;
  readonly url?: string;
  /** The equivalence reported for a `provided`/`fixed` match (R4 defines none; see defaultUnmappedEquivalence). */
  readonly equivalence: Equivalence;
}

export interface IndexedGroup {
  readonly position: number;
  readonly source: string | undefined;
  readonly sourceVersion: string | undefined;
  readonly target: string | undefined;
  readonly targetVersion: string | undefined;
  readonly unmapped: IndexedUnmapped | undefined;
  /** element.code → elements (a code may appear in several elements of one group). */
  readonly elementsByCode: ReadonlyMap<string, readonly fhir4.ConceptMapGroupElement[]>;
  /** target.code → (element, target) pairs, for reverse translation. */
  readonly targetsByCode: ReadonlyMap<string, readonly IndexedTarget[]>;
}

const cache = new WeakMap<object, ConceptMapIndex>();

/**
 * A ConceptMap checked once and indexed for O(1) code lookups in both directions. Built lazily per
 * map object and cached: a map must not be mutated after its first translation.
 */
export class ConceptMapIndex {
  readonly map: fhir4.ConceptMap;
  readonly url: string | undefined;
  readonly sourceValueSet: string | undefined;
  readonly targetValueSet: string | undefined;
  readonly groups: readonly IndexedGroup[];

  constructor(map: unknown) {
    this.map = checkConceptMap(map);
    this.url = this.map.url;
    this.sourceValueSet = this.map.sourceUri ?? this.map.sourceCanonical;
    this.targetValueSet = this.map.targetUri ?? this.map.targetCanonical;
    this.groups = (this.map.group ?? []).map((group, position) => indexGroup(this.map, group, position));
  }

  /** The cached index of a map, built on first use. */
  static of(map: fhir4.ConceptMap): ConceptMapIndex {
    let index = cache.get(map);
    if (!index) {
      index = new ConceptMapIndex(map);
      cache.set(map, index);
    }
    return index;
  }

  /** How the map is named in messages: its url, else its id, else "(ConceptMap without url)". */
  get label(): string {
    return this.url ?? (this.map.id ? `ConceptMap/${this.map.id}` : '(ConceptMap without url)');
  }
}

function invalid(map: Partial<fhir4.ConceptMap> | undefined, message: string, expression?: string): MigrateError {
  const name = map?.url ?? (map?.id ? `ConceptMap/${map.id}` : 'ConceptMap');
  return new MigrateError('FHIRMIG_ERR_CONCEPTMAP_INVALID', `${name}: ${message}`, expression ? { location: { expression } } : {});
}

function checkConceptMap(value: unknown): fhir4.ConceptMap {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw invalid(undefined, 'not a JSON object.');
  const map = value as fhir4.ConceptMap;
  if (map.resourceType !== 'ConceptMap') {
    throw invalid(undefined, `expected resourceType "ConceptMap", got ${JSON.stringify(map.resourceType)}.`, 'resourceType');
  }
  if (!Array.isArray(map.group) || map.group.length === 0) {
    throw invalid(map, 'has no group, so it maps nothing (ConceptMap.group is required for $translate).', 'ConceptMap.group');
  }
  return map;
}

function indexGroup(map: fhir4.ConceptMap, group: fhir4.ConceptMapGroup, position: number): IndexedGroup {
  const path = `ConceptMap.group[${position}]`;
  if (typeof group !== 'object' || group === null) throw invalid(map, 'a group is not an object.', path);
  const elementsByCode = new Map<string, fhir4.ConceptMapGroupElement[]>();
  const targetsByCode = new Map<string, IndexedTarget[]>();
  (group.element ?? []).forEach((element, e) => {
    const elementPath = `${path}.element[${e}]`;
    (element.target ?? []).forEach((target, t) => {
      checkTarget(map, target, `${elementPath}.target[${t}]`);
      if (target.code !== undefined) pushTo(targetsByCode, target.code, { element, target });
    });
    // R4 allows an element without code (a note about the group); it maps nothing, as in HAPI.
    if (element.code !== undefined) pushTo(elementsByCode, element.code, element);
  });
  return {
    position,
    source: group.source,
    sourceVersion: group.sourceVersion,
    target: group.target,
    targetVersion: group.targetVersion,
    unmapped: group.unmapped ? indexUnmapped(map, group.unmapped, `${path}.unmapped`) : undefined,
    elementsByCode,
    targetsByCode,
  };
}

function checkTarget(map: fhir4.ConceptMap, target: fhir4.ConceptMapGroupElementTarget, path: string): void {
  if (!isEquivalence(target.equivalence)) {
    const got = target.equivalence === undefined ? 'none' : JSON.stringify(target.equivalence);
    throw invalid(map, `target equivalence is required and must be an R4 ConceptMapEquivalence code, got ${got}.`, `${path}.equivalence`);
  }
  for (const [i, dependsOn] of (target.dependsOn ?? []).entries()) {
    if (typeof dependsOn.property !== 'string' || typeof dependsOn.value !== 'string') {
      throw invalid(map, 'dependsOn needs property and value.', `${path}.dependsOn[${i}]`);
    }
  }
  for (const [i, product] of (target.product ?? []).entries()) {
    if (typeof product.property !== 'string' || typeof product.value !== 'string') {
      throw invalid(map, 'product needs property and value.', `${path}.product[${i}]`);
    }
  }
}

function indexUnmapped(map: fhir4.ConceptMap, unmapped: fhir4.ConceptMapGroupUnmapped, path: string): IndexedUnmapped {
  const mode = unmapped.mode as string;
  switch (mode) {
    case 'provided':
    case 'fixed':
    case 'other-map':
      break;
    default:
      throw invalid(map, `unmapped mode must be provided, fixed or other-map, got ${JSON.stringify(mode)}.`, `${path}.mode`);
  }
  if (mode === 'fixed' && !unmapped.code) throw invalid(map, 'unmapped mode "fixed" needs a code (cmd-2).', `${path}.code`);
  if (mode === 'other-map' && !unmapped.url) throw invalid(map, 'unmapped mode "other-map" needs a url (cmd-3).', `${path}.url`);
  return {
    mode,
    code: unmapped.code,
    display: unmapped.display,
    url: unmapped.url,
    equivalence: unmappedEquivalence(map, unmapped, mode, path),
  };
}

/**
 * R4 gives an unmapped rule no equivalence. We report `equivalent` for `provided` (the code is taken
 * over unchanged) and `relatedto` for `fixed` (a catch-all code whose exact relationship is unknown),
 * unless the map states one with the R5 cross-version extension.
 */
function unmappedEquivalence(map: fhir4.ConceptMap, unmapped: fhir4.ConceptMapGroupUnmapped, mode: UnmappedMode, path: string): Equivalence {
  const extension = unmapped.extension?.find((e) => e.url === UNMAPPED_RELATIONSHIP_EXTENSION);
  if (extension) {
    const stated = relationshipToEquivalence(extension.valueCode ?? '');
    if (!stated) throw invalid(map, `unknown unmapped relationship ${JSON.stringify(extension.valueCode)}.`, `${path}.extension`);
    return stated;
  }
  return mode === 'provided' ? 'equivalent' : 'relatedto';
}

function pushTo<T>(map: Map<string, T[]>, key: string, value: T): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}
