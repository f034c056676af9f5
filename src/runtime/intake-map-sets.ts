import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { MigrateError } from '../core/index.ts';
import type { MapSet, TableRule } from '../jobs/index.ts';
import { StructureMapEngine } from '../mapping/index.ts';
import { loadMapFile } from './mapping-context.ts';
import type { ServiceContext } from './service-context.ts';

/** The entry map of a document map set: it maps every document type. */
const DOCUMENT_ENTRY_MAP = 'document.map';
/** The routing file of a message map set: message type → map file, or a skip reason. */
const MESSAGE_ROUTING = 'messages.json';

interface MessageRouting {
  readonly maps: Readonly<Record<string, string>>;
  readonly skip?: Readonly<Record<string, string>>;
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

/**
 * A `$convert` map set from its folder: every `*.map` compiled; routed by `messages.json` (HL7 v2:
 * type → map, or skipped with its reason) or, without one, `document.map` for every kind (C-CDA).
 * ConceptMaps and the type model are the service's; imports resolve among the folder's maps.
 */
export function loadIntakeMapSet(name: string, dir: string, context: ServiceContext, cwd: string): MapSet {
  const folder = resolve(cwd, dir);
  if (!existsSync(folder)) throw new MigrateError('FHIRMIG_ERR_CONFIG_INVALID', `intake.mapSets.${name}: folder ${dir} does not exist.`);
  const files = readdirSync(folder).filter((f) => f.endsWith('.map')).sort();
  const maps = new Map(files.map((f) => [f, loadMapFile(join(folder, f), cwd)]));
  const byUrl = new Map([...maps.values()].filter((m) => m.url).map((m) => [m.url as string, m]));
  const engine = new StructureMapEngine({
    typeModel: context.typeModel,
    resolveMap: (url) => byUrl.get(url) ?? byUrl.get(url.split('|')[0] ?? url),
    listMaps: () => [...maps.values()],
    resolveConceptMap: (url) => context.conceptMaps.get(url) ?? context.conceptMaps.get(url.split('|')[0] ?? url),
  });
  const hash = createHash('sha256');
  for (const file of [...files, MESSAGE_ROUTING]) {
    const path = join(folder, file);
    if (existsSync(path)) hash.update(file).update(readFileSync(path));
  }
  return { id: basename(folder), versionHash: hash.digest('hex').slice(0, 16), engine, tables: routingRules(name, folder, maps) };
}

function routingRules(name: string, folder: string, maps: ReadonlyMap<string, fhir4.StructureMap>): Map<string, TableRule> {
  const routingFile = join(folder, MESSAGE_ROUTING);
  if (!existsSync(routingFile)) {
    const entry = maps.get(DOCUMENT_ENTRY_MAP);
    if (!entry) throw new MigrateError('FHIRMIG_ERR_CONFIG_INVALID', `intake.mapSets.${name}: ${folder} has neither ${MESSAGE_ROUTING} nor ${DOCUMENT_ENTRY_MAP}.`);
    return new RulesWithDefault({ kind: 'map', map: entry });
  }
  const routing = JSON.parse(readFileSync(routingFile, 'utf8')) as MessageRouting;
  const rules = new Map<string, TableRule>();
  for (const [kind, file] of Object.entries(routing.maps ?? {})) {
    const map = maps.get(file);
    if (!map) throw new MigrateError('FHIRMIG_ERR_MAP_NOT_FOUND', `intake.mapSets.${name}: ${MESSAGE_ROUTING} names ${file} for ${kind}, which is not in ${folder}.`);
    rules.set(kind, { kind: 'map', map });
  }
  for (const [kind, reason] of Object.entries(routing.skip ?? {})) rules.set(kind, { kind: 'archive', reason });
  return rules;
}
