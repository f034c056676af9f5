/**
 * SMART scopes (v1 `system/Patient.read`, `system/*.write`, `system/*.*`; v2 `system/*.rs`,
 * `system/Observation.cruds`). A route requires one scope; a granted scope covers it when its
 * context is `system`, its resource type matches (or is `*`) and its permissions include the
 * required ones.
 */
interface ParsedScope {
  readonly context: string;
  readonly type: string;
  readonly permissions: ReadonlySet<string>;
}

const V1_PERMISSIONS: Readonly<Record<string, string>> = { read: 'rs', write: 'cud', '*': 'cruds' };

export function parseScope(scope: string): ParsedScope | undefined {
  const match = /^(system|user|patient)\/([A-Za-z*]+)\.([a-z*]+)(\?.*)?$/.exec(scope);
  if (!match) return undefined;
  const [, context, type, access] = match as unknown as [string, string, string, string];
  const letters = V1_PERMISSIONS[access] ?? (/^c?r?u?d?s?$/.test(access) ? access : undefined);
  if (!letters) return undefined;
  return { context, type, permissions: new Set(letters.split('')) };
}

export function scopeCovers(granted: string, required: string): boolean {
  const have = parseScope(granted);
  const need = parseScope(required);
  if (!have || !need || have.context !== 'system' || have.context !== need.context) return false;
  if (have.type !== '*' && have.type !== need.type) return false;
  return [...need.permissions].every((p) => have.permissions.has(p));
}

export function scopesCover(granted: readonly string[], required: string): boolean {
  return granted.some((scope) => scopeCovers(scope, required));
}
