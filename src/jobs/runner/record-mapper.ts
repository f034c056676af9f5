import { createIssue, deterministicResourceId, isMigrateError } from '../../core/index.ts';
import type { SourceRecord } from '../../core/index.ts';
import { indexIdentifiers, resolveLogicalReferences } from './references.ts';
import type { IdentifierIndex } from './references.ts';
import type { MapSet, MappedRecord } from './types.ts';

/** Identifier systems the message and document map sets put their lineage key under (`…/source/hl7v2`, `…/source/ccda`). */
const LINEAGE_SYSTEM_PREFIX = 'https://fhir-migrate.dev/source/';

export interface MapRecordOptions {
  /** The namespace of the deterministic ids; default the record's source (`ref.source`). */
  readonly idNamespace?: string;
  /**
   * What a Bundle member's id derives from: `record` (default, migrations) the record's kind and
   * key with the member's lineage key — message control ids repeat across a feed, so two messages
   * never share a resource; `lineage` (intake) the lineage key alone, so a re-sent message
   * writes the same resources.
   */
  readonly memberIds?: 'record' | 'lineage';
}

/**
 * Maps one source record by its table's rule: the table's map on the row (plus `_key`, the
 * record key, as the map set conventions ask), an archived table (or message type) skipped by
 * decision, a map that produces an empty resource (or an empty Bundle) skipped by its row rule.
 * A map that produces a Bundle (HL7 v2 messages, C-CDA documents) gives all its resources, each
 * with the deterministic id of its lineage key; a resource gets the id of the record key.
 */
export function mapRecord(mapSet: MapSet, record: SourceRecord, options: MapRecordOptions = {}): MappedRecord {
  const rule = mapSet.tables.get(record.ref.kind);
  if (!rule) return rejected(record, 'FHIRMIG_ERR_MAP_NOT_FOUND', `No map (and no skip rule) for source kind '${record.ref.kind}' in map set ${mapSet.id}`);
  if (rule.kind === 'archive') return { state: 'skipped', record, rule: `archived: ${rule.reason}` };
  let produced: fhir4.Resource;
  try {
    produced = mapSet.engine.transform(rule.map, mapInput(record)) as fhir4.Resource;
  } catch (error) {
    const code = isMigrateError(error) ? error.code : 'FHIRMIG_ERR_CORE_INTERNAL';
    return rejected(record, code, (error as Error).message, rule.resourceType);
  }
  const namespace = options.idNamespace ?? record.ref.source;
  const resources = produced.resourceType === 'Bundle' ? unpack(produced as fhir4.Bundle, record, namespace, options.memberIds ?? 'record') : Object.keys(produced).length <= 1 ? [] : [produced];
  if (resources.length === 0) {
    return { state: 'skipped', record, rule: `row-rule: ${rule.skipReason ?? 'the map produced no resource'}`, ...(rule.resourceType ? { resourceType: rule.resourceType } : {}) };
  }
  if (produced.resourceType !== 'Bundle') produced.id = recordResourceId(namespace, record, produced.resourceType);
  return { state: 'mapped', record, resources };
}

/** What a table's map reads: the row, plus `_key`, the record key (the map set conventions). */
export function mapInput(record: SourceRecord): object {
  return { ...(record.data as object), _key: record.key };
}

/** The deterministic id of the one resource a table row maps to. */
export function recordResourceId(namespace: string, record: SourceRecord, resourceType: string): string {
  return deterministicResourceId(namespace, `${record.ref.kind}/${record.key}`, resourceType);
}

/** The lineage key a message or document map put on the resource (its identifier under `…/source/<kind>`). */
export function lineageKey(resource: fhir4.Resource): string | undefined {
  const identifiers = (resource as { identifier?: fhir4.Identifier[] }).identifier ?? [];
  return identifiers.find((i) => i.system?.startsWith(LINEAGE_SYSTEM_PREFIX) && i.value)?.value;
}

/**
 * The members of a map's Bundle, each with the deterministic id of its lineage key (a re-read
 * message writes the same resources); members without one take the record key and position.
 * Entries that share a lineage key (C-CDA `…/no-id`) are told apart by their position. Logical
 * references between the members (Reference.identifier, as the maps write them) are resolved
 * here, within the record: another message with the same lineage keys never captures them.
 */
function unpack(bundle: fhir4.Bundle, record: SourceRecord, namespace: string, memberIds: 'record' | 'lineage'): fhir4.Resource[] {
  const used = new Set<string>();
  const index: IdentifierIndex = new Map();
  const members = (bundle.entry ?? []).flatMap((entry, i) => {
    const resource = entry.resource;
    if (!resource) return [];
    const lineage = lineageKey(resource) ?? `${record.key}/${i}`;
    const key = used.has(`${resource.resourceType}|${lineage}`) ? `${lineage}#${i}` : lineage;
    used.add(`${resource.resourceType}|${key}`);
    const name = memberIds === 'lineage' ? key : `${record.ref.kind}/${record.key}/${key}`;
    const member = { ...resource, id: deterministicResourceId(namespace, name, resource.resourceType) } as fhir4.Resource;
    indexIdentifiers(index, member);
    return [member];
  });
  return members.map((member) => resolveLogicalReferences(member, index));
}

function rejected(record: SourceRecord, code: string, message: string, resourceType?: string): MappedRecord {
  const issue = createIssue('error', 'processing', message, record.ref.locator);
  return { state: 'rejected', record, code, issues: [issue], ...(resourceType ? { resourceType } : {}) };
}
