import { makeId } from './constants.ts';
import type { FmlLexer } from './lexer.ts';
import { describeToken } from './lexer.ts';

/** The map-level parts the header, `uses` and `imports` lines fill in. */
export interface MapHeader {
  url?: string;
  name?: string;
  title?: string;
  status?: fhir4.StructureMap['status'];
  description?: string;
  id?: string;
}

const STATUSES = ['draft', 'active', 'retired', 'unknown'] as const;
const MODEL_MODES = ['source', 'queried', 'target', 'produced'] as const;

/**
 * `map "url" = "Name"` or the R5 `/// key = 'value'` metadata lines (HAPI reads url, name, title
 * and status there; other keys are read and ignored). Afterwards, as HAPI: id = makeId(name),
 * status defaults to draft, description defaults to the title.
 */
export function parseMapHeader(lexer: FmlLexer): MapHeader {
  const header: MapHeader = {};
  if (lexer.has('map')) {
    lexer.next();
    header.url = lexer.readString('the map url');
    lexer.expect('=');
    header.name = lexer.readIdentifier('the map name');
    const description = lexer.takeAllComments();
    if (description !== '') header.description = description;
    header.status = 'draft';
  } else {
    while (lexer.has('///')) {
      lexer.next();
      readMetadataLine(lexer, header);
    }
  }
  if (header.name !== undefined) {
    const id = makeId(header.name);
    if (id !== '') header.id = id;
  }
  header.status ??= 'draft';
  if (header.description === undefined && header.title !== undefined) header.description = header.title;
  return header;
}

function readMetadataLine(lexer: FmlLexer, header: MapHeader): void {
  const key = lexer.readDottedIdentifier('a metadata name such as url, name, title or status');
  lexer.expect('=');
  switch (key) {
    case 'url':
      header.url = lexer.readString('the map url');
      return;
    case 'name':
      header.name = lexer.readIdentifier('the map name');
      return;
    case 'title':
      header.title = lexer.readString('the map title');
      return;
    case 'status':
      header.status = readStatus(lexer);
      return;
    default:
      readMetadataValue(lexer);
  }
}

function readStatus(lexer: FmlLexer): fhir4.StructureMap['status'] {
  const token = lexer.current;
  const value = lexer.readIdentifier('a status (draft, active, retired or unknown)');
  const status = STATUSES.find((s) => s === value);
  if (!status) throw lexer.error(`Expected a status (draft, active, retired or unknown) but found ${describeToken(token)}`, token);
  return status;
}

function readMetadataValue(lexer: FmlLexer): void {
  if (lexer.isStringConstant()) lexer.readString('a metadata value');
  else lexer.takeAny('a metadata value');
}

/** `uses "url" [alias Name] as source|queried|target|produced [;] [// documentation]` */
export function parseUses(lexer: FmlLexer): fhir4.StructureMapStructure {
  lexer.expect('uses');
  const url = lexer.readString('the structure url');
  let alias: string | undefined;
  if (lexer.has('alias')) {
    lexer.next();
    alias = lexer.readIdentifier('an alias name');
  }
  lexer.expect('as');
  const modeToken = lexer.current;
  const mode = MODEL_MODES.find((m) => m === modeToken.text);
  if (modeToken.eof || !mode) {
    throw lexer.error(`Expected "source", "queried", "target" or "produced" but found ${describeToken(modeToken)}`);
  }
  let documentation = lexer.expectWithTrailingComment(mode);
  if (lexer.has(';')) documentation = lexer.expectWithTrailingComment(';');
  const structure: fhir4.StructureMapStructure = { url, mode };
  if (alias !== undefined) structure.alias = alias;
  if (documentation !== undefined) structure.documentation = documentation;
  return structure;
}

/** `imports "url" [;]` */
export function parseImports(lexer: FmlLexer): string {
  lexer.expect('imports');
  const url = lexer.readString('the imported map url');
  lexer.skip(';');
  return url;
}
