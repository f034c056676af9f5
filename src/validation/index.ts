export { ConformanceContext } from './context.ts';
export type { ConformanceContextOptions, ConformanceResource, SnapshotGenerator } from './context.ts';
export { validateResource, isValid } from './validator.ts';
export type { ValidateOptions, UnknownExtensionPolicy } from './walk.ts';
export { xmlToResource } from './xml/xml-to-json.ts';
