import { fmlSyntaxError } from './errors.ts';

/** A comment that precedes a token, with the line it starts on. */
export interface FmlComment {
  readonly text: string;
  readonly line: number;
}

/**
 * One token of FHIR Mapping Language text. The token boundaries follow HAPI's FHIRLexer (shared by
 * the mapping language and FHIRPath), because the compiled StructureMap depends on them.
 */
export interface FmlToken {
  readonly text: string;
  readonly line: number;
  readonly column: number;
  /** True only for the end-of-input token. */
  readonly eof: boolean;
  /** Comments between the previous token and this one (consumed by documentation rules). */
  comments: FmlComment[];
}

const NO_COMMENTS: FmlComment[] = [];

function isLetter(ch: string): boolean {
  return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z');
}

function isDigit(ch: string): boolean {
  return ch >= '0' && ch <= '9';
}

function isWhitespace(ch: string): boolean {
  return ch === ' ' || ch === '\t' || ch === '\n' || ch === '\r' || ch === '\f' || ch === '\v' || ch === '\u00a0' || ch === '\ufeff';
}

/** Splits FML text into tokens in one linear pass. */
export class FmlTokenizer {
  private readonly source: string;
  private readonly file: string | undefined;
  private cursor = 0;
  private line = 1;
  private lineStart = 0;

  constructor(source: string, file: string | undefined) {
    this.source = source;
    this.file = file;
  }

  tokenize(): FmlToken[] {
    const tokens: FmlToken[] = [];
    for (;;) {
      const comments = this.skipWhitespaceAndComments();
      const line = this.line;
      const column = this.cursor - this.lineStart + 1;
      if (this.cursor >= this.source.length) {
        tokens.push({ text: '', line, column, eof: true, comments });
        return tokens;
      }
      const start = this.cursor;
      this.scanToken(line, column);
      const text = this.source.slice(start, this.cursor);
      this.trackNewlines(start, this.cursor);
      tokens.push({ text, line, column, eof: false, comments });
    }
  }

  private at(offset: number): string {
    return this.source.charAt(offset);
  }

  private trackNewlines(from: number, to: number): void {
    for (let i = from; i < to; i++) {
      const ch = this.source.charCodeAt(i);
      if (ch === 10 || (ch === 13 && this.source.charCodeAt(i + 1) !== 10)) {
        this.line++;
        this.lineStart = i + 1;
      }
    }
  }

  private skipWhitespaceAndComments(): FmlComment[] {
    let comments = NO_COMMENTS;
    const src = this.source;
    while (this.cursor < src.length) {
      const ch = src.charAt(this.cursor);
      const next = src.charAt(this.cursor + 1);
      if (ch === '/' && next === '/' && src.charAt(this.cursor + 2) !== '/') {
        const start = this.cursor + 2;
        let end = start;
        while (end < src.length && src.charAt(end) !== '\n' && src.charAt(end) !== '\r') end++;
        if (comments === NO_COMMENTS) comments = [];
        comments.push({ text: src.slice(start, end).trim(), line: this.line });
        this.cursor = end;
      } else if (ch === '/' && next === '*') {
        const end = src.indexOf('*/', this.cursor + 2);
        if (end < 0) {
          throw fmlSyntaxError('Unterminated block comment: expected "*/" but found end of input', this.here());
        }
        if (comments === NO_COMMENTS) comments = [];
        comments.push({ text: src.slice(this.cursor + 2, end).trim(), line: this.line });
        this.trackNewlines(this.cursor, end + 2);
        this.cursor = end + 2;
      } else if (isWhitespace(ch)) {
        this.trackNewlines(this.cursor, this.cursor + 1);
        this.cursor++;
      } else {
        break;
      }
    }
    return comments;
  }

  private here(): { file: string | undefined; line: number; column: number } {
    return { file: this.file, line: this.line, column: this.cursor - this.lineStart + 1 };
  }

  private scanToken(line: number, column: number): void {
    const src = this.source;
    const ch = src.charAt(this.cursor);
    this.cursor++;
    if (ch === '!' || ch === '>' || ch === '<' || ch === ':' || ch === '-' || ch === '=') {
      const next = this.at(this.cursor);
      if (next === '=' || next === '~' || next === '-' || (ch === '-' && next === '>')) this.cursor++;
    } else if (ch === '.') {
      if (this.at(this.cursor) === '.') this.cursor++;
    } else if (isDigit(ch)) {
      this.scanNumber();
    } else if (isLetter(ch) || ch === '_') {
      while (this.cursor < src.length && (isLetter(this.at(this.cursor)) || isDigit(this.at(this.cursor)) || this.at(this.cursor) === '_')) this.cursor++;
    } else if (ch === '%') {
      this.scanPercentName(line, column);
    } else if (ch === '/') {
      if (this.at(this.cursor) === '/') this.cursor += 2; // "///": a metadata line
    } else if (ch === '$') {
      while (this.cursor < src.length && this.at(this.cursor) >= 'a' && this.at(this.cursor) <= 'z') this.cursor++;
    } else if (ch === '"' || ch === '\'' || ch === '`') {
      this.scanQuoted(ch, line, column);
    } else if (ch === '@') {
      this.scanDate();
    }
  }

  private scanNumber(): void {
    let dotted = false;
    while (this.cursor < this.source.length) {
      const c = this.at(this.cursor);
      if (isDigit(c)) this.cursor++;
      else if (c === '.' && !dotted) {
        dotted = true;
        this.cursor++;
      } else break;
    }
    if (this.at(this.cursor - 1) === '.') this.cursor--;
  }

  private scanPercentName(line: number, column: number): void {
    if (this.at(this.cursor) === '`') {
      this.cursor++;
      this.scanQuoted('`', line, column);
      return;
    }
    while (this.cursor < this.source.length) {
      const c = this.at(this.cursor);
      if (!(isLetter(c) || isDigit(c) || c === ':' || c === '-')) break;
      this.cursor++;
    }
  }

  private scanQuoted(quote: string, line: number, column: number): void {
    const src = this.source;
    let escape = false;
    while (this.cursor < src.length && (escape || src.charAt(this.cursor) !== quote)) {
      escape = escape ? false : src.charAt(this.cursor) === '\\';
      this.cursor++;
    }
    if (this.cursor >= src.length) {
      const what = quote === '`' ? 'delimited identifier' : 'string';
      throw fmlSyntaxError(`Unterminated ${what}: expected ${quote} but found end of input`, { file: this.file, line, column });
    }
    this.cursor++;
  }

  private scanDate(): void {
    const start = this.cursor - 1;
    const eot = this.at(start + 1) === 'T' ? 10 : 20;
    while (this.cursor < this.source.length) {
      const c = this.at(this.cursor);
      const fraction = this.cursor - start === eot && c === '.' && isDigit(this.at(this.cursor + 1));
      if (!(c === '-' || c === ':' || c === 'T' || c === '+' || c === 'Z' || isDigit(c) || fraction)) break;
      this.cursor++;
    }
  }
}

export function tokenizeFml(source: string, file: string | undefined): FmlToken[] {
  return new FmlTokenizer(source, file).tokenize();
}
