import pino from 'pino';
import type { DestinationStream, Logger } from 'pino';

/**
 * Paths removed from every log line (STYLE.md rule 10). Code logs SourceRef locators and
 * resource ids only; this list is the safety net for a record or resource that slips into a
 * log call anyway. Keep it in this one constant.
 */
export const REDACTED_PATHS: readonly string[] = [
  'data', '*.data', 'record', '*.record', 'row', '*.row', 'resource', '*.resource',
  'resources', '*.resources', 'bundle', '*.bundle', 'body', '*.body', 'source', '*.source',
  'patient', '*.patient', 'name', '*.name', 'birthDate', '*.birthDate', 'address', '*.address',
  'telecom', '*.telecom', 'identifier', '*.identifier',
  'req.headers.authorization', 'req.headers.cookie', 'req.query', 'req.body', 'req.url',
];

export interface LoggerOptions {
  readonly level?: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  readonly name?: string;
}

export type { Logger };

/** The production logger: JSON lines, PHI paths removed (not masked: no length leaks either). */
export function createLogger(options: LoggerOptions = {}, destination?: DestinationStream): Logger {
  const config = {
    level: options.level ?? 'info',
    name: options.name ?? 'fhir-migrate',
    redact: { paths: [...REDACTED_PATHS], remove: true },
  };
  return destination ? pino(config, destination) : pino(config);
}
