import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { MigrateError } from '../core/index.ts';

/** A file found under a folder, with its path relative to the folder given (for messages). */
export interface FoundFile {
  readonly path: string;
  readonly name: string;
}

export function readText(path: string): string {
  try {
    return readFileSync(path, 'utf8').replace(/^\uFEFF/, '');
  } catch (error) {
    throw new MigrateError('FHIRMIG_ERR_INPUT_READ', `Cannot read ${path} (${(error as NodeJS.ErrnoException).code ?? String(error)}).`, { location: { file: path }, cause: error });
  }
}

export function readJson(path: string): unknown {
  const text = readText(path);
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new MigrateError('FHIRMIG_ERR_INPUT_JSON', `Not valid JSON: ${(error as Error).message}`, { location: { file: path }, cause: error });
  }
}

/** Every file under `dir` (recursively, sorted, hidden entries skipped) whose name passes `accept`. */
export function listFiles(dir: string, accept: (name: string) => boolean): FoundFile[] {
  const found: FoundFile[] = [];
  for (const name of readdirSync(dir).sort()) {
    if (name.startsWith('.') || name === 'node_modules') continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) found.push(...listFiles(path, accept));
    else if (accept(name)) found.push({ path, name });
  }
  return found;
}

/** Resolves configured folders against `cwd`, splitting them into present and missing ones. */
export function resolveDirs(dirs: readonly string[], cwd: string): { present: string[]; missing: string[] } {
  const present: string[] = [];
  const missing: string[] = [];
  for (const dir of dirs) {
    const full = resolve(cwd, dir);
    (existsSync(full) ? present : missing).push(full);
  }
  return { present, missing };
}

/** The resources of a JSON value: the value itself, or the entries of a Bundle. */
export function resourcesIn(value: unknown): unknown[] {
  const resource = value as { resourceType?: string; entry?: { resource?: unknown }[] } | null;
  if (resource?.resourceType === 'Bundle') return (resource.entry ?? []).map((e) => e.resource).filter((r) => r !== undefined);
  return [value];
}

export function ofType<T>(values: readonly unknown[], resourceType: string): T[] {
  return values.filter((v) => (v as { resourceType?: string } | null)?.resourceType === resourceType) as T[];
}
