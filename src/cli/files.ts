import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { MigrateError } from '../core/index.ts';

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
    const offset = position ? Number(position[1]) : undefined;
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
