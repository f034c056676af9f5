/**
 * What the generator knows about the world: a resolver for canonical URLs, the snapshots of
 * referenced structures (generated on demand), and the few facts about FHIR types it needs.
 */
import { snapshotError } from './errors.ts';

type SD = fhir4.StructureDefinition;

const CORE_PREFIX = 'http://hl7.org/fhir/StructureDefinition/';
const FHIR_TYPE_EXTENSION = 'http://hl7.org/fhir/StructureDefinition/structuredefinition-fhir-type';

export type Resolver = (canonicalUrl: string) => SD | undefined;
export type SnapshotMaker = (profile: SD, ctx: SnapshotContext) => SD;

export class SnapshotContext {
  readonly specUrl: string;
  private readonly resolver: Resolver;
  private readonly makeSnapshot: SnapshotMaker;
  private readonly withSnapshot: Map<string, SD>;
  private readonly generating = new Set<string>();

  constructor(resolver: Resolver, makeSnapshot: SnapshotMaker, specUrl: string, cache: Map<string, SD> = new Map()) {
    this.withSnapshot = cache;
    this.resolver = resolver;
    this.makeSnapshot = makeSnapshot;
    this.specUrl = specUrl;
  }

  /** The structure at `url` (a `|version` suffix is tried as given, then without). */
  fetch(url: string): SD | undefined {
    const found = this.resolver(url);
    if (found || !url.includes('|')) return found;
    return this.resolver(url.slice(0, url.indexOf('|')));
  }

  /** The structure at `url` with a snapshot, generating (and remembering) it if needed. */
  fetchWithSnapshot(url: string): SD | undefined {
    const sd = this.fetch(url);
    if (!sd) return undefined;
    return this.ensureSnapshot(sd);
  }

  ensureSnapshot(sd: SD): SD {
    if (sd.snapshot?.element.length) return sd;
    const key = sd.url;
    const cached = this.withSnapshot.get(key);
    if (cached) return cached;
    if (this.generating.has(key)) {
      throw snapshotError(`circular snapshot dependency on ${key}`, sd.url);
    }
    this.generating.add(key);
    try {
      const made = this.makeSnapshot(sd, this);
      this.withSnapshot.set(key, made);
      return made;
    } finally {
      this.generating.delete(key);
    }
  }

  /** The URL of the structure that defines `sd`'s type (following constraints down to the specialization). */
  definingUrl(sd: SD): string {
    let current: SD | undefined = sd;
    for (let depth = 0; current && current.derivation === 'constraint' && current.baseDefinition && depth < 20; depth++) {
      current = this.fetch(current.baseDefinition);
    }
    return current?.url ?? sd.url;
  }

  /** The definition of a FHIR type by code (`Quantity`) or URL. */
  fetchTypeDefinition(code: string): SD | undefined {
    const url = code.includes(':') ? code : CORE_PREFIX + code;
    return this.fetchWithSnapshot(url);
  }

  isDataType(code: string): boolean {
    const sd = this.fetch(CORE_PREFIX + code);
    return sd?.kind === 'complex-type' && sd.derivation === 'specialization';
  }

  isConstrainedDataType(code: string): boolean {
    const sd = this.fetch(CORE_PREFIX + code);
    return sd?.kind === 'complex-type' && sd.derivation === 'constraint';
  }

  /** The base type of a constrained datatype (`SimpleQuantity` → `Quantity`). */
  baseType(code: string): string {
    return this.fetch(CORE_PREFIX + code)?.type ?? code;
  }

  isPrimitive(code: string): boolean {
    return this.fetch(CORE_PREFIX + code)?.kind === 'primitive-type';
  }
}

/** The type code a validator works with: `System.String` types carry their FHIR type in an extension. */
export function workingCode(type: fhir4.ElementDefinitionType): string {
  const fhirType = type.extension?.find((e) => e.url === FHIR_TYPE_EXTENSION)?.valueUrl;
  return fhirType ?? type.code;
}

export function uncapitalize(value: string): string {
  return value.charAt(0).toLowerCase() + value.slice(1);
}

export function capitalize(value: string): string {
  return value.charAt(0).toUpperCase() + value.slice(1);
}
