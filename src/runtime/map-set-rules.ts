import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { MigrateError } from '../core/index.ts';
import type { TableRule } from '../jobs/index.ts';

/**
 * How a map set folder routes source records (by `ref.kind`) to its maps — one reader for the
 * CLI's and the service's migrations and for intake's `$convert`:
 * - `messages.json` (HL7 v2): message type → map file, or skipped with its reason;
 * - else `document.map` (C-CDA): that map for every document kind;
 * - else `decisions.json` (tables): each table's map, or archived;
 * - else one table per `<table>.map` file.
 */

/** The routing file of a message map set. */
export const MESSAGE_ROUTING = 'messages.json';
/** The entry map of a document map set: it maps every document type. */
export const DOCUMENT_ENTRY_MAP = 'document.map';
/** The table decisions of a table map set. */
export const TABLE_DECISIONS = 'decisions.json';

interface MessageRouting {
  readonly maps?: Readonly<Record<string, string>>;
  readonly skip?: Readonly<Record<string, string>>;
}

interface DecisionTable {
  readonly map: string | null;
  readonly resourceType: string | null;
  readonly rows?: string;
  readonly rowsReason?: string;
  readonly rowRules?: readonly { readonly when: string; readonly reason: string }[];
}

/** Rules by kind, with one rule for every kind not listed (a document map set's entry map). */
class RulesWithDefault extends Map<string, TableRule> {
  readonly #fallback: TableRule;

  constructor(fallback: TableRule) {
    super();
    this.#fallback = fallback;
  }

  override get(kind: string): TableRule {
    return super.get(kind) ?? this.#fallback;
  }
}

/** The rules of the map set in `dir` (see the file comment); `label` names the map set in errors. */
export function mapSetRules(dir: string, maps: ReadonlyMap<string, fhir4.StructureMap>, label: string): Map<string, TableRule> {
  if (existsSync(join(dir, MESSAGE_ROUTING))) return messageRules(dir, maps, label);
  const entry = maps.get(DOCUMENT_ENTRY_MAP);
  if (entry) return new RulesWithDefault({ kind: 'map', map: entry });
  if (existsSync(join(dir, TABLE_DECISIONS))) return decisionRules(dir, maps, label);
  const rules = new Map<string, TableRule>();
  for (const [file, map] of maps) rules.set(file.replace(/\.map$/, ''), { kind: 'map', map });
  return rules;
}

function messageRules(dir: string, maps: ReadonlyMap<string, fhir4.StructureMap>, label: string): Map<string, TableRule> {
  const routing = JSON.parse(readFileSync(join(dir, MESSAGE_ROUTING), 'utf8')) as MessageRouting;
  const rules = new Map<string, TableRule>();
  for (const [kind, file] of Object.entries(routing.maps ?? {})) {
    const map = maps.get(file);
    if (!map) throw new MigrateError('FHIRMIG_ERR_MAP_NOT_FOUND', `${label}: ${MESSAGE_ROUTING} names ${file} for ${kind}, which is not in ${dir}.`);
    rules.set(kind, { kind: 'map', map });
  }
  for (const [kind, reason] of Object.entries(routing.skip ?? {})) rules.set(kind, { kind: 'archive', reason });
  return rules;
}

function decisionRules(dir: string, maps: ReadonlyMap<string, fhir4.StructureMap>, label: string): Map<string, TableRule> {
  const tables = (JSON.parse(readFileSync(join(dir, TABLE_DECISIONS), 'utf8')) as { tables: Record<string, DecisionTable> }).tables;
  const rules = new Map<string, TableRule>();
  for (const [table, decision] of Object.entries(tables)) {
    const map = decision.map ? maps.get(decision.map) : undefined;
    if (decision.rows === 'archive' || !decision.map) rules.set(table, { kind: 'archive', reason: decision.rowsReason ?? 'table archived by decision' });
    else if (!map) throw new MigrateError('FHIRMIG_ERR_MAP_NOT_FOUND', `${label}: ${TABLE_DECISIONS} names ${decision.map} for ${table}, which is not in ${dir}.`);
    else {
      const skipReason = decision.rowRules?.map((r) => r.when).join('; ');
      rules.set(table, { kind: 'map', map, ...(decision.resourceType ? { resourceType: decision.resourceType } : {}), ...(skipReason ? { skipReason } : {}) });
    }
  }
  return rules;
}
