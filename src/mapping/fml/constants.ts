/** Literal handling shared by the FML and FHIRPath parts, following HAPI's FHIRLexer/Utilities. */

const ESCAPES: Record<string, string> = { t: '\t', r: '\r', n: '\n', f: '\f', '\'': '\'', '"': '"', '`': '`', '\\': '\\', '/': '/' };

/** Thrown by {@link unquote}; the caller adds the location. */
export class LiteralError extends Error {}

/** Removes the delimiters of a quoted token ('x', "x" or `x`) and resolves its escapes. */
export function unquote(token: string): string {
  const body = token.slice(1, -1);
  if (!body.includes('\\')) return body;
  let out = '';
  for (let i = 0; i < body.length; i++) {
    const ch = body.charAt(i);
    if (ch !== '\\') {
      out += ch;
      continue;
    }
    i++;
    const esc = body.charAt(i);
    if (esc === 'u') {
      const hex = body.slice(i + 1, i + 5);
      if (!/^[0-9a-fA-F]{4}$/.test(hex)) throw new LiteralError(`Invalid unicode escape "\\u${hex}": expected 4 hex digits`);
      out += String.fromCharCode(parseInt(hex, 16));
      i += 4;
      continue;
    }
    const resolved = ESCAPES[esc];
    if (resolved === undefined) throw new LiteralError(`Unknown character escape "\\${esc}"`);
    out += resolved;
  }
  return out;
}

/** 'x', "x" or `x` (HAPI FHIRPathConstant.isFHIRPathStringConstant). */
export function isStringToken(text: string): boolean {
  const c = text.charAt(0);
  return c === '\'' || c === '"' || c === '`';
}

/** A FHIRPath constant token (HAPI FHIRPathConstant.isFHIRPathConstant). */
export function isConstantToken(text: string): boolean {
  if (text === '') return false;
  const c = text.charAt(0);
  return c === '\'' || c === '"' || c === '@' || c === '%' || c === '-' || c === '+' || (c >= '0' && c <= '9') ||
    text === 'true' || text === 'false' || text === '{}';
}

/** HAPI Utilities.isInteger: optional minus, digits, within the 32-bit range. */
export function isIntegerText(text: string): boolean {
  const digits = text.startsWith('-') ? text.slice(1) : text;
  if (!/^[0-9]+$/.test(digits) || digits.length > 10) return false;
  if (digits.length === 10) return text.startsWith('-') ? digits <= '2147483648' : digits <= '2147483647';
  return true;
}

export function isDecimalText(text: string): boolean {
  return /^-?[0-9]+(\.[0-9]+)?$/.test(text);
}

/** HAPI Utilities.makeId: keeps ASCII letters, digits, '-' and '.'. */
export function makeId(name: string): string {
  return name.replace(/[^A-Za-z0-9.-]/g, '');
}
