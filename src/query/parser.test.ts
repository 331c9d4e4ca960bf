import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Problem } from '../util/problem.js';
import type { Expr, Operand } from './ast.js';
import { type FilterBounds, MAX_FILTER_DEPTH, MAX_FILTER_LENGTH, parseFilter } from './parser.js';

function operand(o: Operand): string {
  if (o.kind === 'field') return `${o.name}@${o.pos}`;
  if (o.kind === 'auth') return `@auth.${o.prop}@${o.pos}`;
  return `${JSON.stringify(o.value)}@${o.pos}`;
}

/** A compact rendering that shows grouping and every position. */
function show(e: Expr): string {
  if (e.kind === 'cmp') return `${operand(e.left)} ${e.op} ${operand(e.right)}`;
  return `(${show(e.left)} ${e.kind === 'and' ? '&&' : '||'} ${show(e.right)})`;
}

function expectFilterError(
  src: string,
  position: number,
  detail?: string,
  limit?: string,
  bounds: FilterBounds = {},
): void {
  assert.throws(
    () => parseFilter(src, bounds),
    (err: unknown) => {
      assert.ok(err instanceof Problem, String(err));
      assert.equal(err.code, 'invalidFilter');
      assert.deepEqual(err.extra, limit === undefined ? { position } : { position, limit });
      if (detail !== undefined) assert.equal(err.detail, detail);
      return true;
    },
  );
}

describe('parseFilter: accepted', () => {
  const cases: [string, string][] = [
    ['year = 1965', 'year@0 = 1965@7'],
    ['year>=1960', 'year@0 >= 1960@6'],
    ['  title ~ "dune"  ', 'title@2 ~ "dune"@10'],
    ["title !~ 'x'", 'title@0 !~ "x"@9'],
    ['a != null', 'a@0 != null@5'],
    ['done = true', 'done@0 = true@7'],
    ['price < -1.5e2', 'price@0 < -150@8'],
    ['1965 = year', '1965@0 = year@7'],
    ['a = b', 'a@0 = b@4'],
    ['owner = @auth.id', 'owner@0 = @auth.id@8'],
    ['@auth.admin = true', '@auth.admin@0 = true@14'],
    ['a = 1 && b = 2', '(a@0 = 1@4 && b@9 = 2@13)'],
    ['a = 1 || b = 2', '(a@0 = 1@4 || b@9 = 2@13)'],
    // && binds tighter than ||.
    ['a = 1 || b = 2 && c = 3', '(a@0 = 1@4 || (b@9 = 2@13 && c@18 = 3@22))'],
    ['a = 1 && b = 2 || c = 3', '((a@0 = 1@4 && b@9 = 2@13) || c@18 = 3@22)'],
    ['(a = 1 || b = 2) && c = 3', '((a@1 = 1@5 || b@10 = 2@14) && c@20 = 3@24)'],
    // Both connectives are left-associative.
    ['a=1&&b=2&&c=3', '((a@0 = 1@2 && b@5 = 2@7) && c@10 = 3@12)'],
    ['a=1||b=2||c=3', '((a@0 = 1@2 || b@5 = 2@7) || c@10 = 3@12)'],
    ['((a = 1))', 'a@2 = 1@6'],
    [
      'year >= 1960 && (author = "Herbert" || title ~ "dune")',
      '(year@0 >= 1960@8 && (author@17 = "Herbert"@26 || title@39 ~ "dune"@47))',
    ],
    ['title = "x\\" OR 1=1 --"', 'title@0 = "x\\" OR 1=1 --"@8'],
    ['title ~ "%_\\\\"', 'title@0 ~ "%_\\\\"@8'],
  ];
  for (const [src, expected] of cases) {
    it(src, () => assert.equal(show(parseFilter(src)), expected));
  }

  it('gives and/or nodes the position of their left side', () => {
    const expr = parseFilter(' a = 1 && b = 2');
    assert.equal(expr.pos, 1);
  });

  it(`accepts ${MAX_FILTER_DEPTH} levels of parentheses`, () => {
    const src = '('.repeat(MAX_FILTER_DEPTH) + 'a = 1' + ')'.repeat(MAX_FILTER_DEPTH);
    assert.equal(show(parseFilter(src)), `a@${MAX_FILTER_DEPTH} = 1@${MAX_FILTER_DEPTH + 4}`);
  });

  it('accepts a long flat chain up to the length limit without deep recursion', () => {
    const src = Array.from({ length: 800 }, () => 'a=1').join('&&');
    assert.ok(src.length <= MAX_FILTER_LENGTH);
    assert.equal(parseFilter(src).kind, 'and');
  });
});

