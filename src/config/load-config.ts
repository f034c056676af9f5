import { Ajv } from 'ajv';
import { MigrateError } from '../core/index.ts';
import { CONFIG_SCHEMA, ENV_KEYS } from './schema.ts';
import type { Config } from './schema.ts';

type Json = Record<string, unknown>;

interface SchemaNode {
  readonly type?: string;
  readonly properties?: Record<string, SchemaNode>;
}

/** The schema type of a dotted config key: lists come from env comma-separated. */
function schemaTypeOf(path: string): string | undefined {
  let node: SchemaNode | undefined = CONFIG_SCHEMA as SchemaNode;
  for (const part of path.split('.')) node = node?.properties?.[part];
  return node?.type;
}

function setPath(target: Json, path: string, value: unknown): void {
  const parts = path.split('.');
  let node = target;
  for (const part of parts.slice(0, -1)) {
    node[part] = typeof node[part] === 'object' && node[part] !== null ? node[part] : {};
    node = node[part] as Json;
  }
  node[parts[parts.length - 1] as string] = value;
}

function envToConfig(env: Record<string, string | undefined>): Json {
  const result: Json = {};
  for (const [name, key] of Object.entries(ENV_KEYS)) {
    const raw = env[name];
    if (raw === undefined || raw === '') continue;
    // Numbers and booleans stay strings here: ajv's coerceTypes turns them into the schema's type (or reports them).
    const value = schemaTypeOf(key) === 'array' ? raw.split(',').map((s) => s.trim()).filter(Boolean) : raw;
    setPath(result, key, value);
  }
  return result;
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}

function mergeDeep(base: Json, over: Json): Json {
  const out: Json = { ...base };
  for (const [key, value] of Object.entries(over)) {
    const current = out[key];
    const bothObjects = typeof value === 'object' && value !== null && !Array.isArray(value) && typeof current === 'object' && current !== null;
    out[key] = bothObjects ? mergeDeep(current as Json, value as Json) : value;
  }
  return out;
}

const ajv = new Ajv({ allErrors: true, useDefaults: true, coerceTypes: true, strict: true });
const validate = ajv.compile(CONFIG_SCHEMA);

/**
 * Builds the configuration once at start-up: file values, overridden by `FHIRMIG_*` env, defaults
 * filled in, validated (every failing key reported at once), deep-frozen. Nothing else reads env.
 */
export function loadConfig(env: Record<string, string | undefined>, fileValues: Json = {}): Config {
  const candidate = mergeDeep(fileValues, envToConfig(env));
  if (!validate(candidate)) {
    const details = (validate.errors ?? []).map((e) => `${e.instancePath || '(root)'} ${e.message ?? ''}${e.params && 'additionalProperty' in e.params ? ` "${String(e.params.additionalProperty)}"` : ''}`);
    throw new MigrateError('FHIRMIG_ERR_CONFIG_INVALID', `Configuration is invalid: ${details.join('; ')}`, { details });
  }
  return deepFreeze(candidate as unknown as Config);
}
