/**
 * Pipeline intake (issue 6, DESIGN.md §1/§4): `POST /fhir` transaction and batch Bundles and
 * `POST /fhir/$convert` legacy messages, validated, code-translated, forwarded to the configured
 * target with a Provenance, audited. Sits beside jobs: it takes its validator, translator,
 * target, store and map sets as data; src/runtime builds them, app.ts wires them to the routes.
 */
export { createIntakeService, INTAKE_SOURCE } from './intake-service.ts';
export { createCodingTranslator } from './translate-codings.ts';
export type { CodingTranslator, ConvertInput, ConvertInputType, IntakeDeps, IntakeReply, IntakeService, IntakeValidator } from './types.ts';
