import { MigrateError } from '../core/index.ts';
import { DICOM_DCM_SYSTEM, JOB_STEP_SYSTEM, JOB_TAG_SYSTEM, jobTag } from './codes.ts';

/** The job steps that leave an AuditEvent (DESIGN.md §5). */
export type JobStep = 'start' | 'dry-run' | 'phase' | 'rollback' | 'export' | 'intake';

export type AuditOutcome = 'success' | 'minor-failure' | 'serious-failure' | 'major-failure';

export interface AuditEventOptions {
  readonly id: string;
  readonly step: JobStep;
  readonly jobId: string;
  /** ISO instant of the step. */
  readonly recorded: string;
  /** The service Device. */
  readonly device: fhir4.Reference;
  readonly outcome?: AuditOutcome;
  /** Why it failed, or what it did (no PHI: counts, phase names, error codes). */
  readonly description?: string;
  /** Step facts as name → value, e.g. `{ phase: 'critical', loaded: 120 }`. */
  readonly details?: Readonly<Record<string, string | number | boolean>>;
  /** Where the service runs (AuditEvent.source.site). */
  readonly site?: string;
}

const STEP_ACTION: Record<JobStep, fhir4.AuditEvent['action']> = {
  start: 'E',
  'dry-run': 'E',
  phase: 'C',
  rollback: 'D',
  export: 'R',
  intake: 'C',
};

const STEP_DISPLAY: Record<JobStep, string> = {
  start: 'Migration job started',
  'dry-run': 'Migration dry run',
  phase: 'Migration phase loaded',
  rollback: 'Migration rolled back',
  export: 'Bulk Data export',
  intake: 'Pipeline intake',
};

const OUTCOME_CODE: Record<AuditOutcome, fhir4.AuditEvent['outcome']> = {
  success: '0',
  'minor-failure': '4',
  'serious-failure': '8',
  'major-failure': '12',
};

/** An AuditEvent for one job step: DICOM "Application Activity" with the step as subtype. */
export function buildAuditEvent(options: AuditEventOptions): fhir4.AuditEvent {
  const action = STEP_ACTION[options.step];
  if (!action) throw new MigrateError('FHIRMIG_ERR_CORE_INTERNAL', `Unknown job step ${String(options.step)}`);
  return {
    resourceType: 'AuditEvent',
    id: options.id,
    meta: { tag: [jobTag(options.jobId)] },
    type: { system: DICOM_DCM_SYSTEM, code: '110100', display: 'Application Activity' },
    subtype: [{ system: JOB_STEP_SYSTEM, code: options.step, display: STEP_DISPLAY[options.step] }],
    action,
    recorded: options.recorded,
    outcome: OUTCOME_CODE[options.outcome ?? 'success'],
    ...(options.description ? { outcomeDesc: options.description } : {}),
    agent: [{ who: options.device, requestor: false }],
    source: { observer: options.device, ...(options.site ? { site: options.site } : {}) },
    entity: [
      {
        what: { identifier: { system: JOB_TAG_SYSTEM, value: options.jobId } },
        type: { system: 'http://terminology.hl7.org/CodeSystem/audit-entity-type', code: '2', display: 'System Object' },
        detail: Object.entries(options.details ?? {}).map(([type, value]) => ({ type, valueString: String(value) })),
      },
    ],
  };
}
