/**
 * The runtime edge shared by the composition root (app.ts) and the CLI: reads the configured
 * folders (R4 core, profiles, IG packages, maps, ConceptMaps) once and exposes the FHIR operations
 * over them. Allowed to read files; the engines below stay pure.
 */
export { loadServiceContext } from './service-context.ts';
export type { ServiceContext, ServiceContextOptions } from './service-context.ts';
export { createFhirOperations } from './fhir-operations.ts';
export type { FhirOperations, MapSource, ReadinessCheck, TransformCall, TranslateCall, ValidateCall } from './fhir-operations.ts';
export { readPackageVersion } from './package-info.ts';
export { readNdjsonLines, splitNdjsonLines, looksLikeNdjson, NDJSON_MAX_LINE_BYTES } from './ndjson-lines.ts';
export type { NdjsonLine } from './ndjson-lines.ts';
export { readTextFile, parseJsonText, readJsonFile, readJsonFolder, resourcesIn, ofType } from './files.ts';
export { loadConformanceContext, loadPath, loadPackage, R4_CORE_FILES } from './conformance-loader.ts';
export type { ConformanceSources } from './conformance-loader.ts';
export {
  loadR4StructureDefinitions, r4DefinitionsLoadMillis, loadStructureDefinitions, loadConceptMaps, loadMapFile, loadSiblingMaps, buildMappingContext,
} from './mapping-context.ts';
export type { MappingContext, MappingContextOptions } from './mapping-context.ts';
export {
  loadMapSet, defaultMapsDir, buildValidator, targetProfileFor, openTarget, openStore, serviceDevice, DEFAULT_STORE,
} from './migration-env.ts';
export type { LoadMapSetOptions } from './migration-env.ts';
export { TABLE_DECISIONS } from './map-set-rules.ts';
export { DEFAULT_RECORD_THREADS, RecordWorker } from './record-worker.ts';
export type { RecordWorkerOptions } from './record-worker.ts';
export { MigrationService } from './migration-service.ts';
export type { MigrationPage, MigrationReport, MigrationServiceOptions, UnmappedCodeCount } from './migration-service.ts';
export type { MigrationReadiness, MigrationStats } from './migration-stats.ts';
export { specFromRequest, allowedPath } from './migration-request.ts';
export type { MigrationEdge, RequestContext, ServiceJobSpec } from './migration-request.ts';
export { jobErrors, RECORDS_PER_CODE } from './migration-report.ts';
export type { MigrationErrorGroup, RejectedRecord } from './migration-report.ts';
export { loadIntake } from './intake-loader.ts';
export type { IntakeAuthOptions, IntakeOptions, LoadedIntake } from './intake-loader.ts';
