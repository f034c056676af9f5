import { join } from 'node:path';
import { readJson } from './files.ts';

/** The product version from `package.json` in the package root ('0.0.0' when it cannot be read). */
export function readPackageVersion(packageRoot: string): string {
  try {
    const value = readJson(join(packageRoot, 'package.json')) as { version?: unknown };
    return typeof value.version === 'string' ? value.version : '0.0.0';
  } catch {
    return '0.0.0';
  }
}
