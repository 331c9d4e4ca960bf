/**
 * Splits filter source into tokens on demand, so that the first error met
 * while reading left to right is the one reported.
 */
import type { CompareOp, Literal } from './ast.js';
import { filterError, quoteSnippet } from './filter-error.js';

export type AuthProp = 'id' | 'email' | 'admin';

interface TokenBase {
  pos: number;
  /** The source text of the token, for error messages. */
  text: string;
}

export type Token =
  | (TokenBase & { kind: 'field'; name: string })
  | (TokenBase & { kind: 'literal'; value: Literal })
  | (TokenBase & { kind: 'auth'; prop: AuthProp })
  | (TokenBase & { kind: 'op'; op: CompareOp })
  | (TokenBase & { kind: 'and' | 'or' | 'lparen' | 'rparen' | 'eof' });

const AUTH_PROPS: Record<string, AuthProp> = {
  '@auth.id': 'id',
  '@auth.email': 'email',
  '@auth.admin': 'admin',
};

const KEYWORDS: Record<string, Literal> = { true: true, false: false, null: null };

const IDENT = /[A-Za-z_][A-Za-z0-9_]*/y;
const NUMBER = /-?[0-9]+(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;
// What a malformed number runs on into (`1.`, `1e`, `12abc`), so the message shows all of it.
const NUMBER_TAIL = /[A-Za-z0-9_.+-]*/y;
const AUTH = /@[A-Za-z0-9_.]*/y;
const HEX4 = /[0-9A-Fa-f]{4}/y;
const WHITESPACE = /[ \t\r\n\f\v\u00a0\ufeff\u2028\u2029]/;

const SIMPLE_ESCAPES: Record<string, string> = {
  '"': '"',
  "'": "'",
  '\\': '\\',
  '/': '/',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
};

function matchAt(re: RegExp, src: string, pos: number): string | null {
  re.lastIndex = pos;
  const m = re.exec(src);
  return m === null ? null : m[0];
}

/** Shows a token in an error message; a string token already carries its own quotes. */
export function describeToken(token: Token): string {
  if (token.kind === 'eof') return 'end of input';
  if (token.kind === 'literal' && typeof token.value === 'string') {
    return token.text.length > 26 ? token.text.slice(0, 25) + '…' : token.text;
  }
  return quoteSnippet(token.text);
}

/** A pull lexer over one filter string. */
export class Lexer {
  private pos = 0;

  constructor(private readonly src: string) {}

  /** Reads the next token; at the end it keeps returning `eof`. */
  next(): Token {
    const { src } = this;
    while (this.pos < src.length && WHITESPACE.test(src[this.pos])) this.pos++;
    const start = this.pos;
    if (start >= src.length) return { kind: 'eof', pos: start, text: '' };
    const c = src[start];
    const c2 = src[start + 1] ?? '';
    if (c === '"' || c === "'") return this.string(c);
    if ((c >= '0' && c <= '9') || (c === '-' && c2 >= '0' && c2 <= '9')) return this.number();
    if (c === '@') return this.auth();
    const ident = matchAt(IDENT, src, start);
    if (ident !== null) {
      this.pos += ident.length;
      if (Object.hasOwn(KEYWORDS, ident))
        return { kind: 'literal', value: KEYWORDS[ident], pos: start, text: ident };
      return { kind: 'field', name: ident, pos: start, text: ident };
    }
    return this.punctuation(c, c2);
  }

  private take(length: number): string {
    const text = this.src.slice(this.pos, this.pos + length);
    this.pos += length;
    return text;
  }

  private punctuation(c: string, c2: string): Token {
    const pos = this.pos;
    const two = c + c2;
    if (two === '&&') return { kind: 'and', pos, text: this.take(2) };
    if (two === '||') return { kind: 'or', pos, text: this.take(2) };
    if (two === '!=' || two === '>=' || two === '<=' || two === '!~') {
      return { kind: 'op', op: two, pos, text: this.take(2) };
    }
    if (c === '=' || c === '>' || c === '<' || c === '~')
      return { kind: 'op', op: c, pos, text: this.take(1) };
    if (c === '(') return { kind: 'lparen', pos, text: this.take(1) };
    if (c === ')') return { kind: 'rparen', pos, text: this.take(1) };
    if (c === '&' || c === '|') {
      throw filterError(`Expected "${c}${c}" at position ${pos}, found "${c}"`, pos);
    }
    const shown = String.fromCodePoint(this.src.codePointAt(pos) ?? 0);
    throw filterError(`Unexpected character ${JSON.stringify(shown)} at position ${pos}`, pos);
  }

  private number(): Token {
    const start = this.pos;
    const text = matchAt(NUMBER, this.src, start) ?? '';
    const end = start + text.length;
    const tail = matchAt(NUMBER_TAIL, this.src, end) ?? '';
    const value = Number(text);
    if (tail !== '' || !Number.isFinite(value)) {
      throw filterError(`Invalid number ${quoteSnippet(text + tail)} at position ${start}`, start);
    }
    this.pos = end;
    return { kind: 'literal', value, pos: start, text };
  }

  private auth(): Token {
    const start = this.pos;
    const text = matchAt(AUTH, this.src, start) ?? '@';
    const prop = Object.hasOwn(AUTH_PROPS, text) ? AUTH_PROPS[text] : undefined;
    if (prop === undefined) {
      throw filterError(
        `Unknown variable ${quoteSnippet(text)} at position ${start}: expected @auth.id, @auth.email or @auth.admin`,
        start,
      );
    }
    this.pos += text.length;
    return { kind: 'auth', prop, pos: start, text };
  }

  private string(quote: string): Token {
    const { src } = this;
    const start = this.pos;
    let value = '';
    let i = start + 1;
    while (i < src.length && src[i] !== quote) {
      const c = src[i];
      if (c === '\\') {
        const [decoded, length] = this.escape(i);
        value += decoded;
        i += length;
      } else {
        // PostgreSQL refuses NUL in text, so it would surface as a 500 instead of a 400.
        if (c === '\0') throw filterError(`NUL characters are not allowed in strings, at position ${i}`, i);
        value += c;
        i++;
      }
    }
    if (i >= src.length) {
      throw filterError(
        `Unterminated string starting at position ${start}: expected a closing ${quote} before the end of input`,
        start,
      );
    }
    this.pos = i + 1;
    return { kind: 'literal', value, pos: start, text: src.slice(start, i + 1) };
  }

  /** Decodes the escape at `at` (a backslash) into its character and source length. */
  private escape(at: number): [string, number] {
    const e = this.src[at + 1] ?? '';
    if (Object.hasOwn(SIMPLE_ESCAPES, e)) return [SIMPLE_ESCAPES[e], 2];
    if (e === 'u') {
      const hex = matchAt(HEX4, this.src, at + 2);
      if (hex === null) {
        const shown = quoteSnippet(this.src.slice(at, at + 6));
        throw filterError(`Invalid escape ${shown} at position ${at}: expected \\u and 4 hex digits`, at);
      }
      const code = Number.parseInt(hex, 16);
      if (code === 0) throw filterError(`NUL characters are not allowed in strings, at position ${at}`, at);
      return [String.fromCharCode(code), 6];
    }
    if (e === '') throw filterError(`Unterminated escape at position ${at}: the filter ends after "\\"`, at);
    const shown = quoteSnippet('\\' + String.fromCodePoint(this.src.codePointAt(at + 1) ?? 0));
    throw filterError(
      `Invalid escape ${shown} at position ${at}: expected one of \\" \\' \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX`,
      at,
    );
  }
}
