import type { ExecutionContext } from './context.ts';
import { failAt } from './location.ts';
import type { RuleSite } from './location.ts';
import { ownedValue } from './values.ts';
import type { Value } from './values.ts';

const ABSTRACT = new Set(['Resource', 'DomainResource', 'Element', 'BackboneElement', '*']);

/** A new, empty instance of a type; resources (and root logical-model instances) carry resourceType. */
export function createInstance(ctx: ExecutionContext, site: RuleSite, typeName: string, root = false): Value {
  if (ABSTRACT.has(typeName)) failAt(site, 'FHIRMIG_ERR_MAP_TYPE_UNKNOWN', `Cannot create an instance of the abstract type ${typeName}; name a concrete type.`);
  const info = ctx.types.getType(typeName);
  if (!info) failAt(site, 'FHIRMIG_ERR_MAP_TYPE_UNKNOWN', `Unknown type "${typeName}": not an R4 type nor a loaded logical model.`);
  if (info.kind === 'primitive-type') failAt(site, 'FHIRMIG_ERR_MAP_TRANSFORM_FAILED', `Cannot create an empty primitive ${info.name}; copy or cast a value instead.`);
  ctx.countOutput(site);
  const withResourceType = info.kind === 'resource' || (root && info.kind === 'logical');
  const instance: Record<string, unknown> = withResourceType && info.resourceTypeName ? { resourceType: info.resourceTypeName } : {};
  return ownedValue(instance, info.name);
}
