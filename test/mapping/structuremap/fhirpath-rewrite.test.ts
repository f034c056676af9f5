import { PRIMITIVE_VALUE, findReferences, isTemporalExpression, rewriteExpression, rewritePrimitiveValue, unquoteCalendarUnits } from '../../../src/mapping/structuremap/fhirpath-rewrite.ts';

function rewrite(expr: string, bare: string[], conversions: Record<string, string> = {}): string {
  return rewriteExpression(expr, findReferences(expr), new Set(bare), new Map(Object.entries(conversions)));
}

describe('map FHIRPath rewriting (HAPI variable semantics)', () => {
  it('turns variable names at path entries into %variables, leaving members, functions and strings alone', () => {
    expect(rewrite("a.length() <= 20 and b = 'a' and x.a.exists()", ['a', 'b'])).toBe("%a.length() <= 20 and %b = 'a' and x.a.exists()");
    expect(rewrite('first(a) + where(a)', ['a', 'first', 'where'])).toBe('first(%a) + where(%a)');
    expect(rewrite('%a + a', ['a'])).toBe('%a + %a');
    expect(rewrite("name.where(use = 'official')", ['use'])).toBe("name.where(%use = 'official')");
  });

  it('converts date-typed variables in temporal expressions', () => {
    expect(isTemporalExpression('d + 6 days')).toBe(true);
    expect(isTemporalExpression("d + 6 'days'")).toBe(true);
    expect(isTemporalExpression('a < now()')).toBe(true);
    expect(isTemporalExpression("a.substring(0, 4) = '2020'")).toBe(false);
    expect(rewrite('d + 6 days', ['d'], { d: '.toDate()' })).toBe('%d.toDate() + 6 days');
    expect(rewrite('%t - 1 hour', [], { t: '.toDateTime()' })).toBe('%t.toDateTime() - 1 hour');
  });

  it('unquotes calendar units', () => {
    expect(unquoteCalendarUnits("%d + 6 'days' + 1 'mg'")).toBe("%d + 6 days + 1 'mg'");
  });

  it('gives member `.value` HAPI primitive semantics, leaving strings, longer names and calls alone', () => {
    expect(rewritePrimitiveValue("linkId.value in ('a.value')")).toBe(`linkId${PRIMITIVE_VALUE} in ('a.value')`);
    expect(rewritePrimitiveValue('answer.value.code')).toBe(`answer${PRIMITIVE_VALUE}.code`);
    expect(rewritePrimitiveValue('a.valueString + x.values + b.value()')).toBe('a.valueString + x.values + b.value()');
  });
});
