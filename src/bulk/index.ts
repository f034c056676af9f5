/**
 * src/bulk public API: FHIR Bulk Data Access IG v2.0.0 `$export` over what migrations wrote
 * (kick-off parsing, the export runner writing NDJSON, status/manifest, the migration Group).
 */
export { BulkExportService } from './export-service.ts';
export type { BulkExportOptions, ExportFileStream, ExportStatus } from './export-service.ts';
export type { ElementSelector, ExportLevel, ExportRequest, Handling, IgnoredParameter, KickOffInput, ParameterValue, TypeFilter } from './export-request.ts';
export { LATEST_PROVENANCE, NDJSON_FORMATS } from './export-request.ts';
export { parseKickOff, parsePrefer } from './parse-kick-off.ts';
export type { ExportManifest, ManifestFile } from './manifest.ts';
export { statusPath } from './manifest.ts';
export { SUBSETTED_TAG, createElementFilter } from './elements.ts';
export { compartmentPatients, patientCompartmentTypes } from './compartment.ts';
export { ensureFhirDefinitions } from './fhir-definitions.ts';
export { parametersFromQuery, parametersFromResource } from './kick-off-input.ts';
