import { createHash } from 'node:crypto';
import { MigrateError, createIssue, createOutcome } from '../core/index.ts';
import type { SourceRecord, SourceRef } from '../core/index.ts';
import { lineageKey, mapRecord } from '../jobs/index.ts';
import type { MapSet } from '../jobs/index.ts';
import { isSourceRejection, parseCcdaText, parseHl7v2Text } from '../sources/index.ts';
import type { SourceItem } from '../sources/index.ts';
import { audited } from './audit.ts';
import type { IntakeRun } from './audit.ts';
import type { ConvertInput, IntakeDeps, IntakeLineage, IntakeReply } from './types.ts';

const SOURCE = 'intake';

type LineageFor = (sources: readonly SourceRef[], overrides?: Partial<IntakeLineage>) => IntakeLineage;
type TakeTransaction = (deps: IntakeDeps, lineage: IntakeLineage, bundle: fhir4.Bundle, hash: string, labels?: ReadonlyMap<number, string>) => Promise<IntakeRun>;

/**
 * `$convert`: one HL7 v2 message or C-CDA document → parsed by the source connector's text entry
 * point → mapped by the map set's rule for its type (src/jobs mapRecord, as a migration does) →
 * the produced resources taken in as a transaction (validated, translated, forwarded with a
 * Provenance whose entities are the SourceRefs: MSH-10 + segment, document id + entry).
 */
export async function convertMessage(deps: IntakeDeps, input: ConvertInput, lineageFor: LineageFor, take: TakeTransaction): Promise<IntakeReply> {
  const hash = createHash('sha256').update(input.text).digest('hex');
  const lineage = lineageFor([{ source: SOURCE, kind: input.inputType, locator: `sha256:${hash}` }], { activity: 'migrate' });
  return audited(deps, lineage, 'intake.convert', async () => {
    const mapSet = selectMapSet(deps, input);
    const record = await parseOne(input);
    const facts = { inputType: input.inputType, messageType: record.ref.kind, mapSet: mapSet.id, inputHash: hash };
    const run = await mapAndTake(deps, { ...lineage, mapSet: { id: mapSet.id, versionHash: mapSet.versionHash } }, mapSet, record, hash, take);
    return { reply: run.reply, facts: { ...facts, ...run.facts } };
  });
}

function selectMapSet(deps: IntakeDeps, input: ConvertInput): MapSet {
  const name = input.mapSet ?? input.inputType;
  const mapSet = deps.mapSets.get(name);
  if (!mapSet) throw new MigrateError('FHIRMIG_ERR_INTAKE_INPUT', `$convert: no map set "${name}" is configured (intake.mapSets: ${[...deps.mapSets.keys()].join(', ') || 'none'}).`);
  return mapSet;
}

async function parseOne(input: ConvertInput): Promise<SourceRecord> {
  let items: SourceItem[];
  switch (input.inputType) {
    case 'hl7v2':
      items = await parseHl7v2Text(input.text, { source: SOURCE, name: 'request' });
      break;
    case 'ccda':
      items = [parseCcdaText(input.text, { source: SOURCE, name: 'request' })];
      break;
    default:
      throw new MigrateError('FHIRMIG_ERR_INTAKE_INPUT', `$convert: unknown inputType "${String(input.inputType)}" (hl7v2 or ccda).`);
  }
  if (items.length !== 1) throw new MigrateError('FHIRMIG_ERR_INTAKE_INPUT', `$convert takes one message or document; the input holds ${items.length}.`);
  const item = items[0] as SourceItem;
  if (isSourceRejection(item)) {
    // The connector's message already names the place (request#1/MSG00001, segment, field).
    throw new MigrateError(item.code, item.message, item.field ? { location: { expression: item.field } } : {});
  }
  return item;
}

async function mapAndTake(deps: IntakeDeps, lineage: IntakeLineage, mapSet: MapSet, record: SourceRecord, hash: string, take: TakeTransaction): Promise<IntakeRun> {
  const mapped = mapRecord(mapSet, record, { idNamespace: `${SOURCE}:${mapSet.id}`, memberIds: 'lineage' });
  switch (mapped.state) {
    case 'skipped': {
      const message = `${record.ref.kind} ${record.ref.locator} was not converted: skipped by rule (${mapped.rule}); nothing was forwarded.`;
      return { reply: { status: 200, resource: createOutcome([createIssue('warning', 'informational', message)]) }, facts: { skipped: mapped.rule, written: 0 } };
    }
    case 'rejected': {
      if (mapped.code === 'FHIRMIG_ERR_MAP_NOT_FOUND') throw new MigrateError('FHIRMIG_ERR_INTAKE_UNMAPPED', `Map set ${mapSet.id} has no map and no skip rule for ${record.ref.kind} (${record.ref.locator}).`);
      throw new MigrateError(mapped.code as MigrateError['code'], mapped.issues.map((i) => i.diagnostics).join('; '), { location: { file: record.ref.locator } });
    }
    case 'mapped': {
      const { bundle, labels, sources } = toTransaction(record, mapped.resources);
      return take(deps, { ...lineage, sources: [...lineage.sources, record.ref, ...sources] }, bundle, hash, labels);
    }
    default:
      throw new MigrateError('FHIRMIG_ERR_CORE_INTERNAL', 'Unknown mapping outcome.');
  }
}

/**
 * The mapped resources as a transaction of PUTs: mapRecord gave them deterministic ids from their
 * lineage keys (a re-sent message writes the same resources) and resolved the logical references
 * between them (Reference.identifier, as the maps write them), as it does for the job runner.
 */
function toTransaction(record: SourceRecord, resources: readonly fhir4.Resource[]) {
  const labels = new Map<number, string>();
  const sources: SourceRef[] = [];
  const entry: fhir4.BundleEntry[] = resources.map((resource, i) => {
    const key = lineageKey(resource) ?? `${resource.resourceType}/${resource.id ?? ''}`;
    labels.set(i, `${record.ref.kind} ${key}`);
    sources.push({ source: SOURCE, kind: record.ref.kind, locator: key });
    return { fullUrl: `urn:uuid:${resource.id ?? ''}`, resource: resource as fhir4.FhirResource, request: { method: 'PUT', url: `${resource.resourceType}/${resource.id ?? ''}` } };
  });
  return { bundle: { resourceType: 'Bundle', type: 'transaction', entry } as fhir4.Bundle, labels, sources };
}
