import { MigrateError, isMigrateError } from '../core/index.ts';
import { generateSnapshot } from './snapshot/index.ts';

export type ConformanceResource = fhir4.StructureDefinition | fhir4.ValueSet | fhir4.CodeSystem;

/** Generates a snapshot for a differential-only profile (the snapshot generator plugs in here). */
export type SnapshotGenerator = (
  profile: fhir4.StructureDefinition,
  resolve: (url: string) => fhir4.StructureDefinition | undefined,
) => fhir4.StructureDefinition;

export interface ConformanceContextOptions {
  /** Generates snapshots of differential-only profiles; default: the product's generator (`snapshot/`). */
  readonly snapshotGenerator?: SnapshotGenerator;
}

const defaultSnapshotGenerator: SnapshotGenerator = (profile, resolve) => generateSnapshot(profile, resolve);

const CORE_SD = 'http://hl7.org/fhir/StructureDefinition/';
const CONFORMANCE_TYPES = new Set(['StructureDefinition', 'ValueSet', 'CodeSystem']);

/**
 * The conformance resources validation resolves against: R4 core, IG packages, the product's
 * profiles and single resources handed in. Pure data: the caller reads files and adds resources.
 * Built once, then reused for every validation (it also holds the derived caches).
 */
export class ConformanceContext {
  private readonly byUrl = new Map<string, ConformanceResource[]>();
  private readonly snapshotGenerator: SnapshotGenerator;
  /** Caches owned by the validator modules (element trees, expansions), keyed by module. */
  readonly caches = new Map<string, Map<string, unknown>>();
  private types: Map<string, fhir4.StructureDefinition | null> | undefined;

  constructor(options: ConformanceContextOptions = {}) {
    this.snapshotGenerator = options.snapshotGenerator ?? defaultSnapshotGenerator;
  }

  /** A copy sharing the loaded resources, to which more can be added without touching this one. */
  fork(): ConformanceContext {
    const copy = new ConformanceContext({ snapshotGenerator: this.snapshotGenerator });
    for (const [url, list] of this.byUrl) copy.byUrl.set(url, [...list]);
    return copy;
  }

  /** Adds a StructureDefinition, ValueSet or CodeSystem, or every such entry of a Bundle. Returns how many were added. */
  add(resource: unknown): number {
    if (!isObject(resource)) return 0;
    if (resource['resourceType'] === 'Bundle' && Array.isArray(resource['entry'])) {
      let count = 0;
      for (const entry of resource['entry'] as unknown[]) if (isObject(entry)) count += this.add(entry['resource']);
      return count;
    }
    if (!CONFORMANCE_TYPES.has(String(resource['resourceType'])) || typeof resource['url'] !== 'string') return 0;
    const typed = resource as unknown as ConformanceResource;
    const url = typed.url as string;
    const list = this.byUrl.get(url) ?? [];
    const same = list.findIndex((r) => r.resourceType === typed.resourceType && r.version === typed.version);
    if (same >= 0) list.splice(same, 1);
    list.push(typed);
    this.byUrl.set(url, list);
    this.caches.clear();
    this.types = undefined;
    return 1;
  }

  addAll(resources: Iterable<unknown>): number {
    let count = 0;
    for (const r of resources) count += this.add(r);
    return count;
  }

  /** Resolves `url` or `url|version`; without a version the highest version wins. */
  resolve<T extends ConformanceResource['resourceType']>(
    canonical: string,
    resourceType: T,
  ): Extract<ConformanceResource, { resourceType: T }> | undefined {
    const [url = '', version] = canonical.split('|');
    const candidates = (this.byUrl.get(url) ?? []).filter((r) => r.resourceType === resourceType);
    const chosen = version
      ? candidates.find((r) => r.version === version) ?? candidates.find((r) => r.version?.startsWith(version))
      : latest(candidates);
    return chosen as Extract<ConformanceResource, { resourceType: T }> | undefined;
  }

  /** A StructureDefinition with a snapshot (generated when only a differential is present). */
  structureDefinition(canonical: string): fhir4.StructureDefinition | undefined {
    const cache = this.cache<fhir4.StructureDefinition | null>('sd');
    const cached = cache.get(canonical);
    if (cached !== undefined) return cached ?? undefined;
    const sd = this.resolve(canonical, 'StructureDefinition');
    const ready = !sd || sd.snapshot?.element?.length ? sd : this.generateSnapshot(sd);
    cache.set(canonical, ready ?? null);
    return ready;
  }

  /** The definition of a FHIR type (`Patient`, `string`, `Quantity`) by its type code. */
  typeDefinition(typeCode: string): fhir4.StructureDefinition | undefined {
    // Looked up for nearly every element validated: the cache map is kept at hand (reset by add()).
    const cache = (this.types ??= this.cache<fhir4.StructureDefinition | null>('type'));
    const cached = cache.get(typeCode);
    if (cached !== undefined) return cached ?? undefined;
    const sd = this.structureDefinition(typeCode.includes('/') ? typeCode : CORE_SD + typeCode);
    cache.set(typeCode, sd ?? null);
    return sd;
  }

  valueSet(canonical: string): fhir4.ValueSet | undefined {
    return this.resolve(canonical, 'ValueSet');
  }

  codeSystem(canonical: string): fhir4.CodeSystem | undefined {
    return this.resolve(canonical, 'CodeSystem');
  }

  /** Every loaded resource of one type (latest version of each url). */
  all<T extends ConformanceResource['resourceType']>(resourceType: T): Extract<ConformanceResource, { resourceType: T }>[] {
    const result: ConformanceResource[] = [];
    for (const list of this.byUrl.values()) {
      const chosen = latest(list.filter((r) => r.resourceType === resourceType));
      if (chosen) result.push(chosen);
    }
    return result as Extract<ConformanceResource, { resourceType: T }>[];
  }

  cache<V>(name: string): Map<string, V> {
    let map = this.caches.get(name);
    if (!map) {
      map = new Map<string, unknown>();
      this.caches.set(name, map);
    }
    return map as Map<string, V>;
  }

  private generateSnapshot(sd: fhir4.StructureDefinition): fhir4.StructureDefinition {
    let generated: fhir4.StructureDefinition;
    try {
      generated = this.snapshotGenerator(sd, (url) => this.structureDefinition(url));
    } catch (error) {
      if (isMigrateError(error)) throw error;
      const reason = error instanceof Error ? error.message : String(error);
      throw new MigrateError('FHIRMIG_ERR_VALIDATION_PROFILE_NO_SNAPSHOT', `StructureDefinition ${sd.url} has no snapshot and none could be generated: ${reason}`, { cause: error });
    }
    const list = this.byUrl.get(sd.url) ?? [];
    const index = list.indexOf(sd);
    if (index >= 0) list[index] = generated;
    return generated;
  }
}

function latest(list: ConformanceResource[]): ConformanceResource | undefined {
  let best: ConformanceResource | undefined;
  for (const r of list) if (!best || compareVersions(r.version, best.version) >= 0) best = r;
  return best;
}

function compareVersions(a: string | undefined, b: string | undefined): number {
  const pa = (a ?? '').split('.');
  const pb = (b ?? '').split('.');
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const x = pa[i] ?? '';
    const y = pb[i] ?? '';
    const nx = Number(x);
    const ny = Number(y);
    const diff = Number.isNaN(nx) || Number.isNaN(ny) ? x.localeCompare(y) : nx - ny;
    if (diff !== 0) return diff;
  }
  return 0;
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
