/** Moved to src/runtime (shared with the service); kept so in-flight callers keep working. */
export {
  loadR4StructureDefinitions, r4DefinitionsLoadMillis, loadStructureDefinitions, loadConceptMaps, loadMapFile, loadSiblingMaps, buildMappingContext,
} from '../runtime/index.ts';
export type { MappingContext, MappingContextOptions } from '../runtime/index.ts';
