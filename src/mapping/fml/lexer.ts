import type { MigrateError } from '../../core/index.ts';
import { LiteralError, isConstantToken, isStringToken, unquote } from './constants.ts';
import { fmlSyntaxError } from './errors.ts';
import type { FmlToken } from './tokenizer.ts';
import { tokenizeFml } from './tokenizer.ts';

/** How a token reads in an error message. */
export function describeToken(token: FmlToken): string {
  return token.eof ? 'end of input' : `"${token.text}"`;
}

/** A cursor over the tokens with the reading helpers of HAPI's FHIRLexer. */
export class FmlLexer {
  private readonly tokens: FmlToken[];
  private index = 0;
  readonly file: string | undefined;

  constructor(text: string, file: string | undefined) {
    this.file = file;
    this.tokens = tokenizeFml(text, file);
  }

  get current(): FmlToken {
    return this.tokens[this.index] as FmlToken;
  }

  /** The token after the current one (end of input stays end of input). */
  peek(offset = 1): FmlToken {
    return this.tokens[Math.min(this.index + offset, this.tokens.length - 1)] as FmlToken;
  }

  done(): boolean {
    return this.current.eof;
  }

  has(...texts: string[]): boolean {
    return !this.current.eof && texts.includes(this.current.text);
  }

  next(): void {
    if (!this.current.eof) this.index++;
  }

  take(): string {
    const text = this.current.text;
    this.next();
    return text;
  }

  /** Takes any token that is not the end of input; `what` names what was expected. */
  takeAny(what: string): string {
    if (this.done()) throw this.error(`Expected ${what} but found end of input`);
    return this.take();
  }

  /** Consumes `text` or fails with `Expected "text" but found ...`. */
  expect(text: string): void {
    if (!this.has(text)) throw this.error(`Expected "${text}" but found ${describeToken(this.current)}`);
    this.next();
  }

  skip(text: string): void {
    if (this.has(text)) this.next();
  }

  /** A literal: string, number, boolean, date, %constant, or a sign directly before a number. */
  isConstant(): boolean {
    if (this.done()) return false;
    const text = this.current.text;
    if (text === '-' || text === '+') return /^[0-9]/.test(this.peek().text);
    return isConstantToken(text) && !/^[-+]/.test(text);
  }

  isStringConstant(): boolean {
    return !this.done() && isStringToken(this.current.text);
  }

  /** Reads a quoted string and resolves its escapes. */
  readString(what: string): string {
    if (!this.isStringConstant()) throw this.error(`Expected ${what} (a quoted string) but found ${describeToken(this.current)}`);
    return this.unquoteCurrent();
  }

  /** Reads an identifier; a quoted or back-ticked one is unquoted. */
  readIdentifier(what: string): string {
    if (this.done()) throw this.error(`Expected ${what} but found end of input`);
    if (this.isStringConstant()) return this.unquoteCurrent();
    if (!/^[A-Za-z_$%]/.test(this.current.text)) {
      throw this.error(`Expected ${what} but found ${describeToken(this.current)}`);
    }
    return this.take();
  }

  /** A name followed by ".name" parts, read as one (HAPI takeDottedToken). */
  readDottedIdentifier(what: string): string {
    let result = this.readIdentifier(what);
    while (this.has('.')) {
      this.next();
      result += '.' + this.readIdentifier(what);
    }
    return result;
  }

  unquoteCurrent(): string {
    try {
      const value = unquote(this.current.text);
      this.next();
      return value;
    } catch (e) {
      if (e instanceof LiteralError) throw this.error(e.message);
      throw e;
    }
  }

  /** Consumes `text`; a comment on the same line right after it is returned (HAPI tokenWithTrailingComment). */
  expectWithTrailingComment(text: string): string | undefined {
    const line = this.current.line;
    this.expect(text);
    const first = this.current.comments[0];
    if (first && first.line === line) {
      this.current.comments = this.current.comments.slice(1);
      return first.text;
    }
    return undefined;
  }

  /** All comments before the current token, joined by CRLF, then forgotten (HAPI getAllComments). */
  takeAllComments(): string {
    const text = this.current.comments.map((c) => c.text).join('\r\n');
    this.current.comments = [];
    return text;
  }

  error(message: string, token: FmlToken = this.current): MigrateError {
    return fmlSyntaxError(message, { file: this.file, line: token.line, column: token.column });
  }
}
