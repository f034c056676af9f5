import type { TransformOptions } from './options.ts';

/**
 * FHIRPath `conformsTo()` as HAPI's mapping host services answer it: "validating the item against
 * the profile gives no errors". Without a validator hook only what the type model can decide is
 * answered: the profile's type must be the resource's type, a base definition then conforms, a
 * constraint profile conforms when the resource claims it in meta.profile. An unknown profile
 * does not conform (the validator would report it as an error).
 */

const CORE_PREFIX = 'http://hl7.org/fhir/StructureDefinition/';

function resourceTypeOf(item: unknown): string | undefined {
  const type = (item as { resourceType?: unknown } | null)?.resourceType;
  return typeof type === 'string' ? type : undefined;
}

function claimsProfile(item: unknown, url: string): boolean {
  const profiles = (item as { meta?: { profile?: unknown } } | null)?.meta?.profile;
  return Array.isArray(profiles) && profiles.some((p) => typeof p === 'string' && (p === url || p.split('|')[0] === url));
}

export function conformsTo(options: TransformOptions, item: unknown, url: string): boolean {
  const hooked = options.conformsTo?.(item, url);
  if (hooked !== undefined) return hooked;
  const versionless = url.split('|')[0] ?? url;
  const profileType = options.typeModel.getType(versionless);
  const resourceType = resourceTypeOf(item);
  if (!profileType || resourceType === undefined || profileType.name !== resourceType) return false;
  return versionless === CORE_PREFIX + resourceType || claimsProfile(item, versionless);
}
