/**
 * The assessment stage (the pre-migration profile): records in, report out. Pure — the CLI reads
 * the source and the map set and passes them in.
 */
export { assessSource } from './assess.ts';
export { codeSetsFromMaps, conceptMapCodes, translatedColumns } from './map-codes.ts';
export { patientFieldsFromDecisions } from './duplicates.ts';
export { jaroWinkler, normaliseName } from './jaro-winkler.ts';
export { DistinctCounter } from './distinct.ts';
export { valueShape } from './patterns.ts';
export { undecidedSeen } from './decision-register.ts';
export { renderAssessmentHtml } from './html/render.ts';
export type * from './report.ts';
export type * from './types.ts';
