/**
 * Recursive-descent parser for the filter language:
 *   or := and ('||' and)*     and := unary ('&&' unary)*
 *   unary := '(' or ')' | comparison     comparison := operand op operand
 */
import type { Expr, Operand } from './ast.js';
import { filterError } from './filter-error.js';
import { describeToken, Lexer, type Token } from './lexer.js';

/** Longer filters are refused before any work is done. */
export const MAX_FILTER_LENGTH = 4096;
/** Deeper parentheses are refused, so recursion can never overflow the stack. */
export const MAX_FILTER_DEPTH = 64;

const OPERATORS = '=, !=, >, >=, <, <=, ~, !~';

export interface FilterBounds {
  /** Most comparisons a request's filter may hold (limits.filterTerms); none for the config's rules. */
  maxTerms?: number;
  /** Comparisons the request already holds outside this filter (shorthand equalities). */
  termsBefore?: number;
}

/** Parses a filter expression, or throws an `invalidFilter` problem with the failing position. */
export function parseFilter(src: string, bounds: FilterBounds = {}): Expr {
  if (src.length > MAX_FILTER_LENGTH) {
    throw filterError(
      `Filter is too long: ${src.length} characters, more than the ${MAX_FILTER_LENGTH} a filter may have ` +
        `(maxFilterLength, a fixed bound), at position ${MAX_FILTER_LENGTH}`,
      MAX_FILTER_LENGTH,
      'maxFilterLength',
    );
  }
  return new Parser(src, bounds).parse();
}

class Parser {
  private readonly lexer: Lexer;
  private token: Token;
  private depth = 0;
  private terms: number;
  private readonly maxTerms: number;

  constructor(
    src: string,
    private readonly bounds: FilterBounds,
  ) {
    this.lexer = new Lexer(src);
    this.token = this.lexer.next();
    this.terms = bounds.termsBefore ?? 0;
    this.maxTerms = bounds.maxTerms ?? Number.POSITIVE_INFINITY;
  }

  parse(): Expr {
    if (this.at('eof')) {
      throw filterError(`Empty filter: expected a comparison at position ${this.token.pos}`, this.token.pos);
    }
    const expr = this.or();
    if (!this.at('eof')) throw this.expected('"&&", "||" or the end of the filter');
    return expr;
  }

  /** A method, not a property test, so TypeScript does not keep a narrowing across `advance()`. */
  private at(kind: Token['kind']): boolean {
    return this.token.kind === kind;
  }

  private advance(): Token {
    const current = this.token;
    this.token = this.lexer.next();
    return current;
  }

  private expected(what: string, after?: Token): Error {
    const { token } = this;
    const context = after === undefined ? '' : ` after ${describeToken(after)}`;
    return filterError(
      `Expected ${what}${context} at position ${token.pos}, found ${describeToken(token)}`,
      token.pos,
    );
  }

  /** `after` is the token the expression follows, so an error can say "after ...". */
  private or(after?: Token): Expr {
    let left = this.and(after);
    while (this.at('or')) {
      const op = this.advance();
      left = { kind: 'or', left, right: this.and(op), pos: left.pos };
    }
    return left;
  }

  private and(after?: Token): Expr {
    let left = this.unary(after);
    while (this.at('and')) {
      const op = this.advance();
      left = { kind: 'and', left, right: this.unary(op), pos: left.pos };
    }
    return left;
  }

  private unary(after?: Token): Expr {
    if (!this.at('lparen')) return this.comparison(after);
    const open = this.advance();
    if (this.depth >= MAX_FILTER_DEPTH) {
      throw filterError(
        `Too deeply nested: more than the ${MAX_FILTER_DEPTH} levels of parentheses a filter may have ` +
          `(maxFilterDepth, a fixed bound), at position ${open.pos}`,
        open.pos,
        'maxFilterDepth',
      );
    }
    this.depth++;
    const inner = this.or(open);
    if (!this.at('rparen')) {
      const { token } = this;
      throw filterError(
        `Expected "&&", "||" or ")" at position ${token.pos} to close the "(" at position ${open.pos}, ` +
          `found ${describeToken(token)}`,
        token.pos,
      );
    }
    this.advance();
    this.depth--;
    return inner;
  }

  private comparison(after?: Token): Expr {
    const leftToken = this.token;
    // Each comparison becomes SQL: counting them bounds the statement whatever the filter's shape.
    if (++this.terms > this.maxTerms) throw this.tooManyTerms(leftToken.pos);
    const left = this.operand('a field, a value or "("', after);
    const opToken = this.token;
    if (opToken.kind !== 'op') throw this.expected(`an operator (${OPERATORS})`, leftToken);
    this.advance();
    const right = this.operand('a value', opToken);
    return { kind: 'cmp', op: opToken.op, left, right, pos: left.pos };
  }

  private tooManyTerms(pos: number): Error {
    const shorthand =
      (this.bounds.termsBefore ?? 0) > 0 ? ', shorthand equalities (?field=value) included' : '';
    return filterError(
      `Too many comparisons: more than the ${this.maxTerms} a filter may hold${shorthand} ` +
        `(limits.filterTerms), at position ${pos}`,
      pos,
      'limits.filterTerms',
    );
  }

  private operand(what: string, after?: Token): Operand {
    const token = this.token;
    if (token.kind === 'field') {
      this.advance();
      return { kind: 'field', name: token.name, pos: token.pos };
    }
    if (token.kind === 'literal') {
      this.advance();
      return { kind: 'literal', value: token.value, pos: token.pos };
    }
    if (token.kind === 'auth') {
      this.advance();
      return { kind: 'auth', prop: token.prop, pos: token.pos };
    }
    throw this.expected(what, after);
  }
}
