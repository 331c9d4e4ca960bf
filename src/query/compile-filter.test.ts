import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { postgresDialect } from '../store/postgres/dialect.js';
import { sqliteDialect } from '../store/sqlite/dialect.js';
import { Problem } from '../util/problem.js';
import { type AuthValues, bindAuth } from './bind-auth.js';
import { type ColumnInfo, compileFilter, type ParamValue } from './compile-filter.js';
import { parseFilter } from './parser.js';

const COLUMNS: Record<string, ColumnInfo> = {
  id: { sql: '"id"', storage: 'text', multiple: false },
  title: { sql: '"title"', storage: 'text', multiple: false },
  author: { sql: '"author"', storage: 'text', multiple: false },
  owner: { sql: '"owner"', storage: 'text', multiple: false },
  year: { sql: '"year"', storage: 'integer', multiple: false },
  pages: { sql: '"pages"', storage: 'integer', multiple: false },
  price: { sql: '"price"', storage: 'real', multiple: false },
  done: { sql: '"done"', storage: 'boolean', multiple: false },
  meta: { sql: '"meta"', storage: 'json', multiple: false },
  tags: { sql: '"tags"', storage: 'text', multiple: true },
};

const USER: AuthValues = { id: 'u1', email: 'ann@example.com', admin: false };

// Tests may reach into store/: the dialects implement the compiler's FilterSql hooks.
const DIALECTS = { sqlite: sqliteDialect, postgres: postgresDialect };
type SqlDialect = keyof typeof DIALECTS;

function compile(src: string, dialect: SqlDialect, auth: AuthValues | null = USER) {
  const params: ParamValue[] = [];
  const sql = compileFilter(bindAuth(parseFilter(src), auth), {
    sql: DIALECTS[dialect],
    column: (name) => (Object.hasOwn(COLUMNS, name) ? COLUMNS[name] : undefined),
    param(value) {
      params.push(value);
      return dialect === 'sqlite' ? '?' : `$${params.length}`;
    },
  });
  return { sql, params };
}

interface Case {
  filter: string;
  sqlite: string;
  postgres: string;
  params: ParamValue[];
  auth?: AuthValues | null;
}

