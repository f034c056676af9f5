import { parseConceptMap } from './conceptmap.ts';
import { parseGroup } from './group.ts';
import { parseImports, parseMapHeader, parseUses } from './header.ts';
import { FmlLexer, describeToken } from './lexer.ts';

export interface ParseFmlOptions {
  /** Used in error locations. */
  file?: string;
}

/**
 * Compiles FHIR Mapping Language text to an R4 StructureMap the way HAPI's
 * StructureMapUtilities.parse does (header, concept maps, uses, imports, concept maps, groups).
 * Throws MigrateError FHIRMIG_ERR_FML_SYNTAX with a 1-based line/column on the first error.
 */
export function parseFml(text: string, options: ParseFmlOptions = {}): fhir4.StructureMap {
  const source = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const lexer = new FmlLexer(source, options.file);
  if (lexer.done()) throw lexer.error('Expected "map" or "///" metadata but found end of input (the map is empty)');
  if (!lexer.has('map', '///', 'conceptmap', 'uses', 'imports', 'group')) {
    throw lexer.error(`Expected "map", "///" metadata, "uses", "imports", "conceptmap" or "group" but found ${describeToken(lexer.current)}`);
  }
  const header = parseMapHeader(lexer);
  const contained: fhir4.ConceptMap[] = [];
  const structure: fhir4.StructureMapStructure[] = [];
  const imports: string[] = [];
  while (lexer.has('conceptmap')) contained.push(parseConceptMap(lexer));
  while (lexer.has('uses')) structure.push(parseUses(lexer));
  while (lexer.has('imports')) imports.push(parseImports(lexer));
  while (lexer.has('conceptmap')) contained.push(parseConceptMap(lexer));
  const groups: fhir4.StructureMapGroup[] = [];
  while (!lexer.done()) {
    if (!lexer.has('group')) {
      throw lexer.error(`Expected "group" but found ${describeToken(lexer.current)}`);
    }
    groups.push(parseGroup(lexer));
  }
  return assemble(header, contained, structure, imports, groups);
}

function assemble(
  header: ReturnType<typeof parseMapHeader>,
  contained: fhir4.ConceptMap[],
  structure: fhir4.StructureMapStructure[],
  imports: string[],
  groups: fhir4.StructureMapGroup[],
): fhir4.StructureMap {
  const map = { resourceType: 'StructureMap' } as fhir4.StructureMap;
  if (header.id !== undefined) map.id = header.id;
  if (contained.length > 0) map.contained = contained;
  if (header.url !== undefined) map.url = header.url;
  if (header.name !== undefined) map.name = header.name;
  if (header.title !== undefined) map.title = header.title;
  map.status = header.status ?? 'draft';
  if (header.description !== undefined) map.description = header.description;
  if (structure.length > 0) map.structure = structure;
  if (imports.length > 0) map.import = imports;
  if (groups.length > 0) map.group = groups;
  return map;
}
