/**
 * The mapping stage's public API for the layers above (cli, api, jobs): the FHIR Mapping Language
 * compiler, the StructureMap engine and ConceptMap translation. All pure: data and resolvers in.
 */
export * from './conceptmap/index.ts';
export * from './fml/index.ts';
export * from './structuremap/index.ts';
