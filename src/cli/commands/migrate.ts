import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { MigrateError } from '../../core/index.ts';
import { planMigration, reconcileJob, runJob } from '../../jobs/index.ts';
import type { Job, JobScope, JobSpec, JobStore, MigrationEnv, ReconciliationReport, ValidationPolicy } from '../../jobs/index.ts';
import { createSource } from '../../sources/index.ts';
import { optionalString, parseCommandArgs, stringList } from '../args.ts';
import type { ParsedArgs } from '../args.ts';
import type { Command } from '../command.ts';
import type { CliIo } from '../io.ts';
import { RecordWorker, buildValidator, defaultMapsDir, DEFAULT_RECORD_THREADS, loadMapSet, openStore, openTarget, readTextFile, serviceDevice, targetProfileFor } from '../../runtime/index.ts';

const USAGE = `fhir-migrate migrate --source SPEC --target URL|file:DIR [--maps DIR] [--patient ID]…
        [--cohort FILE] [--department TABLE.COLUMN=V[,V…]] [--phase NAME]… [--audit-to-target]
        [--dry-run] [--report FILE] [--store FILE] [--ig DIR]…
fhir-migrate migrate --resume JOB [--store FILE] [--maps DIR] [--ig DIR]…

Plans a job (one task per patient and priority phase), runs it phase by phase in-process and prints the reconciliation report
(JSON) on stdout; progress goes to stderr on a TTY. Exit code 0 when the job completed.

  --source SPEC          csv:DIR, sqlite:FILE, postgres://…, mysql://…, hl7v2:PATH, ccda:PATH
  --target URL|file:DIR  a FHIR server base URL, or a folder for NDJSON files
  --maps DIR             the map set (defaults: csv: maps/synthea-csv, hl7v2: maps/hl7v2, ccda: maps/ccda)
  --conceptmaps DIR      ConceptMap folders, sub-folders included (default: conceptmaps)
  --patient ID           migrate only this patient (repeatable); --cohort FILE: one id per line
  --department T.C=V,…  only patients with a record in source table T whose column C is one of V
  --phase NAME           run only this priority phase (repeatable); default: every phase of the
                         map set (its phases.json, else critical, clinical, administrative)
  --audit-to-target      also write each job step's AuditEvent to the target (PUT, idempotent)
  --dry-run              everything but the write, with the same report
  --report FILE          also write the report there
  --store FILE|URL       the job store (default ${'fhir-migrate-jobs.sqlite'}; postgres://… for PostgreSQL)
  --ig DIR               IG package to validate against (repeatable), e.g. US Core
  --validation POLICY    reject-record (default) or warn
  --max-rejection-rate R stop the job when rejected/read passes R (after --min-records N)
  --target-profile NAME  put, conditional-create, medplum (default for URLs), medplum-conditional
  --concurrency N        patients in parallel (default 4)
  --lease-ms N           task lease (a killed run's tasks return after it; default 30000)
  --threads 0|1          1: map and validate in a worker thread (opt-in; default 0),
                         0: in the runner's thread
  --resume JOB           continue a job: its unfinished tasks, nothing already loaded is re-sent`;

const OPTIONS = {
  source: { type: 'string' }, target: { type: 'string' }, maps: { type: 'string' }, conceptmaps: { type: 'string', multiple: true },
  patient: { type: 'string', multiple: true }, cohort: { type: 'string' }, department: { type: 'string' }, phase: { type: 'string', multiple: true }, 'audit-to-target': { type: 'boolean' }, 'dry-run': { type: 'boolean' }, report: { type: 'string' },
  store: { type: 'string' }, ig: { type: 'string', multiple: true }, validation: { type: 'string' }, 'max-rejection-rate': { type: 'string' },
  'min-records': { type: 'string' }, 'target-profile': { type: 'string' }, concurrency: { type: 'string' }, 'lease-ms': { type: 'string' }, resume: { type: 'string' }, threads: { type: 'string' },
} as const;

