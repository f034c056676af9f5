import { MigrateError } from '../../core/index.ts';

/** The one error the generator raises: which profile, which element, and why. */
export function snapshotError(reason: string, profileUrl: string | undefined, elementId?: string): MigrateError {
  const where = elementId ? ` at ${elementId}` : '';
  return new MigrateError('FHIRMIG_ERR_VALIDATION_SNAPSHOT', `Cannot generate the snapshot of ${profileUrl ?? '(no url)'}${where}: ${reason}`, {
    location: { ...(profileUrl ? { file: profileUrl } : {}), ...(elementId ? { expression: elementId } : {}) },
  });
}
