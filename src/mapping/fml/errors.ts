import { MigrateError } from '../../core/index.ts';

export interface FmlLocation {
  readonly file: string | undefined;
  readonly line: number;
  readonly column: number;
}

/** The one error the FML parser raises: FHIRMIG_ERR_FML_SYNTAX at a 1-based line/column. */
export function fmlSyntaxError(message: string, location: FmlLocation): MigrateError {
  const { file, line, column } = location;
  return new MigrateError('FHIRMIG_ERR_FML_SYNTAX', message, {
    location: file === undefined ? { line, column } : { file, line, column },
  });
}
