import { specError } from './descriptor.ts';

/** A parsed source SPEC string: `csv:DIR`, `sqlite:FILE`, `postgres://…`, `mysql://…`, `hl7v2:PATH`, `ccda:PATH`. */
export type SourceSpec =
  | { readonly type: 'csv' | 'sqlite' | 'hl7v2' | 'ccda'; readonly path: string }
  | { readonly type: 'postgres' | 'mysql'; readonly url: string };

const PATH_PREFIXES: Readonly<Record<string, 'csv' | 'sqlite' | 'hl7v2' | 'ccda'>> = {
  'csv:': 'csv',
  'sqlite:': 'sqlite',
  'hl7v2:': 'hl7v2',
  'ccda:': 'ccda',
};
const URL_SCHEMES: Readonly<Record<string, 'postgres' | 'mysql'>> = {
  'postgres:': 'postgres',
  'postgresql:': 'postgres',
  'mysql:': 'mysql',
  'mariadb:': 'mysql',
};

export function parseSourceSpec(spec: string): SourceSpec {
  const trimmed = spec.trim();
  for (const [prefix, type] of Object.entries(PATH_PREFIXES)) {
    if (!trimmed.startsWith(prefix)) continue;
    const path = trimmed.slice(prefix.length);
    if (path === '') throw specError(`source spec "${spec}" names no path (expected ${prefix}PATH)`);
    return { type, path };
  }
  const scheme = /^([a-z]+:)\/\//.exec(trimmed)?.[1];
  const type = scheme === undefined ? undefined : URL_SCHEMES[scheme];
  if (type) {
    if (!URL.canParse(trimmed)) throw specError(`source spec "${redactUrl(spec)}" is not a valid URL`);
    return { type, url: trimmed };
  }
  throw specError(`unknown source spec "${redactUrl(spec)}": expected csv:DIR, sqlite:FILE, postgres://…, mysql://…, hl7v2:FILE|DIR or ccda:FILE|DIR`);
}

/** A connection URL without its password, for messages and default source names. */
export function redactUrl(url: string): string {
  return url.replace(/(\/\/[^:/@]*):[^@/]*@/, '$1:***@');
}