describe('parseFilter: refused', () => {
  const cases: [string, number, string][] = [
    ['', 0, 'Empty filter: expected a comparison at position 0'],
    ['   ', 3, 'Empty filter: expected a comparison at position 3'],
    ['author = ', 9, 'Expected a value after "=" at position 9, found end of input'],
    ['author = && x', 9, 'Expected a value after "=" at position 9, found "&&"'],
    ['a == 1', 3, 'Expected a value after "=" at position 3, found "="'],
    ['a = (1)', 4, 'Expected a value after "=" at position 4, found "("'],
    [
      'year',
      4,
      'Expected an operator (=, !=, >, >=, <, <=, ~, !~) after "year" at position 4, found end of input',
    ],
    [
      'year 1965',
      5,
      'Expected an operator (=, !=, >, >=, <, <=, ~, !~) after "year" at position 5, found "1965"',
    ],
    ["'x' = 1 2", 8, `Expected "&&", "||" or the end of the filter at position 8, found "2"`],
    [
      'a = 1 "a long string that goes on and on"',
      6,
      'Expected "&&", "||" or the end of the filter at position 6, found "a long string that goes …',
    ],
    [
      '"x" && a = 1',
      4,
      'Expected an operator (=, !=, >, >=, <, <=, ~, !~) after "x" at position 4, found "&&"',
    ],
    ['a = 1 b', 6, 'Expected "&&", "||" or the end of the filter at position 6, found "b"'],
    ['a = 1 = 2', 6, 'Expected "&&", "||" or the end of the filter at position 6, found "="'],
    ['a = 1)', 5, 'Expected "&&", "||" or the end of the filter at position 5, found ")"'],
    ['&& a = 1', 0, 'Expected a field, a value or "(" at position 0, found "&&"'],
    ['= 1', 0, 'Expected a field, a value or "(" at position 0, found "="'],
    ['a = 1 &&', 8, 'Expected a field, a value or "(" after "&&" at position 8, found end of input'],
    ['a = 1 || || b = 2', 9, 'Expected a field, a value or "(" after "||" at position 9, found "||"'],
    ['()', 1, 'Expected a field, a value or "(" after "(" at position 1, found ")"'],
    [
      '(a = 1',
      6,
      'Expected "&&", "||" or ")" at position 6 to close the "(" at position 0, found end of input',
    ],
    [
      '((a = 1) && b = 2',
      17,
      'Expected "&&", "||" or ")" at position 17 to close the "(" at position 0, found end of input',
    ],
    ['(a = 1 b', 7, 'Expected "&&", "||" or ")" at position 7 to close the "(" at position 0, found "b"'],
    // Quote tricks never reach SQL: the extra quotes are just more tokens, which do not parse.
    [
      "title = 'a'' OR ''1''=''1'",
      11,
      `Expected "&&", "||" or the end of the filter at position 11, found ' OR '`,
    ],
    ['title = "x" OR 1=1 --', 12, 'Expected "&&", "||" or the end of the filter at position 12, found "OR"'],
    ['title;DROP = 1', 5, 'Unexpected character ";" at position 5'],
    // A lexing error later than a parsing error is never reached.
    ['a = = "unterminated', 4, 'Expected a value after "=" at position 4, found "="'],
    [
      'a = 1 && b = "unterminated',
      13,
      'Unterminated string starting at position 13: expected a closing " before the end of input',
    ],
  ];
  for (const [src, position, detail] of cases) {
    it(JSON.stringify(src), () => expectFilterError(src, position, detail));
  }

  it(`refuses more than ${MAX_FILTER_DEPTH} levels of parentheses at the first one too many`, () => {
    const src = '('.repeat(MAX_FILTER_DEPTH + 1) + 'a = 1' + ')'.repeat(MAX_FILTER_DEPTH + 1);
    expectFilterError(
      src,
      MAX_FILTER_DEPTH,
      `Too deeply nested: more than the ${MAX_FILTER_DEPTH} levels of parentheses a filter may have ` +
        `(maxFilterDepth, a fixed bound), at position ${MAX_FILTER_DEPTH}`,
      'maxFilterDepth',
    );
  });

  it('refuses pathological nesting without overflowing the stack', () => {
    expectFilterError('('.repeat(MAX_FILTER_LENGTH), MAX_FILTER_DEPTH, undefined, 'maxFilterDepth');
  });

  it(`refuses filters longer than ${MAX_FILTER_LENGTH} characters`, () => {
    const src = `a = "${'x'.repeat(MAX_FILTER_LENGTH)}"`;
    expectFilterError(
      src,
      MAX_FILTER_LENGTH,
      `Filter is too long: ${src.length} characters, more than the ${MAX_FILTER_LENGTH} a filter may have ` +
        `(maxFilterLength, a fixed bound), at position ${MAX_FILTER_LENGTH}`,
      'maxFilterLength',
    );
    expectFilterError('('.repeat(100_000), MAX_FILTER_LENGTH, undefined, 'maxFilterLength');
  });

  it(`accepts exactly ${MAX_FILTER_LENGTH} characters`, () => {
    const src = `a = "${'x'.repeat(MAX_FILTER_LENGTH - 6)}"`;
    assert.equal(src.length, MAX_FILTER_LENGTH);
    assert.equal(parseFilter(src).kind, 'cmp');
  });
});

