import { MigrateError } from '../core/index.ts';
import { StructureMapEngine, parseFml, sortByDefinition, translateCode } from '../mapping/index.ts';
import type { ConceptMapSelector, TranslateRequest, TranslateResult } from '../mapping/index.ts';
import { validateResource } from '../validation/index.ts';
import type { ServiceContext } from './service-context.ts';

/** The map a `$transform` runs: a canonical url of a loaded map, an inline StructureMap, or FML text. */
export type MapSource =
  | { readonly kind: 'url'; readonly url: string }
  | { readonly kind: 'structureMap'; readonly map: fhir4.StructureMap }
  | { readonly kind: 'fml'; readonly text: string };

export interface ValidateCall {
  readonly resource: unknown;
  readonly profiles: readonly string[];
}

export interface TranslateCall {
  readonly selector: ConceptMapSelector;
  readonly request: TranslateRequest;
}

export interface TransformCall {
  readonly map: MapSource;
  readonly content: unknown;
}

export interface ReadinessCheck {
  readonly name: string;
  readonly ok: boolean;
  readonly detail: string;
}

/** The FHIR operations over a loaded context: each takes parsed input and returns data (no HTTP here). */
export interface FhirOperations {
  validate(call: ValidateCall): fhir4.OperationOutcome;
  translate(call: TranslateCall): TranslateResult;
  transform(call: TransformCall): unknown;
  readiness(): ReadinessCheck[];
}

function lookup<T>(index: ReadonlyMap<string, T>, canonical: string): T | undefined {
  return index.get(canonical) ?? index.get(canonical.split('|')[0] ?? canonical);
}

export function createFhirOperations(context: ServiceContext): FhirOperations {
  const resolveConceptMap = (url: string) => lookup(context.conceptMaps, url);
  const resolveMap = (url: string) => lookup(context.structureMaps, url);
  const allMaps = [...new Set(context.structureMaps.values())];
  const engine = new StructureMapEngine({ typeModel: context.typeModel, resolveMap, listMaps: () => allMaps, resolveConceptMap });

  return {
    validate: (call) => validateResource(context.conformance, call.resource, { profiles: call.profiles }),
    translate: (call) => translateCode(selectConceptMap(context, call.selector), call.request, resolveConceptMap),
    transform(call) {
      const result = engine.transform(selectStructureMap(context, call.map), call.content);
      return sortByDefinition(result, undefined, context.typeModel);
    },
    readiness: () => [
      { name: 'conformance', ok: context.counts.conformanceResources > 0, detail: `${context.counts.conformanceResources} conformance resources` },
      {
        name: 'maps',
        ok: context.mapErrors.length === 0,
        detail: context.mapErrors.length === 0
          ? `${context.counts.structureMaps} StructureMaps, ${context.counts.conceptMaps} ConceptMaps, ${context.counts.logicalModels} logical models`
          : `${context.mapErrors.length} map file(s) failed to load: ${context.mapErrors.map((e) => `${e.file} (${e.error.code})`).join(', ')}`,
      },
    ],
  };
}

/** R4 ConceptMap $translate: an inline `conceptMap` wins, else `url` (with `conceptMapVersion`) among the loaded maps. */
function selectConceptMap(context: ServiceContext, selector: ConceptMapSelector): fhir4.ConceptMap {
  if (selector.conceptMap) return selector.conceptMap;
  if (!selector.url) {
    throw new MigrateError('FHIRMIG_ERR_CONCEPTMAP_INVALID', '$translate needs the ConceptMap: give "url" (a loaded map) or an inline "conceptMap".');
  }
  const canonical = selector.conceptMapVersion ? `${selector.url}|${selector.conceptMapVersion}` : selector.url;
  const map = selector.conceptMapVersion ? context.conceptMaps.get(canonical) : lookup(context.conceptMaps, canonical);
  if (!map) throw new MigrateError('FHIRMIG_ERR_CONCEPTMAP_NOT_FOUND', `No ConceptMap ${canonical} is loaded (see conceptMapDirs).`);
  return map;
}

function selectStructureMap(context: ServiceContext, source: MapSource): fhir4.StructureMap {
  switch (source.kind) {
    case 'structureMap':
      return source.map;
    case 'fml':
      return parseFml(source.text, { file: 'request' });
    case 'url': {
      const map = lookup(context.structureMaps, source.url);
      if (!map) throw new MigrateError('FHIRMIG_ERR_MAP_NOT_FOUND', `No StructureMap ${source.url} is loaded (see mapsDir).`);
      return map;
    }
    default:
      throw new MigrateError('FHIRMIG_ERR_CORE_INTERNAL', `Unknown map source ${String((source as { kind: unknown }).kind)}.`);
  }
}
