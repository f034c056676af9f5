import { existsSync } from 'node:fs';
import { resolve as resolvePath } from 'node:path';
import { MigrateError, isMigrateError } from '../../core/index.ts';
import { ConceptMapIndex, translateCode, translateResultToParameters } from '../../mapping/index.ts';
import type { ConceptMapResolver, TranslateDependency, TranslateRequest } from '../../mapping/index.ts';
import { optionalString, parseCommandArgs, requireString, stringList } from '../args.ts';
import type { ParsedArgs } from '../args.ts';
import type { Command } from '../command.ts';
import { readJsonFile, readJsonFolder } from '../files.ts';
import { printJson } from '../io.ts';
import type { CliIo } from '../io.ts';

const NAME = 'translate';

const USAGE = `Usage: fhir-migrate translate --conceptmap FILE|URL --system S --code C [options]

Translates one code with a ConceptMap, with the semantics of the FHIR R4 ConceptMap $translate
operation, and prints the outcome as a FHIR Parameters resource (JSON) on stdout.

Options:
  --conceptmap FILE|URL   The ConceptMap: a JSON file holding a ConceptMap or a Bundle of them,
                          or the canonical URL of a map loaded with --conceptmaps. (required)
  --conceptmaps DIR|FILE  ConceptMaps (folder of *.json, ConceptMap or Bundle files) used to
                          resolve a URL and unmapped mode "other-map" references. Repeatable.
  --url URL               With a Bundle: the ConceptMap in it to use (default: the first one).
  --system S              The code system of the code. (required)
  --code C                The code to translate. (required)
  --version V             The version of the code system.
  --target-system T       Only translate into this code system (R4 "targetsystem").
  --source VS             Only use the map if it translates from this value set.
  --target VS             Only use the map if it translates to this value set.
  --dependency [ELEMENT=][SYSTEM|]VALUE
                          A value for the map's dependsOn conditions. Repeatable.
  --reverse               Translate a target code back to the source codes that map to it.

Exit status:
  0  The translation ran. This includes a code that has no mapping: the answer is then
     "result" = false with a "message", just as a FHIR server answers $translate with 200.
     Scripts test the result, e.g. | jq -e '.parameter[0].valueBoolean'.
  1  It could not run (bad arguments, unreadable or invalid ConceptMap, other-map not found
     or cyclic): an OperationOutcome is printed instead.`;

const OPTIONS = {
  conceptmap: { type: 'string' },
  conceptmaps: { type: 'string', multiple: true },
  url: { type: 'string' },
  system: { type: 'string' },
  code: { type: 'string' },
  version: { type: 'string' },
  'target-system': { type: 'string' },
  source: { type: 'string' },
  target: { type: 'string' },
  dependency: { type: 'string', multiple: true },
  reverse: { type: 'boolean' },
} as const;

export const translateCommand: Command = {
  name: NAME,
  summary: 'Translate a code with a ConceptMap ($translate) and print Parameters',
  usage: USAGE,
  async run(args: string[], io: CliIo): Promise<number> {
    const { values } = parseCommandArgs(NAME, args, OPTIONS);
    const mapRef = requireString(NAME, values, 'conceptmap');
    const request = requestFrom(values);
    const library = new ConceptMapLibrary();
    for (const source of stringList(values, 'conceptmaps')) library.addFolder(source, io.cwd);
    const { map, file } = loadPrimaryMap(mapRef, optionalString(values, 'url'), library, io.cwd);
    withFile(file, () => ConceptMapIndex.of(map));
    const result = translateCode(map, request, library.checkedResolver);
    printJson(io, translateResultToParameters(result));
    return 0;
  },
};

function requestFrom(args: ParsedArgs['values']): TranslateRequest {
  const request: TranslateRequest = { system: requireString(NAME, args, 'system'), code: requireString(NAME, args, 'code') };
  const version = optionalString(args, 'version');
  if (version !== undefined) request.version = version;
  const targetSystem = optionalString(args, 'target-system');
  if (targetSystem !== undefined) request.targetSystem = targetSystem;
  const source = optionalString(args, 'source');
  if (source !== undefined) request.source = source;
  const target = optionalString(args, 'target');
  if (target !== undefined) request.target = target;
  const dependencies = stringList(args, 'dependency').map(parseDependency);
  if (dependencies.length > 0) request.dependency = dependencies;
  if (args['reverse'] === true) request.reverse = true;
  return request;
}

