import { createHash } from 'node:crypto';
import { resolve } from 'node:path';
import { MigrateError } from '../core/index.ts';
import { createCodingTranslator, createIntakeService } from '../intake/index.ts';
import type { IntakeService } from '../intake/index.ts';
import type { JobStore, MapSet } from '../jobs/index.ts';
import { buildServiceDevice } from '../provenance/index.ts';
import { createTarget, resolveTargetProfile } from '../target/index.ts';
import type { AuthConfig, PrivateKeyInput, SmartBackendConfig, Target, TargetProfileName } from '../target/index.ts';
import { validateResource } from '../validation/index.ts';
import { loadMapSet } from './migration-env.ts';
import type { ServiceContext } from './service-context.ts';

/** The slice of the configuration intake needs (config `intake.*`), passed in by app.ts. */
export interface IntakeOptions {
  readonly target: {
    readonly url: string;
    readonly profile?: TargetProfileName;
    readonly auth?: IntakeAuthOptions;
    readonly retry: { readonly maxAttempts: number; readonly baseDelayMs: number; readonly maxDelayMs: number };
  };
  readonly conceptMaps?: readonly string[];
  readonly mapSets: Readonly<Record<string, string>>;
  readonly cwd: string;
  /** The service version (its Device). */
  readonly version: string;
  readonly store: JobStore;
  readonly now?: () => Date;
}

/** `intake.target.auth`: src/target's auth settings, every field but `type` optional (checked here). */
export type IntakeAuthOptions = { readonly type: AuthConfig['type']; readonly token?: string } & Partial<Omit<SmartBackendConfig, 'type' | 'privateKey'>> & {
  /** PEM text or a private JWK. */
  readonly privateKey?: string | Readonly<Record<string, unknown>>;
};

export interface LoadedIntake {
  readonly service: IntakeService;
  readonly target: Target;
  readonly mapSets: readonly string[];
}

/** Builds the intake service over the loaded context: its target, translator, validator and `$convert` map sets. */
export function loadIntake(context: ServiceContext, options: IntakeOptions): LoadedIntake {
  const { url, profile, auth, retry } = options.target;
  const target = url.startsWith('file:')
    ? createTarget(`file:${resolve(options.cwd, url.slice('file:'.length))}`)
    : createTarget(url, { auth: authConfig(auth), retry });
  const conceptMaps = selectConceptMaps(context, options.conceptMaps);
  const mapSets = new Map<string, MapSet>(Object.entries(options.mapSets).map(([name, dir]) => [name, loadMapSet(dir, [], options.cwd, { typeModel: context.typeModel, conceptMaps: context.conceptMaps, label: `intake.mapSets.${name}` })]));
  const service = createIntakeService({
    validate: (resource) => validateResource(context.conformance, resource),
    translate: createCodingTranslator(conceptMaps, (u) => context.conceptMaps.get(u) ?? context.conceptMaps.get(u.split('|')[0] ?? u)),
    translation: { id: 'intake-conceptmaps', versionHash: conceptMapsHash(conceptMaps) },
    target,
    profile: resolveTargetProfile(profile ?? (url.startsWith('file:') ? 'put' : 'medplum')),
    store: options.store,
    device: buildServiceDevice({ version: options.version }),
    mapSets,
    ...(options.now ? { now: options.now } : {}),
  });
  return { service, target, mapSets: [...mapSets.keys()] };
}

/** Default: every loaded ConceptMap; else the configured ones, each of which must be loaded. */
function selectConceptMaps(context: ServiceContext, urls: readonly string[] | undefined): fhir4.ConceptMap[] {
  if (!urls) return [...new Set(context.conceptMaps.values())];
  return urls.map((u) => {
    const map = context.conceptMaps.get(u);
    if (!map) throw new MigrateError('FHIRMIG_ERR_CONFIG_INVALID', `intake.conceptMaps names ${u}, which is not loaded (see conceptMapDirs).`);
    return map;
  });
}

function conceptMapsHash(maps: readonly fhir4.ConceptMap[]): string {
  const hash = createHash('sha256');
  for (const map of maps) hash.update(`${map.url ?? ''}|${map.version ?? ''}\n`);
  return hash.digest('hex').slice(0, 16);
}

function authConfig(auth: IntakeAuthOptions | undefined): AuthConfig {
  switch (auth?.type ?? 'none') {
    case 'none':
      return { type: 'none' };
    case 'bearer':
      if (!auth?.token) throw new MigrateError('FHIRMIG_ERR_CONFIG_INVALID', 'intake.target.auth: type bearer needs a token.');
      return { type: 'bearer', token: auth.token };
    case 'smart-backend': {
      const { tokenUrl, clientId, privateKey } = auth ?? {};
      if (!tokenUrl || !clientId || !privateKey) throw new MigrateError('FHIRMIG_ERR_CONFIG_INVALID', 'intake.target.auth: type smart-backend needs tokenUrl, clientId and privateKey.');
      return {
        type: 'smart-backend', tokenUrl, clientId, privateKey: privateKey as PrivateKeyInput, algorithm: auth?.algorithm ?? 'ES384',
        ...(auth?.keyId ? { keyId: auth.keyId } : {}), ...(auth?.scope ? { scope: auth.scope } : {}),
      };
    }
    default:
      throw new MigrateError('FHIRMIG_ERR_CONFIG_INVALID', `intake.target.auth: unknown type ${String(auth?.type)}.`);
  }
}
