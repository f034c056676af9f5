/**
 * The offset of the first character that makes `text` invalid JSON (RFC 8259 grammar), for the
 * messages where V8's JSON.parse names the bad token but not its position
 * (`Unexpected token '}', "{"a": }" is not valid JSON`). Returns the text's length when it ends
 * too early, undefined when the text is valid.
 */
export function jsonErrorOffset(text: string): number | undefined {
  const scanner = new Scanner(text);
  try {
    scanner.value();
    scanner.space();
    return scanner.at < text.length ? scanner.at : undefined;
  } catch (error) {
    if (error instanceof BadJson) return error.offset;
    if (error instanceof RangeError) return undefined; // nested too deep to scan
    throw error;
  }
}

class BadJson {
  readonly offset: number;
  constructor(offset: number) {
    this.offset = offset;
  }
}

const LITERALS = ['true', 'false', 'null'];
const NUMBER = /-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/y;
const STRING_CHARS = /(?:[^"\\\u0000-\u001f]|\\["\\/bfnrt]|\\u[0-9a-fA-F]{4})*/y;

class Scanner {
  at = 0;
  private readonly text: string;

  constructor(text: string) {
    this.text = text;
  }

  space(): void {
    while (this.at < this.text.length && ' \t\n\r'.includes(this.text[this.at] ?? '')) this.at++;
  }

  value(): void {
    this.space();
    const c = this.text[this.at];
    if (c === '{') return this.container('}', () => this.member());
    if (c === '[') return this.container(']', () => this.value());
    if (c === '"') return this.string();
    const literal = LITERALS.find((l) => this.text.startsWith(l, this.at));
    if (literal) {
      this.at += literal.length;
      return;
    }
    this.match(NUMBER);
  }

  private container(close: string, item: () => void): void {
    this.at++;
    this.space();
    if (this.text[this.at] === close) {
      this.at++;
      return;
    }
    for (;;) {
      item();
      this.space();
      const c = this.text[this.at];
      this.at++;
      if (c === close) return;
      if (c !== ',') throw new BadJson(this.at - 1);
    }
  }

  private member(): void {
    this.space();
    if (this.text[this.at] !== '"') throw new BadJson(this.at);
    this.string();
    this.space();
    if (this.text[this.at] !== ':') throw new BadJson(this.at);
    this.at++;
    this.value();
  }

  private string(): void {
    this.at++;
    this.match(STRING_CHARS, true);
    if (this.text[this.at] !== '"') throw new BadJson(this.at);
    this.at++;
  }

  private match(pattern: RegExp, emptyOk = false): void {
    pattern.lastIndex = this.at;
    const found = pattern.exec(this.text);
    if (!found || (found[0] === '' && !emptyOk)) throw new BadJson(this.at);
    this.at += found[0].length;
  }
}