export const migrateCommand: Command = {
  name: 'migrate',
  summary: 'Migrate a source into a FHIR server or NDJSON folder as a resumable job, with a reconciliation report.',
  usage: USAGE,
  async run(args: string[], io: CliIo): Promise<number> {
    const { values } = parseCommandArgs('migrate', args, OPTIONS);
    const store = await openStore(optionalString(values, 'store'), io.cwd);
    try {
      const resume = optionalString(values, 'resume');
      const spec = resume ? (await store.getJob(resume)).spec : buildSpec(values, io);
      const job = await migrate(store, spec, resume, values, io);
      return job.state === 'completed' ? 0 : 1;
    } finally {
      await store.close();
    }
  },
};

async function migrate(store: JobStore, spec: JobSpec, resume: string | undefined, values: ParsedArgs['values'], io: CliIo): Promise<Job> {
  const source = createSource(spec.source.startsWith('csv:') ? `csv:${resolve(io.cwd, spec.source.slice(4))}` : spec.source);
  const target = openTarget(spec.target, io.cwd);
  try {
    const mapsDir = optionalString(values, 'maps') ?? defaultMapsDir(spec.source, io.packageRoot);
    const given = stringList(values, 'conceptmaps');
    const conceptMapDirs = given.length > 0 ? given : [join(io.packageRoot, 'conceptmaps')];
    const igs = stringList(values, 'ig');
    // Started first, it loads while this thread loads the map set; the validation context (the largest part of the heap) is loaded there alone.
    const worker = threads(values) === 0 ? undefined : new RecordWorker({ mapsDir, conceptMapDirs, igs, cwd: io.cwd, packageRoot: io.packageRoot });
    try {
      const mapSet = loadMapSet(mapsDir, conceptMapDirs, io.cwd);
      if (resume && mapSet.versionHash !== spec.mapSet.versionHash) {
        throw new MigrateError('FHIRMIG_ERR_CONFIG_INVALID', `The map set changed since job ${resume} started (${spec.mapSet.versionHash} → ${mapSet.versionHash}).`);
      }
      if (worker && (await worker.ready()) !== mapSet.versionHash) throw new MigrateError('FHIRMIG_ERR_CONFIG_INVALID', 'The map set changed on disk while the migration started.');
      const env: MigrationEnv = {
        store, source, mapSet, target,
        ...(worker ? { processor: worker.processor() } : { validate: buildValidator(igs, io.cwd) }),
        validationPolicy: policy(optionalString(values, 'validation')),
        profile: targetProfileFor(spec.target, optionalString(values, 'target-profile')),
        device: serviceDevice(io),
      };
      return await runPlanned(store, env, spec, resume, values, io);
    } finally {
      await worker?.close();
    }
  } finally {
    await source.close();
    await target.close();
  }
}

async function runPlanned(store: JobStore, env: MigrationEnv, spec: JobSpec, resume: string | undefined, values: ParsedArgs['values'], io: CliIo): Promise<Job> {
  const { mapSet, source, target } = env;
  const planned = resume ? await store.getJob(resume) : await planMigration(store, { ...spec, mapSet: { id: mapSet.id, versionHash: mapSet.versionHash } }, source, mapSet.phases ? { phaseTable: mapSet.phases } : {});
  io.stderr(`job ${planned.id}: ${planned.progress.tasksTotal} task(s)\n`);
  const started = performance.now();
  const controller = new AbortController();
  const onSigint = (): void => controller.abort(new MigrateError('FHIRMIG_ERR_JOB_STATE', 'cancelled by SIGINT'));
  process.once('SIGINT', onSigint);
  let job: Job;
  try {
    job = await runJob(env, planned.id, {
      signal: controller.signal,
      concurrency: positiveInt(values, 'concurrency', 4),
      leaseMs: positiveInt(values, 'lease-ms', 30_000),
      onProgress: (j) => progress(io, j),
    });
  } finally {
    process.removeListener('SIGINT', onSigint);
  }
  const seconds = (performance.now() - started) / 1000;
  const report = await reconcileJob(store, job.id, target);
  const reportFile = optionalString(values, 'report');
  if (reportFile) writeFileSync(resolve(io.cwd, reportFile), `${JSON.stringify(report, null, 2)}\n`);
  io.stdout(`${JSON.stringify(report, null, 2)}\n`);
  io.stderr(`${summary(job, report, seconds)}\n`);
  return job;
}

