import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { parseGrammar } from '../../../src/sources/hl7v2/grammar.ts';
import type { GroupNode } from '../../../src/sources/hl7v2/grammar.ts';
import { findStructure, knownStructureNames, structureGrammar } from '../../../src/sources/hl7v2/structures.ts';

const MESSAGES = join(__dirname, '..', '..', '..', '..', 'shared', 'testdata', 'v2-to-fhir', 'messages');

/** Every segment and group path of a structure, e.g. `ORU_R01.PATIENT_RESULT.PATIENT.PID`. */
function paths(group: GroupNode, prefix = group.name, into = new Set<string>()): Set<string> {
  for (const child of group.children) {
    const path = `${prefix}.${child.type === 'segment' ? child.id : child.name}`;
    into.add(path);
    if (child.type === 'group') paths(child, path, into);
  }
  return into;
}

/** The Identifier column (row 2 header) of a V2-to-FHIR message map, group ends left out. */
function igPaths(file: string): Set<string> {
  const rows = parse(readFileSync(join(MESSAGES, file)), { relax_column_count: true, bom: true }) as string[][];
  const column = (rows[1] as string[]).indexOf('Identifier');
  const name = /FHIR R4_ (\w+) -/.exec(file)?.[1] as string;
  const ids = rows.slice(2).map((row) => (row[column] ?? '').trim()).filter((id) => id !== '' && !id.startsWith('/'));
  // the tables have typos in the structure prefix (`ADT_A0.INSURANCE…`): the first part is the structure
  return new Set(ids.map((id) => [name, ...id.split('.').slice(1)].join('.')));
}

/** Rows the IG tables leave out (a segment inside a group it lists, a group's AL1 the v2 standard has). */
const NOT_IN_IG_TABLE: Readonly<Record<string, readonly string[]>> = {
  VXU_V04: ['VXU_V04.INSURANCE.IN1', 'VXU_V04.INSURANCE.IN2', 'VXU_V04.INSURANCE.IN3'],
  OML_O21: ['OML_O21.ORDER.OBSERVATION_REQUEST.PRIOR_RESULT.AL1'],
  SIU_S12: ['SIU_S12.TQ1'], // v2.6+ timing after SCH, used by the samples
};

describe('hl7v2: message structures', () => {
  const files = readdirSync(MESSAGES).filter((f) => f.endsWith('.csv'));

  it.each(files.map((f) => [/FHIR R4_ (\w+) -/.exec(f)?.[1] as string, f]))('%s has exactly the segments and groups of the V2-to-FHIR IG message table', (name, file) => {
    const structure = findStructure(name.split('_')[0] as string, name.split('_')[1] as string, name) as GroupNode;
    expect(structure.name).toBe(name);
    const ig = igPaths(file);
    const ours = paths(structure);
    expect([...ig].filter((p) => !ours.has(p))).toEqual([]);
    expect([...ours].filter((p) => !ig.has(p))).toEqual(NOT_IN_IG_TABLE[name] ?? []);
  });

  it('parses every structure it knows', () => {
    for (const name of knownStructureNames()) expect(() => parseGrammar(name, structureGrammar(name) as string)).not.toThrow();
    expect(knownStructureNames().length).toBeGreaterThanOrEqual(30);
  });

  it('finds structures by MSH-9.3, else by event', () => {
    expect(findStructure('ADT', 'A08', undefined)?.name).toBe('ADT_A01');
    expect(findStructure('ADT', 'A08', 'ADT_A01')?.name).toBe('ADT_A01');
    expect(findStructure('SIU', 'S14', undefined)?.name).toBe('SIU_S12');
    expect(findStructure('ZZZ', 'Z01', undefined)).toBeUndefined();
  });

  it('reads the notation: optional, repeating, named groups', () => {
    const g = parseGrammar('T', 'MSH [{SFT}] {G: AAA [BBB] [{H: CCC {DDD}}]}');
    expect(g.children.map((c) => [c.type === 'segment' ? c.id : c.name, c.optional, c.repeating])).toEqual([
      ['MSH', false, false],
      ['SFT', true, true],
      ['G', false, true],
    ]);
    expect([...(g.children[2] as GroupNode).first]).toEqual(['AAA']);
    expect(() => parseGrammar('Bad', 'MSH [PID')).toThrow(/expected "]"/);
  });
});
