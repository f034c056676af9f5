import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { MigrateError } from '../core/index.ts';

export interface SourceFile {
  readonly path: string;
  /** The name used in locators: relative to the source folder, or the file's own name. */
  readonly name: string;
}

/**
 * The files of a `FILE|DIR` source: the file itself, or every file under the folder (recursive,
 * sorted, hidden files skipped) whose extension is one of `extensions`.
 */
export function listSourceFiles(path: string, extensions: readonly string[]): SourceFile[] {
  if (!existsSync(path)) throw new MigrateError('FHIRMIG_ERR_INPUT_READ', `source path not found: ${path}`, { location: { file: path } });
  if (!statSync(path).isDirectory()) return [{ path, name: path.split(/[\\/]/).pop() ?? path }];
  const files: SourceFile[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      if (entry.name.startsWith('.')) continue;
      const full = join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.isFile() && hasExtension(entry.name, extensions)) files.push({ path: full, name: relative(path, full) });
    }
  };
  walk(path);
  return files;
}

function hasExtension(name: string, extensions: readonly string[]): boolean {
  const lower = name.toLowerCase();
  return extensions.some((ext) => (ext === '' ? !lower.includes('.') : lower.endsWith(ext)));
}
