import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { MigrateError } from '../core/index.ts';
import { jsonErrorOffset } from './json-position.ts';

/** Reads a UTF-8 text file; a missing or unreadable file is FHIRMIG_ERR_INPUT_READ naming the path. */
export function readTextFile(path: string, cwd = process.cwd()): string {
  const full = resolve(cwd, path);
  try {
    return readFileSync(full, 'utf8').replace(/^\uFEFF/, '');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? String(error);
    throw new MigrateError('FHIRMIG_ERR_INPUT_READ', `Cannot read ${path} (${reason}).`, { location: { file: path }, cause: error });
  }
}

/** Parses JSON text; the error names the file, line and column of the first bad character. */
export function parseJsonText(text: string, file: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const position = /position (\d+)/.exec(message);
    const offset = position ? Number(position[1]) : jsonErrorOffset(text);
    const before = offset === undefined ? undefined : text.slice(0, offset).split('\n');
    const line = before?.length;
    const column = before ? (before[before.length - 1]?.length ?? 0) + 1 : undefined;
    throw new MigrateError('FHIRMIG_ERR_INPUT_JSON', `Not valid JSON: ${message}`, { location: { file, line, column }, cause: error });
  }
}

export function readJsonFile(path: string, cwd = process.cwd()): unknown {
  return parseJsonText(readTextFile(path, cwd), path);
}

/** Every `*.json` file in a folder (not recursive), sorted by name, parsed. */
export function readJsonFolder(dir: string, cwd = process.cwd()): { file: string; value: unknown }[] {
  const full = resolve(cwd, dir);
  let names: string[];
  try {
    if (!statSync(full).isDirectory()) return [{ file: dir, value: readJsonFile(dir, cwd) }];
    names = readdirSync(full).filter((n) => n.endsWith('.json')).sort();
  } catch (error) {
    throw new MigrateError('FHIRMIG_ERR_INPUT_READ', `Cannot read folder ${dir}.`, { location: { file: dir }, cause: error });
  }
  return names.map((name) => ({ file: join(dir, name), value: readJsonFile(join(full, name)) }));
}

/** Short names used across the runtime. */
export const readText = readTextFile;
export const readJson = readJsonFile;

/** A file found under a folder, with its path relative to the folder given (for messages). */
export interface FoundFile {
  readonly path: string;
  readonly name: string;
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
