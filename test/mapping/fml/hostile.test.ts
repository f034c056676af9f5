import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isMigrateError } from '../../../src/core/index.ts';
import { MAX_FHIRPATH_DEPTH, MAX_RULE_DEPTH, parseFml } from '../../../src/mapping/fml/index.ts';

/**
 * Hostile input ends in FHIRMIG_ERR_FML_SYNTAX (never a TypeError or a stack overflow), and the
 * parser's work is bounded by construction: one tokenizing pass, nesting limits instead of deep
 * recursion, loops over operator chains. The inputs below would overflow or stall otherwise.
 */
function outcome(text: string): 'ok' | { line: number; column: number; message: string } {
  try {
    parseFml(text);
    return 'ok';
  } catch (e) {
    if (!isMigrateError(e) || e.code !== 'FHIRMIG_ERR_FML_SYNTAX') throw e;
    const { line, column } = e.location ?? {};
    if (line === undefined || column === undefined || line < 1 || column < 1) throw new Error(`bad location for ${e.message}`);
    return { line, column, message: e.message };
  }
}

/** Small deterministic PRNG (mulberry32) so fuzz cases are reproducible. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const RICH_MAP = ['conceptmap-all-equivalences', 'rule-where-check-log', 'rule-literals', 'group-documentation-comments']
  .map((name) => readFileSync(join(__dirname, 'cases', name, 'map.map'), 'utf8'));

describe('FML hostile input', () => {
  it.each(RICH_MAP.map((text, i) => [i, text] as const))('every truncation of rich map %i is a located syntax error or a valid map', (_i, text) => {
    let errors = 0;
    for (let cut = 0; cut < text.length; cut++) {
      if (outcome(text.slice(0, cut)) !== 'ok') errors++;
    }
    expect(errors).toBeGreaterThan(text.length / 2);
  });

  it(`refuses then-nesting deeper than ${MAX_RULE_DEPTH} levels (10,000 given) without recursing`, () => {
    const depth = 10_000;
    const text = 'group g(source s, target t) {\n' + 's.a as a then {\n'.repeat(depth) + '}'.repeat(depth) + '\n}\n';
    const result = outcome(text);
    expect(result).toEqual({ line: MAX_RULE_DEPTH + 2, column: 1, message: expect.stringContaining(`Rules nest deeper than ${MAX_RULE_DEPTH} levels`) });
  });

  it('accepts nesting right at the limit', () => {
    const depth = MAX_RULE_DEPTH - 1;
    const text = 'group g(source s, target t) {\n' + 's.a as a then {\n'.repeat(depth) + 's.b -> t.b;\n' + '} "r";\n'.repeat(depth) + '}\n';
    expect(outcome(text)).toBe('ok');
  });

  it('refuses FHIRPath parentheses nested 10,000 deep', () => {
    const text = 'group g(source s, target t) {\n  s.a as a where ' + '('.repeat(10_000) + 'a' + ')'.repeat(10_000) + ' -> t.a = a "r";\n}\n';
    const result = outcome(text);
    expect(result).toMatchObject({ line: 2, message: `FHIRPath expression nests deeper than ${MAX_FHIRPATH_DEPTH} levels` });
  });

  it('refuses a dotted FHIRPath path 100,000 steps long (recursive in HAPI) with a syntax error', () => {
    const text = 'group g(source s, target t) {\n  s.a as a where a' + '.b'.repeat(100_000) + ' -> t.a = a "r";\n}\n';
    expect(outcome(text)).toMatchObject({ line: 2, message: expect.stringContaining('nests deeper') });
  });

  it('compiles a 50,000-term operator chain (walked in loops, not recursion)', () => {
    const terms = Array.from({ length: 50_000 }, (_, i) => `a${i}`).join(' or ');
    const map = parseFml('group g(source s, target t) {\n  s.a as a where ' + terms + ' -> t.a = a "r";\n}\n');
    expect(map.group[0]?.rule?.[0]?.source[0]?.condition).toBe(terms);
  });

  it('compiles a 5 MB map in one pass', () => {
    const rule = "  src.element as v where v.exists() and v.value != 'x' -> tgt.element = create('HumanName') as n then { v.family as f -> n.family = f \"f\"; } \"r\";\n";
    const groups: string[] = [];
    let size = 0;
    for (let g = 0; size < 5 * 1024 * 1024; g++) {
      const body = rule.repeat(500);
      groups.push(`group g${g}(source src, target tgt) {\n${body}}\n`);
      size += body.length;
    }
    const map = parseFml('map "http://e.org/big" = "big"\n\n' + groups.join('\n'));
    expect(map.group).toHaveLength(groups.length);
    expect(map.group.reduce((n, g) => n + (g.rule?.length ?? 0), 0)).toBe(groups.length * 500);
  });

  it('ends an unterminated 5 MB string at its opening quote', () => {
    expect(outcome('map "http://e.org/x" = "' + 'x'.repeat(5 * 1024 * 1024))).toEqual({
      line: 1, column: 24, message: 'Unterminated string: expected " but found end of input',
    });
  });

  it('turns random bytes into syntax errors, never crashes', () => {
    const next = random(42);
    for (let i = 0; i < 200; i++) {
      const length = 1 + Math.floor(next() * 400);
      const text = Array.from({ length }, () => String.fromCharCode(Math.floor(next() * 0x250))).join('');
      expect(outcome(text)).not.toBe('ok');
    }
  });

  it('turns random token soup into syntax errors or maps, never crashes', () => {
    const vocabulary = ['map', '"u"', '=', 'group', 'g', '(', ')', '{', '}', 'source', 'target', 's', 't', '.', 'a', 'as', 'v', '->',
      'then', ';', ',', "'x'", '1', 'where', 'check', 'create', 'uses', 'conceptmap', 'prefix', ':', '==', '<<', '>>', 'types', '///',
      '/*', '*/', '//', '\n', '"', '`', '-', 'first', 'share', 'default', '0..*', 'and', 'or', '[', ']', 'evaluate', 'extends'];
    const next = random(7);
    for (let i = 0; i < 2_000; i++) {
      const length = 1 + Math.floor(next() * 60);
      const text = Array.from({ length }, () => vocabulary[Math.floor(next() * vocabulary.length)]).join(' ');
      outcome(text);
    }
  });
});
