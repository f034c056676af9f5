import type { MappedRow, Resource } from './support.ts';

/**
 * Brings a resource of either path (Synthea CSV maps, legacy SQL maps) to a comparable form:
 * lineage and source-only identifiers go, logical references become `kind/natural key` (the
 * Synthea UUIDs the legacy rows keep in source_uuid / visit_number), and what only one source
 * holds is left out — by name, per resource type, so that everything else must be equal.
 */

const LINEAGE = 'https://fhir-migrate.dev/source/';
const SQL_ONLY_IDENTIFIERS = new Set(['https://fhir-migrate.dev/sql-example/mrn', 'https://fhir-migrate.dev/sql-example/visit-number', 'https://fhir-migrate.dev/sql-example/accession']);
const REFERENCE_KINDS: Readonly<Record<string, string>> = {
  'synthea-csv/patients': 'Patient', 'synthea-csv/encounters': 'Encounter', 'synthea-csv/providers': 'Practitioner', 'synthea-csv/organizations': 'Organization',
  'sql-example/patients': 'Patient', 'sql-example/visits': 'Encounter', 'sql-example/providers': 'Practitioner', 'sql-example/facilities': 'Organization',
};

/** Legacy integer keys → the Synthea UUIDs the legacy rows carry. */
export interface KeyLookup {
  readonly patients: ReadonlyMap<string, string>;
  readonly visits: ReadonlyMap<string, string>;
}

export function sqlKeyLookup(rows: readonly MappedRow[]): KeyLookup {
  const of = (table: string, column: string): Map<string, string> =>
    new Map(rows.filter((r) => r.table === table).map((r) => [r.key, String(r.row[column])]));
  return { patients: of('patients', 'source_uuid'), visits: of('visits', 'visit_number') };
}

export function comparable(resource: Resource, lookup?: KeyLookup): Record<string, unknown> {
  const copy = normaliseNode(structuredClone(resource), lookup) as Record<string, unknown>;
  dropSourceOnlyParts(copy);
  return copy;
}

function normaliseNode(node: unknown, lookup: KeyLookup | undefined): unknown {
  if (Array.isArray(node)) return node.map((n) => normaliseNode(n, lookup));
  if (typeof node !== 'object' || node === null) return node;
  const object = node as Record<string, unknown>;
  const reference = logicalReference(object, lookup);
  if (reference) return { reference };
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(object)) {
    if (key === 'identifier' && Array.isArray(value)) {
      const kept = value.filter((id: { system?: string }) => !id.system?.startsWith(LINEAGE) && !SQL_ONLY_IDENTIFIERS.has(id.system ?? ''));
      if (kept.length > 0) out[key] = normaliseNode(kept, lookup);
    } else out[key] = normaliseNode(value, lookup);
  }
  return out;
}

function logicalReference(object: Record<string, unknown>, lookup: KeyLookup | undefined): string | undefined {
  const id = object['identifier'] as { system?: string; value?: string } | undefined;
  if (Object.keys(object).length !== 1 || !id || Array.isArray(id) || !id.system?.startsWith(LINEAGE)) return undefined;
  const table = id.system.slice(LINEAGE.length);
  const kind = REFERENCE_KINDS[table];
  if (!kind) throw new Error(`unexpected reference to ${table}`);
  const value = table === 'sql-example/patients' ? lookup?.patients.get(id.value ?? '') : table === 'sql-example/visits' ? lookup?.visits.get(id.value ?? '') : id.value;
  return `${kind}/${value ?? `unknown:${id.value}`}`;
}

/** What one of the two sources does not hold (named here so that everything else is compared). */
function dropSourceOnlyParts(resource: Record<string, unknown>): void {
  switch (resource['resourceType']) {
    case 'Patient': {
      // Synthea CSV only: birthplace and the address geolocation.
      resource['extension'] = (resource['extension'] as { url: string }[] | undefined)?.filter((e) => !e.url.endsWith('patient-birthPlace'));
      for (const address of (resource['address'] as Record<string, unknown>[] | undefined) ?? []) delete address['extension'];
      return;
    }
    case 'MedicationRequest':
      // The legacy table keeps the reason code, not its description.
      resource['reasonCode'] = (resource['reasonCode'] as { coding: { system: string; code: string }[] }[] | undefined)?.map((r) => ({ coding: r.coding.map(({ system, code }) => ({ system, code })) }));
      return;
    case 'AllergyIntolerance':
      // The legacy table has one reaction per allergy.
      if (Array.isArray(resource['reaction'])) resource['reaction'] = resource['reaction'].slice(0, 1);
      return;
    case 'Observation':
      // Reference range and abnormal flag exist only in the legacy lab table.
      delete resource['referenceRange'];
      delete resource['interpretation'];
      return;
    case 'ImagingStudy':
      // The legacy table has the SOP class UID without its description.
      for (const series of (resource['series'] as { instance?: Record<string, unknown>[] }[] | undefined) ?? []) {
        for (const instance of series.instance ?? []) {
          delete instance['title'];
          delete (instance['sopClass'] as Record<string, unknown> | undefined)?.['display'];
        }
      }
      return;
    default:
      return;
  }
}

/** JSON with sorted keys, so that property order does not matter. */
export function stableJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    typeof v === 'object' && v !== null && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).filter(([, x]) => x !== undefined).sort(([a], [b]) => a.localeCompare(b))) : v,
  );
}