/** `[ELEMENT=][SYSTEM|]VALUE`, e.g. `http://example.org/specimen-type=http://terminology.hl7.org/CodeSystem/v2-0487|SER`. */
function parseDependency(text: string): TranslateDependency {
  const equals = text.indexOf('=');
  const element = equals === -1 ? undefined : text.slice(0, equals);
  const value = equals === -1 ? text : text.slice(equals + 1);
  const bar = value.lastIndexOf('|');
  const coding: fhir4.Coding = bar === -1 ? { code: value } : { system: value.slice(0, bar), code: value.slice(bar + 1) };
  if (!coding.code) throw new MigrateError('FHIRMIG_ERR_CLI_USAGE', `${NAME}: --dependency "${text}" has no value.`);
  const concept: fhir4.CodeableConcept = bar === -1 ? { coding: [coding], text: value } : { coding: [coding] };
  return element ? { element, concept } : { concept };
}

/** ConceptMaps found in JSON values: a ConceptMap itself, or the ConceptMaps of a Bundle. */
function conceptMapsIn(value: unknown): fhir4.ConceptMap[] {
  const resource = value as { resourceType?: unknown; entry?: { resource?: { resourceType?: unknown } }[] } | null;
  if (resource?.resourceType === 'ConceptMap') return [resource as fhir4.ConceptMap];
  if (resource?.resourceType === 'Bundle') {
    return (resource.entry ?? []).map((e) => e.resource).filter((r): r is fhir4.ConceptMap => r?.resourceType === 'ConceptMap');
  }
  return [];
}

/** Maps by canonical URL (and `url|version`), for URL lookups and other-map; the first one loaded wins. */
class ConceptMapLibrary {
  private readonly byCanonical = new Map<string, fhir4.ConceptMap>();
  private readonly files = new Map<fhir4.ConceptMap, string>();

  addFolder(path: string, cwd: string): void {
    for (const { file, value } of readJsonFolder(path, cwd)) this.addAll(conceptMapsIn(value), file);
  }

  addAll(maps: readonly fhir4.ConceptMap[], file: string): void {
    for (const map of maps) {
      this.files.set(map, file);
      if (typeof map.url !== 'string') continue;
      if (!this.byCanonical.has(map.url)) this.byCanonical.set(map.url, map);
      if (map.version !== undefined && !this.byCanonical.has(`${map.url}|${map.version}`)) this.byCanonical.set(`${map.url}|${map.version}`, map);
    }
  }

  fileOf(map: fhir4.ConceptMap): string | undefined {
    return this.files.get(map);
  }

  /** `url` finds the first map loaded with that url; `url|version` only that version. */
  readonly resolver: ConceptMapResolver = (canonical) => this.byCanonical.get(canonical);

  /** The resolver, checking each map it hands out so that an invalid one is reported with its file. */
  readonly checkedResolver: ConceptMapResolver = (canonical) => {
    const map = this.resolver(canonical);
    if (map) withFile(this.fileOf(map) ?? canonical, () => ConceptMapIndex.of(map));
    return map;
  };
}

function loadPrimaryMap(ref: string, url: string | undefined, library: ConceptMapLibrary, cwd: string): { map: fhir4.ConceptMap; file: string } {
  const looksLikeUrl = /^(https?|urn):/i.test(ref);
  if (looksLikeUrl && !existsSync(resolvePath(cwd, ref))) {
    const map = library.resolver(ref);
    if (!map) {
      throw new MigrateError('FHIRMIG_ERR_CONCEPTMAP_NOT_FOUND', `${NAME}: no ConceptMap with url ${ref} was loaded; give its file, or its folder with --conceptmaps.`);
    }
    return { map, file: library.fileOf(map) ?? ref };
  }
  const maps = conceptMapsIn(readJsonFile(ref, cwd));
  if (maps.length === 0) {
    throw new MigrateError('FHIRMIG_ERR_CONCEPTMAP_INVALID', `${ref} holds neither a ConceptMap nor a Bundle with ConceptMaps.`, { location: { file: ref } });
  }
  library.addAll(maps, ref);
  const map = url === undefined ? maps[0] : maps.find((m) => m.url === url);
  if (!map) throw new MigrateError('FHIRMIG_ERR_CONCEPTMAP_NOT_FOUND', `${ref} has no ConceptMap with url ${url}.`, { location: { file: ref } });
  return { map, file: ref };
}

/** Names the file in errors about a map (the engine knows no files). */
function withFile<T>(file: string, run: () => T): T {
  try {
    return run();
  } catch (error) {
    if (isMigrateError(error) && error.code === 'FHIRMIG_ERR_CONCEPTMAP_INVALID' && !error.location?.file) {
      throw new MigrateError(error.code, error.message, { location: { ...error.location, file }, cause: error, details: error.details });
    }
    throw error;
  }
}
