import { existsSync, realpathSync } from 'node:fs';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { MigrateError } from '../core/index.ts';
import type { JobScope, JobSpec, MigrationRequest, ValidationPolicy } from '../jobs/index.ts';
import { parseSourceSpec } from '../sources/index.ts';
import { TARGET_PROFILES } from '../target/index.ts';
import { defaultMapSetFor } from './migration-env.ts';

/**
 * How the edge rebuilds a job's environment (maps, ConceptMaps, IGs, policy, write profile): kept
 * with the job so that a resume, also after a restart, runs exactly what was asked.
 */
export interface MigrationEdge {
  readonly maps: string;
  readonly conceptMaps: readonly string[];
  readonly igs: readonly string[];
  readonly validation: ValidationPolicy;
  readonly targetProfile?: string;
}

/** A job spec as the service stores it: the engine's spec plus the edge it was planned with. */
export type ServiceJobSpec = JobSpec & { readonly edge?: MigrationEdge };

export interface RequestContext {
  readonly cwd: string;
  /** The installed package (its maps/, conceptmaps/ are always readable). */
  readonly packageRoot: string;
  /** Absolute folders every other request path must lie under. */
  readonly allowedRoots: readonly string[];
  readonly defaultTarget: string | undefined;
}

/** The real path of `path` (or of its nearest existing parent), so that symlinks cannot leave a root. */
function realPath(path: string): string {
  let current = path;
  const rest: string[] = [];
  while (!existsSync(current)) {
    const parent = resolve(current, '..');
    if (parent === current) return path;
    rest.unshift(current.slice(parent.length + 1));
    current = parent;
  }
  return join(realpathSync(current), ...rest);
}

function isUnder(path: string, root: string): boolean {
  const rel = relative(root, path);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

/** Resolves a request path and refuses one outside the allowed roots (a server's file system is a boundary). */
export function allowedPath(field: string, path: string, context: RequestContext, extraRoots: readonly string[] = []): string {
  const absolute = resolve(context.cwd, path);
  const real = realPath(absolute);
  const roots = [...context.allowedRoots, ...extraRoots].map((r) => realPath(resolve(context.cwd, r)));
  if (!roots.some((root) => isUnder(real, root))) {
    throw new MigrateError('FHIRMIG_ERR_MIGRATION_PATH_FORBIDDEN', `${field}: ${path} lies outside migrations.allowedRoots.`);
  }
  return absolute;
}

/** The source SPEC with its path made absolute and checked; database URLs pass as given. */
function normaliseSource(spec: string, context: RequestContext): string {
  const parsed = parseSourceSpec(spec);
  if ('url' in parsed) return parsed.url;
  return `${parsed.type}:${allowedPath('source', parsed.path, context)}`;
}

function normaliseTarget(spec: string | undefined, context: RequestContext): string {
  const target = spec ?? context.defaultTarget;
  if (!target) throw new MigrateError('FHIRMIG_ERR_MIGRATION_REQUEST', 'target: required (no migrations.defaultTarget is configured).');
  if (target.startsWith('file:')) return `file:${allowedPath('target', target.slice('file:'.length), context)}`;
  if (/^https?:\/\//.test(target) && URL.canParse(target)) return target;
  throw new MigrateError('FHIRMIG_ERR_MIGRATION_REQUEST', 'target: expected an http(s) FHIR base URL or file:DIR.');
}

function normaliseScope(scope: JobScope | undefined): JobScope {
  if (!scope) return { kind: 'all' };
  if ((scope.kind === 'patients' || scope.kind === 'cohort') && scope.patientIds.length === 0) {
    throw new MigrateError('FHIRMIG_ERR_MIGRATION_REQUEST', `scope.patientIds: a ${scope.kind} scope needs at least one patient id.`);
  }
  return scope;
}

function defaultMaps(source: string, context: RequestContext): string {
  const dir = defaultMapSetFor(source, context.packageRoot);
  if (dir) return dir;
  throw new MigrateError('FHIRMIG_ERR_MIGRATION_REQUEST', 'maps: required for this source (csv:, hl7v2: and ccda: sources have a default map set).');
}

/** Checks a request's meaning and turns it into the spec to plan (its map set hash filled in later). */
export function specFromRequest(request: MigrationRequest, context: RequestContext): ServiceJobSpec {
  const source = normaliseSource(request.source, context);
  const target = normaliseTarget(request.target, context);
  const product = [context.packageRoot];
  const maps = request.maps === undefined ? defaultMaps(source, context) : allowedPath('maps', request.maps, context, product);
  if (!existsSync(maps)) throw new MigrateError('FHIRMIG_ERR_MIGRATION_REQUEST', `maps: the folder ${request.maps ?? maps} does not exist.`);
  const conceptMaps = (request.conceptMaps ?? [join(context.packageRoot, 'conceptmaps')]).map((d) => allowedPath('conceptMaps', d, context, product));
  const igs = (request.igs ?? []).map((d) => allowedPath('igs', d, context));
  if (request.targetProfile !== undefined && !(request.targetProfile in TARGET_PROFILES)) {
    throw new MigrateError('FHIRMIG_ERR_MIGRATION_REQUEST', `targetProfile: expected one of ${Object.keys(TARGET_PROFILES).join(', ')}.`);
  }
  const edge: MigrationEdge = { maps, conceptMaps, igs, validation: request.validation ?? 'reject-record', ...(request.targetProfile ? { targetProfile: request.targetProfile } : {}) };
  return {
    source,
    target,
    mapSet: { id: '', versionHash: '' },
    scope: normaliseScope(request.scope),
    options: { dryRun: request.dryRun ?? false, phases: request.phases ?? [], thresholds: request.thresholds ?? {}, ...(request.auditToTarget ? { auditToTarget: true } : {}) },
    edge,
  };
}

/** The edge of a job the CLI planned (no edge stored): the CLI's defaults. */
export function edgeOf(spec: ServiceJobSpec, packageRoot: string): MigrationEdge {
  if (spec.edge) return spec.edge;
  const maps = defaultMapSetFor(spec.source, packageRoot);
  if (!maps) throw new MigrateError('FHIRMIG_ERR_MIGRATION_REQUEST', 'This job was planned without a recorded map set; resume it with the CLI (--maps).');
  return { maps, conceptMaps: [join(packageRoot, 'conceptmaps')], igs: [], validation: 'reject-record' };
}
