import { MigrateError } from '../core/index.ts';
import type { ParameterValue } from './export-request.ts';

/** Kick-off parameters from a GET query string (repeated names give several values). */
export function parametersFromQuery(query: Readonly<Record<string, string | readonly string[] | undefined>>): Map<string, ParameterValue[]> {
  const parameters = new Map<string, ParameterValue[]>();
  for (const [name, raw] of Object.entries(query)) {
    if (raw === undefined) continue;
    const values = typeof raw === 'string' ? [raw] : raw;
    parameters.set(name, values.map((value) => ({ kind: 'string', value })));
  }
  return parameters;
}

const VALUE_KEYS = ['valueString', 'valueInstant', 'valueDateTime', 'valueCode', 'valueUri', 'valueUrl', 'valueCanonical'] as const;

/** Kick-off parameters from a POSTed Parameters resource (IG: POST kick-off; `patient` as valueReference). */
export function parametersFromResource(body: unknown): Map<string, ParameterValue[]> {
  const resource = body as fhir4.Parameters | undefined;
  if (body === undefined || body === null || body === '') return new Map();
  if (resource?.resourceType !== 'Parameters') throw new MigrateError('FHIRMIG_ERR_BULK_PARAMETER', 'A POST $export kick-off takes a Parameters resource as its body.');
  const parameters = new Map<string, ParameterValue[]>();
  (resource.parameter ?? []).forEach((parameter, index) => {
    const value = parameterValue(parameter);
    if (!parameter.name || value === undefined) throw new MigrateError('FHIRMIG_ERR_BULK_PARAMETER', `Parameters.parameter[${index}] needs a name and a string, instant, code or reference value.`);
    const list = parameters.get(parameter.name) ?? [];
    list.push(value);
    parameters.set(parameter.name, list);
  });
  return parameters;
}

function parameterValue(parameter: fhir4.ParametersParameter): ParameterValue | undefined {
  if (parameter.valueReference?.reference) return { kind: 'reference', value: parameter.valueReference.reference };
  for (const key of VALUE_KEYS) {
    const value = parameter[key];
    if (typeof value === 'string') return { kind: 'string', value };
  }
  return undefined;
}
