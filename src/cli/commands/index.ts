import type { Command } from '../command.ts';

/** A sub-command as `--help` lists it; its module is loaded only when it runs (fast start-up). */
export interface CommandEntry {
  readonly name: string;
  readonly summary: string;
  load(): Promise<Command>;
}

/** Every sub-command, in the order `fhir-migrate --help` lists them. */
export const COMMANDS: readonly CommandEntry[] = [
  { name: 'demo', summary: 'Run the newcomer\'s demo: a synthetic legacy extract through map, validate and report.', load: async () => (await import('./demo.ts')).demoCommand },
  { name: 'transform', summary: 'Run a StructureMap / FML map on a JSON input and print the result.', load: async () => (await import('./transform.ts')).transformCommand },
  { name: 'serve', summary: 'Start the HTTP service on PORT (default 8080).', load: async () => (await import('./serve.ts')).serveCommand },
  { name: 'translate', summary: 'Translate a code with a ConceptMap ($translate) and print the Parameters.', load: async () => (await import('./translate.ts')).translateCommand },
  { name: 'migrate', summary: 'Migrate a source into a FHIR server or file:DIR as a resumable job; prints the reconciliation report.', load: async () => (await import('./migrate.ts')).migrateCommand },
  { name: 'report', summary: 'Print a job\'s reconciliation report (ledger and target counts).', load: async () => (await import('./report.ts')).reportCommand },
  { name: 'rollback', summary: 'Delete what a job wrote, in reverse dependency order; report resources changed since.', load: async () => (await import('./rollback.ts')).rollbackCommand },
  { name: 'audit', summary: 'audit verify: check the hash-chained audit log of the job store.', load: async () => (await import('./audit.ts')).auditCommand },
  { name: 'validate', summary: 'Validate FHIR resources (JSON or XML) against R4, profiles and IGs.', load: async () => (await import('./validate.ts')).validateCommand },
  { name: 'profile', summary: 'Profile a legacy source before migration (JSON + HTML assessment report).', load: async () => (await import('./profile.ts')).profileCommand },
];
