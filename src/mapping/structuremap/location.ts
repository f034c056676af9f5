import { MigrateError } from '../../core/index.ts';
import type { ErrorCode } from '../../core/index.ts';

/** Where in a map the engine is: used to name the group and rule in every error. */
export interface RuleSite {
  readonly map: fhir4.StructureMap;
  readonly group: fhir4.StructureMapGroup;
  /** Rule path (nested rules joined with '.'), or undefined at group level. */
  readonly rule: string | undefined;
}

export function ruleName(rule: fhir4.StructureMapGroupRule, index: number): string {
  return rule.name ?? `#${index + 1}`;
}

export function siteExpression(site: RuleSite): string {
  const group = `group "${site.group.name}"`;
  return site.rule === undefined ? group : `${group} / rule "${site.rule}"`;
}

/** Throws a MigrateError whose message and location name the map, group and rule. */
export function failAt(site: RuleSite, code: ErrorCode, message: string, cause?: unknown): never {
  const where = site.rule === undefined ? `Group "${site.group.name}"` : `Rule "${site.rule}" in group "${site.group.name}"`;
  const mapName = site.map.url ?? site.map.name;
  throw new MigrateError(code, `${where}${mapName ? ` of map ${mapName}` : ''}: ${message}`, {
    location: { expression: siteExpression(site) },
    cause,
  });
}