const cases: Case[] = [
  { filter: 'year = 1965', sqlite: '"year" = ?', postgres: '"year" = $1', params: [1965] },
  { filter: 'year >= 1960', sqlite: '"year" >= ?', postgres: '"year" >= $1', params: [1960] },
  { filter: 'year < -5', sqlite: '"year" < ?', postgres: '"year" < $1', params: [-5] },
  { filter: 'year <= 1e3', sqlite: '"year" <= ?', postgres: '"year" <= $1', params: [1000] },
  // An untyped parameter would take the integer column's type and reject "1.5".
  { filter: 'year > 1.5', sqlite: '"year" > ?', postgres: '"year" > $1::numeric', params: [1.5] },
  { filter: 'price > 1.5', sqlite: '"price" > ?', postgres: '"price" > $1', params: [1.5] },
  { filter: 'price = 3', sqlite: '"price" = ?', postgres: '"price" = $1', params: [3] },
  { filter: 'title = "Dune"', sqlite: '"title" = ?', postgres: '"title" = $1', params: ['Dune'] },
  { filter: "title > 'M'", sqlite: '"title" > ?', postgres: '"title" > $1', params: ['M'] },
  {
    filter: 'title != "Dune"',
    sqlite: '"title" IS NOT ?',
    postgres: '"title" IS DISTINCT FROM $1',
    params: ['Dune'],
  },
  { filter: 'done = true', sqlite: '"done" = ?', postgres: '"done" = $1', params: [true] },
  {
    filter: 'done != false',
    sqlite: '"done" IS NOT ?',
    postgres: '"done" IS DISTINCT FROM $1',
    params: [false],
  },
  { filter: '1965 = year', sqlite: '? = "year"', postgres: '$1 = "year"', params: [1965] },
  { filter: 'title = null', sqlite: '"title" IS NULL', postgres: '"title" IS NULL', params: [] },
  { filter: 'year != null', sqlite: '"year" IS NOT NULL', postgres: '"year" IS NOT NULL', params: [] },
  { filter: 'null = done', sqlite: '"done" IS NULL', postgres: '"done" IS NULL', params: [] },
  { filter: 'meta = null', sqlite: '"meta" IS NULL', postgres: '"meta" IS NULL', params: [] },
  { filter: 'tags != null', sqlite: '"tags" IS NOT NULL', postgres: '"tags" IS NOT NULL', params: [] },
  {
    filter: 'title ~ "dune"',
    sqlite: 'methodical_contains("title", ?)',
    postgres: 'strpos(lower("title" COLLATE "und-x-icu"), $1::text) > 0',
    params: ['dune'],
  },
  {
    filter: 'title !~ "dune"',
    sqlite: '("title" IS NULL OR NOT (methodical_contains("title", ?)))',
    postgres: '("title" IS NULL OR NOT (strpos(lower("title" COLLATE "und-x-icu"), $1::text) > 0))',
    params: ['dune'],
  },
  {
    filter: 'title ~ ""',
    sqlite: 'methodical_contains("title", ?)',
    postgres: 'strpos(lower("title" COLLATE "und-x-icu"), $1::text) > 0',
    params: [''],
  },
  {
    filter: 'meta ~ "\\"a\\":1"',
    sqlite: 'methodical_contains("meta", ?)',
    postgres: 'strpos(lower("meta" COLLATE "und-x-icu"), $1::text) > 0',
    params: ['"a":1'],
  },
  {
    filter: 'tags !~ "sf"',
    sqlite: '("tags" IS NULL OR NOT (methodical_contains("tags", ?)))',
    postgres: '("tags" IS NULL OR NOT (strpos(lower("tags" COLLATE "und-x-icu"), $1::text) > 0))',
    params: ['sf'],
  },
  { filter: 'title = author', sqlite: '"title" = "author"', postgres: '"title" = "author"', params: [] },
  { filter: 'year < pages', sqlite: '"year" < "pages"', postgres: '"year" < "pages"', params: [] },
  { filter: 'year <= price', sqlite: '"year" <= "price"', postgres: '"year" <= "price"', params: [] },
  {
    filter: 'pages = 1 && year = 2',
    sqlite: '("pages" = ? AND "year" = ?)',
    postgres: '("pages" = $1 AND "year" = $2)',
    params: [1, 2],
  },
  {
    filter: 'year = 1 || year = 2 && title = "x"',
    sqlite: '("year" = ? OR ("year" = ? AND "title" = ?))',
    postgres: '("year" = $1 OR ("year" = $2 AND "title" = $3))',
    params: [1, 2, 'x'],
  },
  {
    filter: '(year = 1 || year = 2) && title = "x"',
    sqlite: '(("year" = ? OR "year" = ?) AND "title" = ?)',
    postgres: '(("year" = $1 OR "year" = $2) AND "title" = $3)',
    params: [1, 2, 'x'],
  },
  {
    // Runs of one connective are flattened, whatever the grouping.
    filter: 'year = 1 && (year = 2 && year = 3) && year = 4',
    sqlite: '("year" = ? AND "year" = ? AND "year" = ? AND "year" = ?)',
    postgres: '("year" = $1 AND "year" = $2 AND "year" = $3 AND "year" = $4)',
    params: [1, 2, 3, 4],
  },
  {
    filter: 'year >= 1960 && (author = "Herbert" || title ~ "dune")',
    sqlite: '("year" >= ? AND ("author" = ? OR methodical_contains("title", ?)))',
    postgres:
      '("year" >= $1 AND ("author" = $2 OR strpos(lower("title" COLLATE "und-x-icu"), $3::text) > 0))',
    params: [1960, 'Herbert', 'dune'],
  },
  // @auth values become parameters like any literal.
  { filter: 'owner = @auth.id', sqlite: '"owner" = ?', postgres: '"owner" = $1', params: ['u1'] },
  {
    filter: 'owner = @auth.id',
    auth: null,
    sqlite: '"owner" IS NULL',
    postgres: '"owner" IS NULL',
    params: [],
  },
  {
    filter: '@auth.admin = true',
    sqlite: '? = ?',
    postgres: '$1::boolean = $2::boolean',
    params: [false, true],
  },
  {
    filter: '@auth.admin = true || owner = @auth.id',
    sqlite: '(? = ? OR "owner" = ?)',
    postgres: '($1::boolean = $2::boolean OR "owner" = $3)',
    params: [false, true, 'u1'],
  },
  {
    filter: '@auth.email != "x"',
    sqlite: '? IS NOT ?',
    postgres: '$1::text IS DISTINCT FROM $2::text',
    params: ['ann@example.com', 'x'],
  },
  { filter: '1 < 2', sqlite: '? < ?', postgres: '$1::numeric < $2::numeric', params: [1, 2] },
  {
    filter: '@auth.id = null',
    auth: null,
    sqlite: '? IS NULL',
    postgres: '$1::text IS NULL',
    params: [null],
  },
  {
    filter: '@auth.admin != null',
    sqlite: '? IS NOT NULL',
    postgres: '$1::boolean IS NOT NULL',
    params: [false],
  },
  {
    filter: '@auth.email ~ "@Example.com"',
    sqlite: 'methodical_contains(?, ?)',
    postgres: 'strpos(lower($1::text COLLATE "und-x-icu"), $2::text) > 0',
    params: ['ann@example.com', '@example.com'],
  },
  {
    filter: '@auth.email !~ "x"',
    auth: null,
    sqlite: '(? IS NULL OR NOT (methodical_contains(?, ?)))',
    postgres: '($1::text IS NULL OR NOT (strpos(lower($2::text COLLATE "und-x-icu"), $3::text) > 0))',
    params: [null, null, 'x'],
  },
];