function buildSpec(values: ParsedArgs['values'], io: CliIo): JobSpec {
  const source = optionalString(values, 'source');
  const target = optionalString(values, 'target');
  if (!source || !target) throw new MigrateError('FHIRMIG_ERR_CLI_USAGE', 'migrate: --source and --target are required (or --resume JOB).');
  const rate = optionalString(values, 'max-rejection-rate');
  const thresholds = rate === undefined ? {} : { maxRejectionRate: Number(rate), minRecords: positiveInt(values, 'min-records', 0) };
  return { source, target, mapSet: { id: '', versionHash: '' }, scope: scopeOf(values, io), options: { dryRun: values['dry-run'] === true, phases: stringList(values, 'phase'), thresholds, ...(values['audit-to-target'] === true ? { auditToTarget: true } : {}) } };
}

function scopeOf(values: ParsedArgs['values'], io: CliIo): JobScope {
  const patients = stringList(values, 'patient');
  const cohort = optionalString(values, 'cohort');
  const department = optionalString(values, 'department');
  if (department !== undefined) {
    if (cohort || patients.length > 0) throw new MigrateError('FHIRMIG_ERR_CLI_USAGE', 'migrate: --department cannot be combined with --patient or --cohort.');
    const eq = department.indexOf('=');
    if (eq < 0) throw new MigrateError('FHIRMIG_ERR_CLI_USAGE', `migrate: --department takes TABLE.COLUMN=VALUE[,VALUE…], not ${department}.`);
    return { kind: 'department', field: department.slice(0, eq), values: department.slice(eq + 1).split(',') };
  }
  if (cohort) {
    const ids = readTextFile(cohort, io.cwd).split(/\r?\n/).map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('#'));
    return { kind: 'cohort', name: cohort, patientIds: [...ids, ...patients] };
  }
  return patients.length > 0 ? { kind: 'patients', patientIds: patients } : { kind: 'all' };
}

function policy(value: string | undefined): ValidationPolicy {
  if (value === undefined || value === 'reject-record' || value === 'warn') return value ?? 'reject-record';
  throw new MigrateError('FHIRMIG_ERR_CLI_USAGE', `migrate: --validation must be reject-record or warn, not ${value}.`);
}

function threads(values: ParsedArgs['values']): number {
  const text = optionalString(values, 'threads');
  if (text === undefined) return DEFAULT_RECORD_THREADS;
  if (text === '0' || text === '1') return Number(text);
  throw new MigrateError('FHIRMIG_ERR_CLI_USAGE', `migrate: --threads must be 0 or 1, not ${text}.`);
}

function positiveInt(values: ParsedArgs['values'], name: string, fallback: number): number {
  const text = optionalString(values, name);
  if (text === undefined) return fallback;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0) throw new MigrateError('FHIRMIG_ERR_CLI_USAGE', `migrate: --${name} must be a whole number, not ${text}.`);
  return n;
}

function progress(io: CliIo, job: Job): void {
  if (!process.stderr.isTTY) return;
  const p = job.progress;
  const width = 30;
  const done = p.tasksTotal === 0 ? width : Math.round((width * p.tasksDone) / p.tasksTotal);
  io.stderr(`\r[${'#'.repeat(done)}${'.'.repeat(width - done)}] ${p.tasksDone}/${p.tasksTotal} patients, ${p.recordsLoaded} loaded, ${p.recordsRejected} rejected`);
}

function summary(job: Job, report: ReconciliationReport, seconds: number): string {
  const t = report.total;
  const written = job.progress.resourcesWritten;
  const rate = seconds > 0 ? Math.round(written / seconds) : 0;
  const mismatch = Object.keys(report.targetMismatches ?? {}).length;
  return `${process.stderr.isTTY ? '\n' : ''}job ${job.id} ${job.state}${job.spec.options.dryRun ? ' (dry run)' : ''}: read ${t.read} = loaded ${t.loaded} + rejected ${t.rejected} + skipped ${t.skipped}`
    + ` (${report.balanced ? 'balanced' : 'NOT balanced'}); ${written} resources written in ${seconds.toFixed(1)} s (${rate}/s)`
    + (mismatch > 0 ? `; target counts differ for ${mismatch} type(s)` : '')
    + (job.error ? `; ${job.error.code}: ${job.error.message}` : '');
}
