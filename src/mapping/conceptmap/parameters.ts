import { MigrateError } from '../../core/index.ts';
import type { TranslateDependency, TranslateMatch, TranslateRequest, TranslateResult } from './types.ts';

type Parameter = fhir4.ParametersParameter;

/**
 * The `$translate` out parameters (R4 OperationDefinition ConceptMap-translate): `result`, `message`,
 * then one `match` per match with parts `equivalence`, `concept`, `product` (element, concept), `source`.
 */
export function translateResultToParameters(result: TranslateResult): fhir4.Parameters {
  const parameter: Parameter[] = [{ name: 'result', valueBoolean: result.result }];
  if (result.message !== undefined) parameter.push({ name: 'message', valueString: result.message });
  for (const match of result.matches) parameter.push({ name: 'match', part: matchParts(match) });
  return { resourceType: 'Parameters', parameter };
}

function matchParts(match: TranslateMatch): Parameter[] {
  const parts: Parameter[] = [{ name: 'equivalence', valueCode: match.equivalence }];
  if (match.concept) parts.push({ name: 'concept', valueCoding: match.concept });
  for (const product of match.product ?? []) {
    parts.push({
      name: 'product',
      part: [
        { name: 'element', valueUri: product.element },
        { name: 'concept', valueCoding: product.concept },
      ],
    });
  }
  if (match.source !== undefined) parts.push({ name: 'source', valueUri: match.source });
  return parts;
}

function invalid(message: string, expression?: string): MigrateError {
  return new MigrateError('FHIRMIG_ERR_CONCEPTMAP_INVALID', `$translate parameters: ${message}`, expression ? { location: { expression } } : {});
}

/** The in parameters that pick the map rather than the concept; read by conceptMapSelectorFromParameters. */
const MAP_SELECTORS = new Set(['url', 'conceptMap', 'conceptMapVersion']);

/**
 * The `$translate` in parameters as a TranslateRequest (for POST /fhir/ConceptMap/$translate).
 * Follows R4: exactly one of code/coding/codeableConcept, and a code needs a system. The R4 name
 * `targetsystem` is read as `targetSystem` (the camel-case spelling is accepted too).
 */
export function parametersToTranslateRequest(params: fhir4.Parameters): TranslateRequest {
  if (params?.resourceType !== 'Parameters') throw invalid('expected a Parameters resource.', 'resourceType');
  const request: TranslateRequest = {};
  for (const [i, p] of (params.parameter ?? []).entries()) {
    const where = `Parameters.parameter[${i}]`;
    if (!MAP_SELECTORS.has(p.name)) readParameter(request, p, where);
  }
  if (request.code !== undefined && request.system === undefined) {
    throw invalid('a code needs a system ("If a code is provided, a system must be provided").', 'system');
  }
  const forms = [request.code, request.coding, request.codeableConcept].filter((f) => f !== undefined).length;
  if (forms !== 1) throw invalid('give exactly one of code, coding or codeableConcept.');
  return request;
}

function readParameter(request: TranslateRequest, p: Parameter, where: string): void {
  switch (p.name) {
    case 'code':
      request.code = stringValue(p, where);
      return;
    case 'system':
      request.system = stringValue(p, where);
      return;
    case 'version':
      request.version = stringValue(p, where);
      return;
    case 'source':
      request.source = stringValue(p, where);
      return;
    case 'target':
      request.target = stringValue(p, where);
      return;
    case 'targetsystem':
    case 'targetSystem':
      request.targetSystem = stringValue(p, where);
      return;
    case 'coding':
      request.coding = typedValue(p.valueCoding, 'valueCoding', where);
      return;
    case 'codeableConcept':
      request.codeableConcept = typedValue(p.valueCodeableConcept, 'valueCodeableConcept', where);
      return;
    case 'reverse':
      request.reverse = typedValue(p.valueBoolean, 'valueBoolean', where);
      return;
    case 'dependency':
      (request.dependency ??= []).push(dependencyFrom(p, where));
      return;
    default:
      throw invalid(`unknown parameter "${p.name}".`, where);
  }
}

function stringValue(p: Parameter, where: string): string {
  const value = p.valueUri ?? p.valueCode ?? p.valueString ?? p.valueCanonical ?? p.valueUrl;
  if (typeof value !== 'string') throw invalid(`"${p.name}" needs a string value (valueUri/valueCode/valueString).`, where);
  return value;
}

function typedValue<T>(value: T | undefined, type: string, where: string): T {
  if (value === undefined) throw invalid(`expected ${type}.`, where);
  return value;
}

function dependencyFrom(p: Parameter, where: string): TranslateDependency {
  const dependency: TranslateDependency = {};
  for (const [i, part] of (p.part ?? []).entries()) {
    if (part.name === 'element') dependency.element = stringValue(part, `${where}.part[${i}]`);
    else if (part.name === 'concept') dependency.concept = typedValue(part.valueCodeableConcept, 'valueCodeableConcept', `${where}.part[${i}]`);
    else throw invalid(`unknown dependency part "${part.name}".`, `${where}.part[${i}]`);
  }
  return dependency;
}

export interface ConceptMapSelector {
  url?: string;
  conceptMapVersion?: string;
  conceptMap?: fhir4.ConceptMap;
}

/** The in parameters that say which ConceptMap to use: `url`, `conceptMapVersion`, or an inline `conceptMap`. */
export function conceptMapSelectorFromParameters(params: fhir4.Parameters): ConceptMapSelector {
  const selector: ConceptMapSelector = {};
  for (const [i, p] of (params.parameter ?? []).entries()) {
    const where = `Parameters.parameter[${i}]`;
    if (p.name === 'url') selector.url = stringValue(p, where);
    else if (p.name === 'conceptMapVersion') selector.conceptMapVersion = stringValue(p, where);
    else if (p.name === 'conceptMap') {
      if (p.resource?.resourceType !== 'ConceptMap') throw invalid('"conceptMap" needs a ConceptMap resource.', where);
      selector.conceptMap = p.resource;
    }
  }
  return selector;
}
