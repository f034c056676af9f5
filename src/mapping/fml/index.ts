export { parseFml } from './parse.ts';
export type { ParseFmlOptions } from './parse.ts';
export { renderFml } from './render.ts';
export { MAX_RULE_DEPTH } from './rule.ts';
export { MAX_FHIRPATH_DEPTH } from './fhirpath.ts';