describe('parseFilter: the number of comparisons (limits.filterTerms)', () => {
  /** `n` comparisons joined by `joiner`, and where the k-th (0-based) starts. */
  function chain(n: number, joiner: string): { src: string; at: (k: number) => number } {
    const term = 'a = 1';
    return {
      src: Array.from({ length: n }, () => term).join(joiner),
      at: (k) => k * (term.length + joiner.length),
    };
  }
  const cases: {
    name: string;
    n: number;
    joiner: string;
    bounds: FilterBounds;
    ok: boolean;
    shorthand?: boolean;
  }[] = [
    { name: 'no bound: as many as fit the length', n: 500, joiner: '&&', bounds: {}, ok: true },
    { name: 'exactly at the bound (&&)', n: 100, joiner: '&&', bounds: { maxTerms: 100 }, ok: true },
    { name: 'one over the bound (&&)', n: 101, joiner: '&&', bounds: { maxTerms: 100 }, ok: false },
    { name: 'exactly at the bound (||)', n: 100, joiner: ' || ', bounds: { maxTerms: 100 }, ok: true },
    { name: 'one over the bound (||)', n: 101, joiner: ' || ', bounds: { maxTerms: 100 }, ok: false },
    {
      name: 'shorthands count: at the bound',
      n: 98,
      joiner: '&&',
      bounds: { maxTerms: 100, termsBefore: 2 },
      ok: true,
    },
    {
      name: 'shorthands count: one over',
      n: 99,
      joiner: '&&',
      bounds: { maxTerms: 100, termsBefore: 2 },
      ok: false,
      shorthand: true,
    },
    { name: 'a bound of one', n: 2, joiner: '&&', bounds: { maxTerms: 1 }, ok: false },
  ];
  for (const row of cases) {
    it(row.name, () => {
      const { src, at } = chain(row.n, row.joiner);
      if (row.ok) {
        assert.ok(parseFilter(src, row.bounds));
        return;
      }
      const max = row.bounds.maxTerms as number;
      const first = max - (row.bounds.termsBefore ?? 0);
      const included = row.shorthand ? ', shorthand equalities (?field=value) included' : '';
      expectFilterError(
        src,
        at(first),
        `Too many comparisons: more than the ${max} a filter may hold${included} ` +
          `(limits.filterTerms), at position ${at(first)}`,
        'limits.filterTerms',
        row.bounds,
      );
    });
  }

  it('counts comparisons inside parentheses too', () => {
    const src = '(a = 1 || (b = 2 && c = 3)) && d = 4';
    assert.ok(parseFilter(src, { maxTerms: 4 }));
    expectFilterError(src, src.indexOf('d'), undefined, 'limits.filterTerms', { maxTerms: 3 });
  });
});
