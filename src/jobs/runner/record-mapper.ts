import { createIssue, deterministicResourceId, isMigrateError } from '../../core/index.ts';
import type { SourceRecord } from '../../core/index.ts';
import type { MapSet, MappedRecord } from './types.ts';

/**
 * Maps one source record by its table's rule: the table's map on the row (plus `_key`, the
 * record key, as the map set conventions ask), an archived table skipped by decision, a map that
 * produces an empty resource skipped by its row rule. The resource gets its deterministic id.
 */
export function mapRecord(mapSet: MapSet, record: SourceRecord): MappedRecord {
  const rule = mapSet.tables.get(record.ref.kind);
  if (!rule) return rejected(record, 'FHIRMIG_ERR_MAP_NOT_FOUND', `No map for source table '${record.ref.kind}' in map set ${mapSet.id}`);
  if (rule.kind === 'archive') return { state: 'skipped', record, rule: `archived: ${rule.reason}` };
  let resource: fhir4.Resource;
  try {
    resource = mapSet.engine.transform(rule.map, { ...(record.data as object), _key: record.key }) as fhir4.Resource;
  } catch (error) {
    const code = isMigrateError(error) ? error.code : 'FHIRMIG_ERR_CORE_INTERNAL';
    return rejected(record, code, (error as Error).message, rule.resourceType);
  }
  if (Object.keys(resource).length <= 1) {
    return { state: 'skipped', record, rule: `row-rule: ${rule.skipReason ?? 'the map produced no resource'}`, ...(rule.resourceType ? { resourceType: rule.resourceType } : {}) };
  }
  resource.id = deterministicResourceId(record.ref.source, `${record.ref.kind}/${record.key}`, resource.resourceType);
  return { state: 'mapped', record, resource };
}

function rejected(record: SourceRecord, code: string, message: string, resourceType?: string): MappedRecord {
  const issue = createIssue('error', 'processing', message, record.ref.locator);
  return { state: 'rejected', record, code, issues: [issue], ...(resourceType ? { resourceType } : {}) };
}
