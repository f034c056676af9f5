import { join } from 'node:path';
import { MigrateError, deterministicResourceId, isMigrateError } from '../../core/index.ts';
import type { ErrorCode, SourceRef } from '../../core/index.ts';
import { StructureMapEngine, createR4TypeModel } from '../../mapping/index.ts';
import type { UnmappedCodeInfo } from '../../mapping/index.ts';
import { loadConceptMaps, loadMapFile, loadR4StructureDefinitions } from '../../runtime/index.ts';
import type { DemoDataset, LegacyRow } from './demo-dataset.ts';

export const DEMO_SOURCE = 'demo-legacy-ehr';
const MRN_SYSTEM = 'urn:oid:2.16.840.1.113883.3.9999.1';

export type RecordOutcome =
  | { readonly state: 'loaded'; readonly ref: SourceRef; readonly resource: fhir4.Resource }
  | { readonly state: 'rejected'; readonly ref: SourceRef; readonly code: ErrorCode; readonly reason: string }
  | { readonly state: 'skipped'; readonly ref: SourceRef; readonly rule: string };

export interface UnmappedCode {
  readonly table: string;
  readonly rule: string;
  readonly code: string;
  readonly conceptMap: string;
}

/** Validates a produced resource; returns its OperationOutcome. */
export type ResourceValidator = (resource: fhir4.Resource) => fhir4.OperationOutcome;

export interface DemoRun {
  readonly outcomes: RecordOutcome[];
  readonly unmapped: UnmappedCode[];
}

interface TableSpec {
  readonly table: string;
  readonly map: string;
  readonly key: (row: LegacyRow) => string;
  readonly resourceType: string;
}

const PATIENTS: TableSpec = { table: 'patients', map: 'patient.map', key: (r) => r.mrn ?? '', resourceType: 'Patient' };
const LABS: TableSpec = { table: 'lab_results', map: 'lab-result.map', key: (r) => r.result_id ?? '', resourceType: 'Observation' };

/** The mapping side of the demo: each legacy row through its FML map, ending loaded, rejected or skipped. */
export class DemoPipeline {
  private readonly engine: StructureMapEngine;
  private readonly maps: Map<string, fhir4.StructureMap>;
  private unmappedSink: UnmappedCodeInfo[] = [];

  private readonly validate: ResourceValidator;

  constructor(packageRoot: string, validate: ResourceValidator) {
    this.validate = validate;
    const typeModel = createR4TypeModel(loadR4StructureDefinitions());
    const conceptMaps = new Map(loadConceptMaps([join(packageRoot, 'conceptmaps')], packageRoot).map((m) => [m.url ?? '', m]));
    this.maps = new Map([PATIENTS, LABS].map((t) => [t.map, loadMapFile(join(packageRoot, 'maps', 'demo', t.map), packageRoot)]));
    this.engine = new StructureMapEngine({
      typeModel,
      resolveConceptMap: (url) => conceptMaps.get(url),
      onUnmappedCode: (info) => this.unmappedSink.push(info),
    });
  }

  run(dataset: DemoDataset): DemoRun {
    const outcomes: RecordOutcome[] = [];
    const unmapped: UnmappedCode[] = [];
    const patientIds = new Map<string, string>();
    dataset.patients.forEach((row, index) => {
      const outcome = this.mapRow(PATIENTS, row, index, unmapped);
      if (outcome.state === 'loaded' && outcome.resource.id) patientIds.set(row.mrn ?? '', outcome.resource.id);
      outcomes.push(outcome);
    });
    dataset.labResults.forEach((row, index) => {
      const ref = this.refOf(LABS, row, index);
      if (!patientIds.has(row.mrn ?? '')) {
        outcomes.push({ state: 'skipped', ref, rule: 'patient-not-migrated: the result\'s patient was rejected' });
        return;
      }
      const outcome = this.mapRow(LABS, row, index, unmapped);
      if (outcome.state === 'loaded') resolveSubject(outcome.resource as fhir4.Observation, patientIds);
      outcomes.push(outcome);
    });
    return { outcomes, unmapped };
  }

  private refOf(spec: TableSpec, row: LegacyRow, index: number): SourceRef {
    return { source: DEMO_SOURCE, kind: spec.table, locator: `${spec.table}.csv:${index + 2}#${spec.key(row)}` };
  }

  private mapRow(spec: TableSpec, row: LegacyRow, index: number, unmapped: UnmappedCode[]): RecordOutcome {
    const ref = this.refOf(spec, row, index);
    this.unmappedSink = [];
    try {
      const resource = this.engine.transform(this.maps.get(spec.map) as fhir4.StructureMap, row) as fhir4.Resource;
      resource.id = deterministicResourceId(DEMO_SOURCE, `${spec.table}#${spec.key(row)}`, spec.resourceType);
      for (const info of this.unmappedSink) unmapped.push({ table: spec.table, rule: info.rule, code: info.code ?? '', conceptMap: info.conceptMap });
      const errors = this.validate(resource).issue.filter((i) => i.severity === 'error' || i.severity === 'fatal');
      if (errors.length > 0) {
        const reason = errors.map((i) => `${i.expression?.[0] ?? resource.resourceType}: ${i.diagnostics ?? i.code}`).join('; ');
        return { state: 'rejected', ref, code: 'FHIRMIG_ERR_VALIDATION_FAILED', reason };
      }
      return { state: 'loaded', ref, resource };
    } catch (error) {
      if (!isMigrateError(error)) throw error;
      return { state: 'rejected', ref, code: error.code, reason: error.message };
    }
  }
}

/** Turns the map's logical reference (MRN identifier) into the migrated Patient's id. */
function resolveSubject(observation: fhir4.Observation, patientIds: Map<string, string>): void {
  const identifier = observation.subject?.identifier;
  if (identifier?.system !== MRN_SYSTEM || !identifier.value) {
    throw new MigrateError('FHIRMIG_ERR_MAP_INVALID', 'Lab result map produced no patient identifier.');
  }
  observation.subject = { reference: `Patient/${patientIds.get(identifier.value) ?? ''}`, identifier };
}
