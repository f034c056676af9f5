/**
 * The StructureMap execution engine (R4 StructureMap + FHIR Mapping Language semantics, HAPI
 * StructureMapUtilities as reference). Pure: maps, models and concept maps come in as data or
 * resolver functions.
 */
export { StructureMapEngine, transformStructureMap } from './engine.ts';
export { createR4TypeModel } from './type-model.ts';
export { sortByDefinition } from './output-order.ts';
export type { ElementInfo, ResolvedElement, TypeInfo, TypeKind, TypeModel } from './type-model.ts';
export { DEFAULT_LIMITS } from './options.ts';
export type { TransformLimits, TransformOptions, UnmappedCodeInfo } from './options.ts';
export { projectStructureMap } from './projection.ts';