describe('compileFilter: SQL and parameters', () => {
  for (const c of cases) {
    const label = c.auth === null ? `${c.filter} (anonymous)` : c.filter;
    it(`sqlite: ${label}`, () => {
      assert.deepEqual(compile(c.filter, 'sqlite', c.auth), {
        sql: c.sqlite,
        params: c.params,
      });
    });
    it(`postgres: ${label}`, () => {
      assert.deepEqual(compile(c.filter, 'postgres', c.auth), { sql: c.postgres, params: c.params });
    });
  }
});

describe('compileFilter: injection attempts stay parameters', () => {
  const attempts: [string, ParamValue[]][] = [
    ['title = "x\\" OR 1=1 --"', ['x" OR 1=1 --']],
    ["title = 'x\\' OR \\'1\\'=\\'1'", ["x' OR '1'='1"]],
    ['title = "Robert\'); DROP TABLE books;--"', ["Robert'); DROP TABLE books;--"]],
    ['title = "\\u0027; DELETE FROM users"', ["'; DELETE FROM users"]],
    // No LIKE on either dialect: wildcards and backslashes are plain characters of the needle.
    ['title ~ "%_\\\\"', ['%_\\']],
    ['title ~ "100%"', ['100%']],
    ['title ~ "\'"', ["'"]],
  ];
  for (const [filter, params] of attempts) {
    for (const dialect of ['sqlite', 'postgres'] as const) {
      it(`${dialect}: ${filter}`, () => {
        const out = compile(filter, dialect);
        assert.deepEqual(out.params, params);
        assert.doesNotMatch(out.sql, /DROP|DELETE|OR 1|'1'|"x|%|'/);
      });
    }
  }
});

describe('compileFilter: refused', () => {
  const refused: [string, number, string][] = [
    ['foo = 1', 0, 'Unknown field "foo" at position 0'],
    ['year = 1 && nope = 2', 12, 'Unknown field "nope" at position 12'],
    ['year = foo', 7, 'Unknown field "foo" at position 7'],
    ['constructor = 1', 0, 'Unknown field "constructor" at position 0'],
    ['__proto__ = 1', 0, 'Unknown field "__proto__" at position 0'],
    ['title > null', 8, 'null can only be compared with = or !=, not ">", at position 8'],
    ['null <= year', 0, 'null can only be compared with = or !=, not "<=", at position 0'],
    [
      'title = 5',
      8,
      'Field "title" holds text, so compare it with a quoted string, not the number 5, at position 8',
    ],
    [
      '5 = title',
      0,
      'Field "title" holds text, so compare it with a quoted string, not the number 5, at position 0',
    ],
    [
      'title = true',
      8,
      'Field "title" holds text, so compare it with a quoted string, not true, at position 8',
    ],
    [
      'year = "1965"',
      7,
      'Field "year" holds numbers, so compare it with a number, not the string "1965", at position 7',
    ],
    [
      'price < false',
      8,
      'Field "price" holds numbers, so compare it with a number, not false, at position 8',
    ],
    [
      'done = 1',
      7,
      'Field "done" holds true or false, so compare it with true or false, not the number 1, at position 7',
    ],
    [
      'done = "true"',
      7,
      'Field "done" holds true or false, so compare it with true or false, not the string "true", at position 7',
    ],
    ['done > false', 0, 'Field "done" holds true or false; only = and != apply, not ">", at position 0'],
    ['@auth.admin < true', 0, 'Values are true or false; only = and != apply, not "<", at position 0'],
    ['title = year', 8, 'Cannot compare field "title" (text) with field "year" (numbers) at position 8'],
    [
      'done = title',
      7,
      'Cannot compare field "done" (true or false) with field "title" (text) at position 7',
    ],
    ['@auth.id = 5', 11, 'Cannot compare the string "u1" with the number 5 at position 11'],
    ['meta = "x"', 0, 'Field "meta" holds JSON; only ~, !~, = null and != null apply to it, at position 0'],
    [
      'tags = "sf"',
      0,
      'Field "tags" holds several values; only ~, !~, = null and != null apply to it, at position 0',
    ],
    [
      'title = tags',
      8,
      'Field "tags" holds several values; only ~, !~, = null and != null apply to it, at position 8',
    ],
    ['title ~ 5', 8, 'The right side of "~" must be a quoted string, at position 8'],
    ['title !~ null', 9, 'The right side of "!~" must be a quoted string, at position 9'],
    ['title ~ author', 8, 'The right side of "~" must be a quoted string, at position 8'],
    [
      'year ~ "19"',
      0,
      '"~" needs a text or JSON field on its left, but field "year" holds numbers, at position 0',
    ],
    [
      'done !~ "t"',
      0,
      '"!~" needs a text or JSON field on its left, but field "done" holds true or false, at position 0',
    ],
    ['5 ~ "5"', 0, '"~" needs a text or JSON field on its left, but the number 5 is not text, at position 0'],
  ];
  for (const [filter, position, detail] of refused) {
    for (const dialect of ['sqlite', 'postgres'] as const) {
      it(`${dialect}: ${filter}`, () => {
        assert.throws(
          () => compile(filter, dialect),
          (err: unknown) => {
            assert.ok(err instanceof Problem, String(err));
            assert.equal(err.code, 'invalidFilter');
            assert.deepEqual(err.extra, { position });
            assert.equal(err.detail, detail);
            return true;
          },
        );
      });
    }
  }

  it('refuses to compile an unbound @auth operand (a programming error, not a 400)', () => {
    assert.throws(
      () =>
        compileFilter(parseFilter('owner = @auth.id'), {
          sql: sqliteDialect,
          column: () => COLUMNS.owner,
          param: () => '?',
        }),
      (err: unknown) => !(err instanceof Problem) && err instanceof Error,
    );
  });

  it('compiles a 500-term chain into one flat AND', () => {
    const src = Array.from({ length: 500 }, () => 'year=1').join('&&');
    const { sql, params } = compile(src, 'sqlite');
    assert.equal(params.length, 500);
    assert.equal(sql, `(${Array.from({ length: 500 }, () => '"year" = ?').join(' AND ')})`);
  });
});
