import { MigrateError } from '../../core/index.ts';
import type { ConceptMapIndex } from './conceptmap-index.ts';
import type { TranslateRequest } from './types.ts';

/** One concept to translate (a CodeableConcept gives several). */
export interface SourceConcept {
  readonly system?: string;
  readonly code: string;
  readonly version?: string;
  readonly display?: string;
}

function invalid(message: string, expression?: string): MigrateError {
  return new MigrateError('FHIRMIG_ERR_CONCEPTMAP_INVALID', `$translate request: ${message}`, expression ? { location: { expression } } : {});
}

/**
 * The concepts a request names. R4: "One (and only one) of the in parameters (code, coding,
 * codeableConcept) must be provided". Unlike the REST operation, a bare code without system is
 * accepted here: the StructureMap `translate` transform often has nothing but a legacy code.
 */
export function requestedConcepts(request: TranslateRequest): SourceConcept[] {
  if (typeof request !== 'object' || request === null) throw invalid('not an object.');
  const forms = Number(request.code !== undefined) + Number(request.coding !== undefined) + Number(request.codeableConcept !== undefined);
  if (forms === 0) throw invalid('a code is required (give code, coding or codeableConcept).', 'code');
  if (forms > 1) throw invalid('give exactly one of code, coding or codeableConcept.');
  if (request.code !== undefined) {
    return [conceptFrom({ system: request.system, code: request.code, version: request.version }, 'code')];
  }
  if (request.coding !== undefined) return [conceptFrom(request.coding, 'coding')];
  const codings = (request.codeableConcept?.coding ?? []).filter((c) => c.code !== undefined);
  if (codings.length === 0) throw invalid('the codeableConcept has no coding with a code.', 'codeableConcept.coding');
  return codings.map((coding, i) => conceptFrom(coding, `codeableConcept.coding[${i}]`));
}

function conceptFrom(coding: fhir4.Coding, where: string): SourceConcept {
  if (typeof coding.code !== 'string' || coding.code === '') throw invalid(`${where} has no code.`, where);
  if (coding.system !== undefined && typeof coding.system !== 'string') throw invalid(`${where} system must be a string.`, where);
  const concept: { system?: string; code: string; version?: string; display?: string } = { code: coding.code };
  if (coding.system !== undefined) concept.system = coding.system;
  if (coding.version !== undefined) concept.version = coding.version;
  if (coding.display !== undefined) concept.display = coding.display;
  return concept;
}

/** `'M' in system 'http://…'` or `'M' (no system given)`, for messages. */
export function describeConcept(concept: SourceConcept): string {
  return concept.system === undefined ? `'${concept.code}' (no system given)` : `'${concept.code}' in system '${concept.system}'`;
}

/**
 * R4 `source`/`target`: the value sets the translation is from/to. A map declaring other value sets
 * does not apply (in reverse the two swap, as in HAPI). A map that declares none is not excluded.
 */
export function valueSetScopeProblem(index: ConceptMapIndex, request: TranslateRequest): string | undefined {
  if (request.source === undefined && request.target === undefined) return undefined;
  const fromSide = request.reverse ? index.targetValueSet : index.sourceValueSet;
  const toSide = request.reverse ? index.sourceValueSet : index.targetValueSet;
  if (request.source !== undefined && fromSide !== undefined && !sameCanonical(request.source, fromSide)) {
    return `ConceptMap ${index.label} translates from value set '${fromSide}', not '${request.source}'.`;
  }
  if (request.target !== undefined && toSide !== undefined && !sameCanonical(request.target, toSide)) {
    return `ConceptMap ${index.label} translates to value set '${toSide}', not '${request.target}'.`;
  }
  return undefined;
}

/** Canonicals are equal when their URLs are, and their `|version`s too where both have one. */
function sameCanonical(a: string, b: string): boolean {
  const [urlA, versionA] = a.split('|');
  const [urlB, versionB] = b.split('|');
  return urlA === urlB && (versionA === undefined || versionB === undefined || versionA === versionB);
}
