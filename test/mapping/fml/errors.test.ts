import { isMigrateError } from '../../../src/core/index.ts';
import { parseFml } from '../../../src/mapping/fml/index.ts';

/** Syntax errors: code, exact 1-based line/column, and a message saying what was found and expected. */
function parseError(text: string): { message: string; line?: number; column?: number; file?: string; code: string } {
  try {
    parseFml(text, { file: 'bad.map' });
  } catch (e) {
    if (!isMigrateError(e)) throw e;
    return { message: e.message, code: e.code, line: e.location?.line, column: e.location?.column, file: e.location?.file };
  }
  throw new Error('expected a syntax error');
}

const HEAD = 'map "http://e.org/m" = "m"\n\ngroup g(source src, target tgt) {\n';

interface ErrorCase {
  name: string;
  text: string;
  line: number;
  column: number;
  message: string;
}

const CASES: ErrorCase[] = [
  { name: 'empty input', text: '  \n // only a comment\n', line: 3, column: 1, message: 'Expected "map" or "///" metadata but found end of input (the map is empty)' },
  { name: 'garbage first token', text: 'hello world', line: 1, column: 1, message: 'Expected "map", "///" metadata, "uses", "imports", "conceptmap" or "group" but found "hello"' },
  { name: 'map without =', text: 'map "http://e.org/m" "m"', line: 1, column: 22, message: 'Expected "=" but found ""m""' },
  { name: 'map url not quoted', text: 'map http://e.org = "m"', line: 1, column: 5, message: 'Expected the map url (a quoted string) but found "http"' },
  { name: 'rule without arrow or semicolon', text: HEAD + '  src.a as a foo;\n}\n', line: 4, column: 14, message: 'Expected "->", "then", a rule name or ";" but found "foo"' },
  { name: 'rule missing semicolon before }', text: HEAD + '  src.a as a -> tgt.a = a "r"\n}\n', line: 5, column: 1, message: 'Expected ";" but found "}"' },
  { name: 'unnamed rule with two sources', text: HEAD + '  src.a as a, src.b as b -> tgt.c = a;\n}\n', line: 4, column: 38, message: 'Expected a rule name before ";": a rule with several sources, or a source without an element, must be named' },
  { name: 'unnamed rule without element', text: HEAD + "  src -> tgt.c = 'x';\n}\n", line: 4, column: 21, message: 'Expected a rule name before ";"' },
  { name: 'list mode after as (HAPI order is listMode before as)', text: HEAD + '  src.a as a first -> tgt.a = a "r";\n}\n', line: 4, column: 14, message: 'but found "first"' },
  { name: 'unknown transform', text: HEAD + '  src.a as a -> tgt.a = frobnicate(a) "r";\n}\n', line: 4, column: 35, message: 'Unknown transform "frobnicate"' },
  { name: 'bad group parameter mode', text: 'group g(input src) {\n}\n', line: 1, column: 9, message: 'Expected "source" or "target" but found "input"' },
  { name: 'bad type mode', text: 'group g(source s, target t) <<typo>> {\n}\n', line: 1, column: 31, message: 'Expected "types" or "type+" but found "typo"' },
  { name: 'uses with bad mode', text: 'map "u" = "n"\nuses "http://x" as input\n', line: 2, column: 20, message: 'Expected "source", "queried", "target" or "produced" but found "input"' },
  { name: 'unknown conceptmap prefix', text: 'map "u" = "n"\nconceptmap "c" {\n  prefix s = "http://a"\n  s:a == t:b\n}\n', line: 4, column: 10, message: 'Unknown prefix "t"' },
  { name: 'unknown conceptmap relationship', text: 'map "u" = "n"\nconceptmap "c" {\n  prefix s = "http://a"\n  s:a ? s:b\n}\n', line: 4, column: 7, message: 'Expected a relationship ("-", "=", "==", "!=", "--", "<=", "<-", ">=", ">-", "~") but found "?"' },
  { name: 'unterminated string', text: HEAD + "  src.a as a -> tgt.a = 'abc \"r\";\n}\n", line: 4, column: 25, message: 'Unterminated string: expected \' but found end of input' },
  { name: 'unterminated block comment', text: HEAD + '  /* never closed\n', line: 4, column: 3, message: 'Unterminated block comment: expected "*/" but found end of input' },
  { name: 'bad escape in string', text: HEAD + "  src.a as a -> tgt.a = 'a\\qb' \"r\";\n}\n", line: 4, column: 25, message: 'Unknown character escape "\\q"' },
  { name: 'bad unicode escape', text: HEAD + "  src.a as a -> tgt.a = 'a\\u12G4' \"r\";\n}\n", line: 4, column: 25, message: 'Invalid unicode escape' },
  { name: 'unclosed FHIRPath parenthesis', text: HEAD + '  src.a as a where (a.exists() -> tgt.a = a "r";\n}\n', line: 4, column: 32, message: 'Expected ")" but found "->"' },
  { name: 'FHIRPath with nothing after where', text: HEAD + '  src.a as a where -> tgt.a = a "r";\n}\n', line: 4, column: 20, message: 'Expected a FHIRPath expression but found "->"' },
  { name: 'truncated in group header', text: 'map "u" = "n"\ngroup g(source src,', line: 2, column: 20, message: 'Expected "source" or "target" but found end of input' },
  { name: 'truncated inside a rule', text: HEAD + '  src.a as a -> tgt.a = ', line: 4, column: 25, message: 'Expected a value, a variable or a transform but found end of input' },
  { name: 'truncated inside then block', text: HEAD + '  src.a as a then {\n    a.b -> tgt.b;\n', line: 6, column: 1, message: 'Expected a rule or "}" but found end of input' },
  { name: 'truncated group body', text: HEAD + '  src.a -> tgt.a;\n', line: 5, column: 1, message: 'Expected a rule or "}" to end group g but found end of input' },
  { name: 'something after a group', text: HEAD + '}\nfoo\n', line: 5, column: 1, message: 'Expected "group" but found "foo"' },
  { name: 'concept map id with #', text: 'map "u" = "n"\nconceptmap "#c" {\n}\n', line: 2, column: 12, message: 'must not start with "#"' },
  { name: 'bad metadata status', text: "/// url = 'http://x'\n/// status = 'final'\n", line: 2, column: 14, message: 'Expected a status (draft, active, retired or unknown) but found "\'final\'"' },
  { name: 'signed FHIRPath operand followed by an operator (HAPI drops it)', text: HEAD + '  src.a as a where a = -1 and b -> tgt.a = a "r";\n}\n', line: 4, column: 27, message: 'A signed value cannot be followed by "and" here: put it in parentheses, e.g. (-1)' },
  { name: 'unknown group reference syntax after then', text: HEAD + '  src.a as a then 42;\n}\n', line: 4, column: 19, message: 'Expected a group name or "{" but found "42"' },
  { name: 'unknown $ name in FHIRPath', text: HEAD + '  src.a as a where $that.exists() -> tgt.a = a "r";\n}\n', line: 4, column: 20, message: 'Expected $this, $index or $total but found "$that"' },
  { name: 'dependent without closing parenthesis', text: HEAD + '  src.a as a then g(a "r";\n}\n', line: 4, column: 23, message: 'Expected "," or ")" but found ""r""' },
];

describe('FML syntax errors', () => {
  it.each(CASES.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const error = parseError(c.text);
    expect(error.code).toBe('FHIRMIG_ERR_FML_SYNTAX');
    expect(error.message).toContain(c.message);
    expect({ line: error.line, column: error.column }).toEqual({ line: c.line, column: c.column });
    expect(error.file).toBe('bad.map');
  });

  it('omits the file from the location when no file is given', () => {
    try {
      parseFml('group');
      throw new Error('no error');
    } catch (e) {
      expect(isMigrateError(e) && e.location).toEqual({ line: 1, column: 6 });
    }
  });
});
