import { MigrateError } from '../../../core/index.ts';
import { successfulMatches, translateCode } from '../../conceptmap/index.ts';
import { failAt } from '../location.ts';
import type { RuleSite } from '../location.ts';
import { getParam, getParamString, requireParamString } from '../parameters.ts';
import { isJsonObject, ownedValue, primitiveString } from '../values.ts';
import type { Value } from '../values.ts';
import type { TransformCall } from './types.ts';

type TranslateRequest = Parameters<typeof translateCode>[1];

const R5_RELATIONSHIPS: Record<string, string> = {
  equivalent: 'equivalent',
  'related-to': 'relatedto',
  'source-is-narrower-than-target': 'wider',
  'source-is-broader-than-target': 'narrower',
  'not-related-to': 'disjoint',
};
const normalised = new WeakMap<fhir4.ConceptMap, fhir4.ConceptMap>();

type R5Target = fhir4.ConceptMapGroupElementTarget & { relationship?: string };

/** Maps compiled by R5 tooling (Matchbox) carry `relationship`; R4 translate reads `equivalence`. */
function asR4(map: fhir4.ConceptMap): fhir4.ConceptMap {
  const cached = normalised.get(map);
  if (cached) return cached;
  const needs = map.group?.some((g) => g.element?.some((e) => e.target?.some((t) => (t as R5Target).relationship !== undefined && t.equivalence === undefined)));
  const result: fhir4.ConceptMap = !needs ? map : {
    ...map,
    group: map.group?.map((g) => ({
      ...g,
      element: g.element?.map((e) => ({
        ...e,
        target: e.target?.map((t) => {
          const { relationship, ...rest } = t as R5Target;
          const equivalence = (relationship && R5_RELATIONSHIPS[relationship]) ?? 'relatedto';
          return { ...rest, equivalence: equivalence as fhir4.ConceptMapGroupElementTarget['equivalence'] };
        }),
      })),
    })),
  };
  normalised.set(map, result);
  return result;
}

function containedConceptMap(map: fhir4.StructureMap | undefined, id: string): fhir4.ConceptMap | undefined {
  return map?.contained?.find((r): r is fhir4.ConceptMap => r.resourceType === 'ConceptMap' && r.id === id);
}

/** `#id` → contained in this map; `mapUrl#id` → contained in that map; otherwise by canonical URL. */
function findConceptMap(call: TransformCall, url: string): fhir4.ConceptMap {
  const { site, ctx } = call;
  let found: fhir4.ConceptMap | undefined;
  if (url.startsWith('#')) {
    found = containedConceptMap(site.map, url.slice(1)) ?? ctx.options.resolveConceptMap?.(url);
  } else {
    const hash = url.indexOf('#');
    if (hash > 0) found = containedConceptMap(ctx.options.resolveMap?.(url.slice(0, hash)), url.slice(hash + 1));
    found = found ?? ctx.options.resolveConceptMap?.(url);
  }
  if (!found) failAt(site, 'FHIRMIG_ERR_CONCEPTMAP_NOT_FOUND', `translate(): ConceptMap ${url} cannot be found.`);
  return found;
}

function requestFor(site: RuleSite, source: Value): TranslateRequest {
  const code = primitiveString(source);
  if (code !== undefined) return { code };
  const v = source.v;
  if (isJsonObject(v) && Array.isArray(v.coding)) return { codeableConcept: v as fhir4.CodeableConcept };
  if (isJsonObject(v) && (typeof v.code === 'string' || typeof v.system === 'string')) {
    return { coding: v as fhir4.Coding };
  }
  failAt(site, 'FHIRMIG_ERR_MAP_TRANSFORM_FAILED', `translate() cannot translate a value of type ${source.t ?? 'object'}.`);
}

function describeSource(request: TranslateRequest): { system?: string; code?: string } {
  const coding = request.coding ?? request.codeableConcept?.coding?.[0];
  if (coding) return { ...(coding.system ? { system: coding.system } : {}), ...(coding.code ? { code: coding.code } : {}) };
  return request.code !== undefined ? { code: request.code } : {};
}

function output(call: TransformCall, concept: fhir4.Coding, kind: string): Value | undefined {
  switch (kind) {
    case 'code':
      return concept.code === undefined ? undefined : ownedValue(concept.code, 'code');
    case 'system':
      return concept.system === undefined ? undefined : ownedValue(concept.system, 'uri');
    case 'display':
      return concept.display === undefined ? undefined : ownedValue(concept.display, 'string');
    case 'Coding':
      return ownedValue({ ...concept }, 'Coding');
    case 'CodeableConcept':
      return ownedValue({ coding: [{ ...concept }], ...(concept.display ? { text: concept.display } : {}) }, 'CodeableConcept');
    default:
      failAt(call.site, 'FHIRMIG_ERR_MAP_TRANSFORM_FAILED', `translate(): unknown output "${kind}" (code, system, display, Coding, CodeableConcept).`);
  }
}

/**
 * translate(source, map, output): the first successful match of the ConceptMap (equivalence not
 * unmatched/disjoint). No match yields no value and is reported through onUnmappedCode.
 */
export function translate(call: TransformCall): Value | undefined {
  const { site, vars, params, ctx } = call;
  if (params.length < 2 || params.length > 3) failAt(site, 'FHIRMIG_ERR_MAP_TRANSFORM_FAILED', `translate() takes 2 or 3 parameters, got ${params.length}.`);
  const source = getParam(site, vars, params[0] as fhir4.StructureMapGroupRuleTargetParameter);
  const url = requireParamString(site, vars, params, 1, 'translate');
  const kind = (params.length === 3 ? getParamString(site, vars, params[2]) : undefined) ?? 'Coding';
  const conceptMap = findConceptMap(call, url);
  const request = requestFor(site, source);
  let result;
  try {
    result = translateCode(asR4(conceptMap), request, ctx.options.resolveConceptMap);
  } catch (error) {
    if (error instanceof MigrateError) failAt(site, error.code, error.message, error);
    throw error;
  }
  const match = successfulMatches(result)[0];
  if (!match?.concept) {
    ctx.options.onUnmappedCode?.({ rule: site.rule ?? '', ...describeSource(request), conceptMap: url });
    return undefined;
  }
  return output(call, match.concept, kind);
}
