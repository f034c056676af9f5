import { failAt } from './location.ts';
import type { RuleSite } from './location.ts';
import type { TransformOptions } from './options.ts';
import type { TypeModel } from './type-model.ts';

/** A group together with the map that declares it (imports, aliases and contained maps are per map). */
export interface ResolvedGroup {
  readonly map: fhir4.StructureMap;
  readonly group: fhir4.StructureMapGroup;
}

type GroupMatcher = (map: fhir4.StructureMap, group: fhir4.StructureMapGroup) => boolean;

const ABSOLUTE_URL = /^[a-z][a-z0-9+.-]*:/i;

/**
 * Finds groups by name (dependent rules, `extends`) and by types (type-mode groups), first in the
 * map itself and then in its imports (which may use `*` wildcards). Results are cached per map.
 */
export class GroupResolver {
  private readonly options: TransformOptions;
  private readonly types: TypeModel;
  private readonly cache = new WeakMap<fhir4.StructureMap, Map<string, ResolvedGroup | undefined>>();

  constructor(options: TransformOptions) {
    this.options = options;
    this.types = options.typeModel;
  }

  private cached(map: fhir4.StructureMap, key: string, find: () => ResolvedGroup | undefined): ResolvedGroup | undefined {
    let perMap = this.cache.get(map);
    if (!perMap) {
      perMap = new Map();
      this.cache.set(map, perMap);
    }
    if (perMap.has(key)) return perMap.get(key);
    const found = find();
    perMap.set(key, found);
    return found;
  }

  byName(map: fhir4.StructureMap, name: string, site: RuleSite): ResolvedGroup {
    const found = this.cached(map, `name|${name}`, () => this.search(map, site, (_m, g) => g.name === name, `group "${name}"`));
    if (!found) failAt(site, 'FHIRMIG_ERR_MAP_GROUP_NOT_FOUND', `No group named "${name}" in map ${map.url ?? map.name} or its imports.`);
    return found;
  }

  /** A `<<types>>`/`<<type+>>` group whose source and target input types match. */
  byTypes(map: fhir4.StructureMap, srcType: string, tgtType: string, site: RuleSite): ResolvedGroup | undefined {
    return this.cached(map, `types|${srcType}|${tgtType}`, () =>
      this.search(
        map,
        site,
        (m, g) => this.isTypeGroup(g, false) && this.matchesType(m, srcType, g.input[0]?.type) && this.matchesType(m, tgtType, g.input[1]?.type),
        `type-mode group for ${srcType} -> ${tgtType}`,
      ),
    );
  }

  /** The target type of the `<<type+>>` group declared for a source type (HAPI determineTypeFromSourceType). */
  defaultTargetType(map: fhir4.StructureMap, srcType: string, site: RuleSite): string | undefined {
    const found = this.cached(map, `default|${srcType}`, () =>
      this.search(map, site, (m, g) => this.isTypeGroup(g, true) && this.matchesType(m, srcType, g.input[0]?.type), `default group for ${srcType}`),
    );
    const stated = found?.group.input[1]?.type;
    return found && stated ? this.resolveTypeName(found.map, stated) : undefined;
  }

  private isTypeGroup(group: fhir4.StructureMapGroup, typeAndTypesOnly: boolean): boolean {
    const mode = group.typeMode;
    if (mode === undefined || mode === 'none') return false;
    if (typeAndTypesOnly && mode !== 'type-and-types') return false;
    const [src, tgt] = group.input;
    return group.input.length === 2 && src?.mode === 'source' && tgt?.mode === 'target' && !!src.type && !!tgt.type;
  }

  private search(map: fhir4.StructureMap, site: RuleSite, matches: GroupMatcher, what: string): ResolvedGroup | undefined {
    const local = (map.group ?? []).filter((g) => matches(map, g));
    if (local.length > 1) failAt(site, 'FHIRMIG_ERR_MAP_INVALID', `Several groups match ${what} in map ${map.url ?? map.name}.`);
    if (local[0]) return { map, group: local[0] };
    let found: ResolvedGroup | undefined;
    for (const imported of this.importedMaps(map, site)) {
      for (const g of imported.group ?? []) {
        if (!matches(imported, g)) continue;
        if (found) failAt(site, 'FHIRMIG_ERR_MAP_INVALID', `Several imported groups match ${what}: ${found.map.url}#${found.group.name} and ${imported.url}#${g.name}.`);
        found = { map: imported, group: g };
      }
    }
    return found;
  }

  importedMaps(map: fhir4.StructureMap, site: RuleSite): fhir4.StructureMap[] {
    const result: fhir4.StructureMap[] = [];
    for (const url of map.import ?? []) {
      const maps = url.includes('*') ? this.wildcardMaps(url) : [this.options.resolveMap?.(url)].filter((m) => m !== undefined);
      if (maps.length === 0) failAt(site, 'FHIRMIG_ERR_MAP_NOT_FOUND', `Imported map ${url} cannot be resolved.`);
      for (const m of maps) if (m.url !== map.url && !result.includes(m)) result.push(m);
    }
    return result;
  }

  private wildcardMaps(mask: string): fhir4.StructureMap[] {
    const star = mask.indexOf('*');
    const prefix = mask.slice(0, star);
    const suffix = mask.slice(star + 1);
    const all = this.options.listMaps?.() ?? [];
    return all.filter((m) => !!m.url && m.url.length >= mask.length && m.url.startsWith(prefix) && m.url.endsWith(suffix));
  }

  /** Resolves a stated type (alias from `uses`, URL or name) to the type model's name for it. */
  resolveTypeName(map: fhir4.StructureMap, stated: string): string {
    const alias = map.structure?.find((s) => s.alias === stated);
    const ref = alias ? alias.url : stated;
    return this.types.getType(ref)?.name ?? (ABSOLUTE_URL.test(ref) ? ref : stated);
  }

  private matchesType(map: fhir4.StructureMap, actual: string, stated: string | undefined): boolean {
    if (stated === undefined) return false;
    const a = this.resolveTypeName(map, actual);
    const s = this.resolveTypeName(map, stated);
    return a === s;
  }
}
