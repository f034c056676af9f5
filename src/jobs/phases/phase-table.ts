import { MigrateError } from '../../core/index.ts';

/**
 * Priority phases as data (issue 5, "Migration practice"): critical data first, clinical history
 * next, administrative and billing last. A rule matches a resource by type and, optionally, by
 * the code(s) of one top-level element (a `code` string such as `status`, or a CodeableConcept
 * such as `clinicalStatus`). The first matching rule, in phase order, gives the resource's own
 * phase; a resource of no listed type goes to `defaultPhase`. A map set overrides the table with
 * a `phases.json` of the same shape in its folder.
 */
export interface PhaseRule {
  readonly resourceType: string;
  /** A top-level element whose code decides (e.g. `status`, `clinicalStatus`). */
  readonly element?: string;
  /** The codes that match (with `element`). */
  readonly codes?: readonly string[];
}

export interface PhaseDefinition {
  readonly name: string;
  readonly rules: readonly PhaseRule[];
}

export interface PhaseTable {
  /** In priority order: the first runs first. */
  readonly phases: readonly PhaseDefinition[];
  /** The phase of a resource no rule names. */
  readonly defaultPhase: string;
}

const types = (...names: string[]): PhaseRule[] => names.map((resourceType) => ({ resourceType }));
const PENDING = ['active', 'draft', 'on-hold'];

export const DEFAULT_PHASE_TABLE: PhaseTable = {
  phases: [
    {
      name: 'critical',
      rules: [
        ...types('Patient', 'AllergyIntolerance', 'MedicationRequest', 'MedicationStatement'),
        { resourceType: 'Condition', element: 'clinicalStatus', codes: ['active', 'recurrence', 'relapse'] },
        { resourceType: 'ServiceRequest', element: 'status', codes: PENDING },
      ],
    },
    {
      name: 'clinical',
      rules: types('Encounter', 'Observation', 'Procedure', 'Immunization', 'DiagnosticReport', 'DocumentReference', 'ImagingStudy',
        'CarePlan', 'CareTeam', 'Condition', 'ServiceRequest', 'MedicationAdministration', 'MedicationDispense', 'Device', 'Goal',
        'SupplyDelivery', 'Media', 'Specimen', 'FamilyMemberHistory', 'ClinicalImpression'),
    },
    {
      name: 'administrative',
      rules: types('Claim', 'ClaimResponse', 'ExplanationOfBenefit', 'Coverage', 'CoverageEligibilityRequest', 'CoverageEligibilityResponse',
        'Account', 'ChargeItem', 'Invoice', 'PaymentNotice', 'PaymentReconciliation'),
    },
  ],
  defaultPhase: 'clinical',
};

/** The index (priority) of a phase by name; throws FHIRMIG_ERR_JOB_PHASE naming the known ones. */
export function phaseIndex(table: PhaseTable, name: string): number {
  const index = table.phases.findIndex((p) => p.name === name);
  if (index < 0) throw new MigrateError('FHIRMIG_ERR_JOB_PHASE', `Unknown phase '${name}' (the map set's phases: ${table.phases.map((p) => p.name).join(', ')}).`);
  return index;
}

/** The phases a job runs, in priority order: the requested ones (all when none is named). */
export function selectPhases(table: PhaseTable, requested: readonly string[]): string[] {
  if (requested.length === 0) return table.phases.map((p) => p.name);
  const wanted = new Set(requested.map((name) => table.phases[phaseIndex(table, name)]?.name));
  return table.phases.map((p) => p.name).filter((name) => wanted.has(name));
}

function codesOf(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  const coding = (value as fhir4.CodeableConcept | undefined)?.coding ?? [];
  return coding.map((c) => c.code).filter((c): c is string => typeof c === 'string');
}

function matches(rule: PhaseRule, resource: fhir4.Resource): boolean {
  if (rule.resourceType !== resource.resourceType) return false;
  if (rule.element === undefined) return true;
  const codes = codesOf((resource as unknown as Record<string, unknown>)[rule.element]);
  return codes.some((code) => rule.codes?.includes(code) === true);
}

/** A resource's own phase index (before the reference rule). */
export function ownPhase(table: PhaseTable, resource: fhir4.Resource): number {
  const index = table.phases.findIndex((p) => p.rules.some((rule) => matches(rule, resource)));
  return index >= 0 ? index : phaseIndex(table, table.defaultPhase);
}

/**
 * The phase of a record known only by its resource type (rejected or skipped before it became a
 * resource): the first rule naming the type without an element condition, else the default phase.
 * A record of no known type (a source parse error, an archived table) goes to the first phase.
 */
export function phaseOfType(table: PhaseTable, resourceType: string | undefined): number {
  if (resourceType === undefined) return 0;
  const index = table.phases.findIndex((p) => p.rules.some((rule) => rule.resourceType === resourceType && rule.element === undefined));
  return index >= 0 ? index : phaseIndex(table, table.defaultPhase);
}

/** Checks a `phases.json` (parsed JSON) and returns the table; every problem is located. */
export function parsePhaseTable(value: unknown, location: string): PhaseTable {
  const fail = (path: string, message: string): never => {
    throw new MigrateError('FHIRMIG_ERR_JOB_PHASE', `${location}: ${path}: ${message}`);
  };
  const root = value as { phases?: unknown; defaultPhase?: unknown } | null;
  if (root === null || typeof root !== 'object' || !Array.isArray(root.phases) || root.phases.length === 0) return fail('phases', 'must be a non-empty array');
  const phases = root.phases.map((phase: unknown, i: number): PhaseDefinition => {
    const p = phase as { name?: unknown; rules?: unknown } | null;
    if (p === null || typeof p !== 'object' || typeof p.name !== 'string' || p.name === '') return fail(`phases[${i}].name`, 'must be a non-empty string');
    if (!Array.isArray(p.rules)) return fail(`phases[${i}].rules`, 'must be an array');
    return { name: p.name, rules: p.rules.map((rule: unknown, j: number) => parseRule(rule, `phases[${i}].rules[${j}]`, fail)) };
  });
  const names = phases.map((p) => p.name);
  const duplicate = names.find((name, i) => names.indexOf(name) !== i);
  if (duplicate !== undefined) fail('phases', `phase '${duplicate}' is named twice`);
  const defaultPhase = root.defaultPhase ?? names[0];
  if (typeof defaultPhase !== 'string' || !names.includes(defaultPhase)) return fail('defaultPhase', `must name one of the phases (${names.join(', ')})`);
  return { phases, defaultPhase };
}

function parseRule(value: unknown, path: string, fail: (path: string, message: string) => never): PhaseRule {
  const rule = value as { resourceType?: unknown; element?: unknown; codes?: unknown } | null;
  if (rule === null || typeof rule !== 'object' || typeof rule.resourceType !== 'string' || !/^[A-Z][A-Za-z]+$/.test(rule.resourceType)) {
    return fail(`${path}.resourceType`, 'must be a FHIR resource type name');
  }
  if (rule.element === undefined) return { resourceType: rule.resourceType };
  if (typeof rule.element !== 'string' || !Array.isArray(rule.codes) || !rule.codes.every((c) => typeof c === 'string')) {
    return fail(`${path}`, 'element must be a string with codes an array of strings');
  }
  return { resourceType: rule.resourceType, element: rule.element, codes: rule.codes as string[] };
}
