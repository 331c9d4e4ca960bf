import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { StorageKind } from '../schema/field-type.js';
import { Problem } from '../util/problem.js';
import type { Expr, Operand } from './ast.js';
import { type ListField, type ListInfo, parseListParams, type QueryValues } from './list-params.js';

function field(storage: StorageKind, extra: Partial<ListField> = {}): ListField {
  const fromString = (value: string): unknown => {
    if (storage === 'integer') return /^-?[0-9]+$/.test(value) ? Number(value) : value;
    if (storage === 'real') return Number.isFinite(Number(value)) ? Number(value) : value;
    if (storage === 'boolean')
      return value === 'true' || value === 'on' || value === '1' ? true : value === 'false' ? false : value;
    return value;
  };
  return { storage, multiple: false, fromString, ...extra };
}

const INFO: ListInfo = {
  fields: {
    id: field('text'),
    created: field('text'),
    updated: field('text'),
    title: field('text'),
    year: field('integer'),
    price: field('real'),
    done: field('boolean'),
    owner: field('text', { relation: 'users' }),
    tags: field('text', { multiple: true }),
    meta: field('json'),
  },
};

function operand(o: Operand): string {
  return o.kind === 'field' ? o.name : o.kind === 'literal' ? JSON.stringify(o.value) : `@auth.${o.prop}`;
}

function show(e: Expr | null): string | null {
  if (e === null) return null;
  if (e.kind === 'cmp') return `${operand(e.left)} ${e.op} ${operand(e.right)}`;
  return `(${show(e.left)} ${e.kind === 'and' ? '&&' : '||'} ${show(e.right)})`;
}

const DEFAULTS = {
  filter: null,
  sort: [],
  page: 1,
  perPage: 20,
  fields: null,
  expand: [],
  skipTotal: false,
  after: null,
};

describe('parseListParams: accepted', () => {
  it('defaults', () => {
    assert.deepEqual(parseListParams({}, INFO), DEFAULTS);
    assert.deepEqual(parseListParams({ page: undefined }, INFO), DEFAULTS);
  });

  const cases: [QueryValues, Partial<Record<keyof typeof DEFAULTS, unknown>>][] = [
    [{ page: '3' }, { page: 3 }],
    [{ page: '007' }, { page: 7 }],
    [{ page: '18014398509481' }, { page: 18014398509481 }],
    [{ page: ['2'] }, { page: 2 }],
    [{ perPage: '1' }, { perPage: 1 }],
    [{ perPage: '500' }, { perPage: 500 }],
    [
      { sort: '-year,title' },
      {
        sort: [
          { field: 'year', desc: true },
          { field: 'title', desc: false },
        ],
      },
    ],
    [{ sort: 'created' }, { sort: [{ field: 'created', desc: false }] }],
    [
      { sort: ' -updated , id ' },
      {
        sort: [
          { field: 'updated', desc: true },
          { field: 'id', desc: false },
        ],
      },
    ],
    [{ fields: 'id,title' }, { fields: ['id', 'title'] }],
    [{ fields: 'id,title,id' }, { fields: ['id', 'title'] }],
    [{ fields: ['id', 'year,title'] }, { fields: ['id', 'year', 'title'] }],
    [{ expand: 'owner' }, { expand: ['owner'] }],
    [{ expand: 'owner,owner' }, { expand: ['owner'] }],
    [{ skipTotal: 'true' }, { skipTotal: true }],
    [{ skipTotal: 'false' }, { skipTotal: false }],
    [{ filter: 'year >= 1960' }, { filter: 'year >= 1960' }],
    // The cursor is read after the sort, whichever comes first in the query.
    [
      { after: Buffer.from('[1965,"b1"]').toString('base64url'), sort: '-year' },
      { sort: [{ field: 'year', desc: true }], after: [1965, 'b1'] },
    ],
    [{ after: Buffer.from('["2024","b1"]').toString('base64url') }, { after: ['2024', 'b1'] }],
    [{ title: 'Dune' }, { filter: 'title = "Dune"' }],
    [{ year: '1965' }, { filter: 'year = 1965' }],
    [{ price: '9.5' }, { filter: 'price = 9.5' }],
    [{ done: 'true' }, { filter: 'done = true' }],
    [{ done: 'false' }, { filter: 'done = false' }],
    [{ owner: 'u1' }, { filter: 'owner = "u1"' }],
    [{ title: '' }, { filter: 'title = null' }],
    [{ title: 'x" OR 1=1 --' }, { filter: 'title = "x\\" OR 1=1 --"' }],
    [{ year: '1965', title: 'Dune' }, { filter: '(year = 1965 && title = "Dune")' }],
    [
      { filter: 'a = 1 || b = 2', year: '1965', done: 'true' },
      { filter: '(((a = 1 || b = 2) && year = 1965) && done = true)' },
    ],
  ];
  for (const [query, expected] of cases) {
    it(new URLSearchParams(query as Record<string, string>).toString(), () => {
      const got = parseListParams(query, INFO);
      assert.deepEqual({ ...got, filter: show(got.filter) }, { ...DEFAULTS, ...expected });
    });
  }

  it('gives shorthand nodes position 0', () => {
    assert.deepEqual(parseListParams({ year: '1965' }, INFO).filter, {
      kind: 'cmp',
      op: '=',
      left: { kind: 'field', name: 'year', pos: 0 },
      right: { kind: 'literal', value: 1965, pos: 0 },
      pos: 0,
    });
  });

  it('honours maxPerPage', () => {
    assert.equal(parseListParams({ perPage: '50' }, { ...INFO, maxPerPage: 50 }).perPage, 50);
  });
});

describe('parseListParams: refused', () => {
  const cases: [QueryValues, string, string][] = [
    [{ page: '0' }, 'invalidQuery', 'Invalid page "0": expected a whole number from 1 to 18014398509481'],
    [{ page: '-1' }, 'invalidQuery', 'Invalid page "-1": expected a whole number from 1 to 18014398509481'],
    [{ page: '1.5' }, 'invalidQuery', 'Invalid page "1.5": expected a whole number from 1 to 18014398509481'],
    [{ page: 'abc' }, 'invalidQuery', 'Invalid page "abc": expected a whole number from 1 to 18014398509481'],
    [{ page: '+3' }, 'invalidQuery', 'Invalid page "+3": expected a whole number from 1 to 18014398509481'],
    [{ page: '' }, 'invalidQuery', 'Invalid page "": expected a whole number from 1 to 18014398509481'],
    [{ page: ' 2' }, 'invalidQuery', 'Invalid page " 2": expected a whole number from 1 to 18014398509481'],
    [{ page: '1e3' }, 'invalidQuery', 'Invalid page "1e3": expected a whole number from 1 to 18014398509481'],
    [
      { page: '0x10' },
      'invalidQuery',
      'Invalid page "0x10": expected a whole number from 1 to 18014398509481',
    ],
    [
      { page: '99999999999999999999' },
      'invalidQuery',
      'Invalid page "99999999999999999999": expected a whole number from 1 to 18014398509481',
    ],
    [
      { page: '18014398509482' },
      'invalidQuery',
      'Invalid page "18014398509482": expected a whole number from 1 to 18014398509481',
    ],
    [{ page: ['1', '2'] }, 'invalidQuery', 'Query parameter "page" is given more than once'],
    [{ perPage: '0' }, 'invalidQuery', 'Invalid perPage "0": expected a whole number from 1 to 500'],
    [{ perPage: '501' }, 'invalidQuery', 'Invalid perPage "501": expected a whole number from 1 to 500'],
    [{ perPage: '20.0' }, 'invalidQuery', 'Invalid perPage "20.0": expected a whole number from 1 to 500'],
    [{ perPage: '' }, 'invalidQuery', 'Invalid perPage "": expected a whole number from 1 to 500'],
    [{ perPage: ['10', '20'] }, 'invalidQuery', 'Query parameter "perPage" is given more than once'],
    [{ filter: ['a = 1', 'b = 2'] }, 'invalidQuery', 'Query parameter "filter" is given more than once'],
    [{ sort: ['year', 'title'] }, 'invalidQuery', 'Query parameter "sort" is given more than once'],
    [{ sort: 'nope' }, 'invalidQuery', 'Cannot sort by unknown field "nope"'],
    [{ sort: '-nope' }, 'invalidQuery', 'Cannot sort by unknown field "nope"'],
    [{ sort: '+year' }, 'invalidQuery', 'Cannot sort by unknown field "+year"'],
    [{ sort: 'title;DROP TABLE x' }, 'invalidQuery', 'Cannot sort by unknown field "title;DROP TABLE x"'],
    [{ sort: '-' }, 'invalidQuery', 'Cannot sort by unknown field ""'],
    [{ sort: 'year,,title' }, 'invalidQuery', 'Empty name in sort="year,,title"'],
    [{ sort: '' }, 'invalidQuery', 'Empty name in sort=""'],
    [{ sort: 'year,year' }, 'invalidQuery', 'Field "year" is in sort twice'],
    [{ sort: 'year,-year' }, 'invalidQuery', 'Field "year" is in sort twice'],
    [{ fields: 'id,nope' }, 'invalidQuery', 'Unknown field "nope" in fields'],
    [{ fields: '' }, 'invalidQuery', 'Empty name in fields=""'],
    [{ expand: 'nope' }, 'invalidQuery', 'Unknown field "nope" in expand'],
    [{ expand: 'title' }, 'invalidQuery', 'Cannot expand "title": it is not a relation field'],
    [{ skipTotal: '1' }, 'invalidQuery', 'Invalid skipTotal "1": expected true or false'],
    [{ skipTotal: '' }, 'invalidQuery', 'Invalid skipTotal "": expected true or false'],
    [{ skipTotal: ['true', 'true'] }, 'invalidQuery', 'Query parameter "skipTotal" is given more than once'],
    [{ x: '1' }, 'invalidQuery', 'Unknown query parameter "x"'],
    [JSON.parse('{"__proto__":"1"}') as QueryValues, 'invalidQuery', 'Unknown query parameter "__proto__"'],
    [{ constructor: '1' }, 'invalidQuery', 'Unknown query parameter "constructor"'],
    [{ year: 'abc' }, 'invalidQuery', 'Value "abc" for "year" is not a number'],
    [{ year: '1965.5x' }, 'invalidQuery', 'Value "1965.5x" for "year" is not a number'],
    [{ price: 'NaN' }, 'invalidQuery', 'Value "NaN" for "price" is not a number'],
    [{ done: 'yes' }, 'invalidQuery', 'Value "yes" for "done" is not true or false'],
    [{ year: ['1965', '1966'] }, 'invalidQuery', 'Query parameter "year" is given more than once'],
    [
      { tags: 'sf' },
      'invalidQuery',
      'Field "tags" holds several values; use filter=tags ~ "…" instead of tags=…',
    ],
    [{ meta: 'x' }, 'invalidQuery', 'Field "meta" holds JSON; use filter=meta ~ "…" instead of meta=…'],
    [{ filter: '' }, 'invalidFilter', 'Empty filter: expected a comparison at position 0'],
    [
      { filter: 'year >= ' },
      'invalidFilter',
      'Expected a value after ">=" at position 8, found end of input',
    ],
  ];
  for (const [query, code, detail] of cases) {
    it(`${JSON.stringify(query)} ${Object.keys(query).join(',')}`, () => {
      assert.throws(
        () => parseListParams(query, INFO),
        (err: unknown) => {
          assert.ok(err instanceof Problem, String(err));
          assert.equal(err.code, code);
          assert.equal(err.status, 400);
          assert.equal(err.detail, detail);
          return true;
        },
      );
    });
  }

  it('honours maxPerPage in the message', () => {
    assert.throws(() => parseListParams({ perPage: '51' }, { ...INFO, maxPerPage: 50 }), {
      detail: 'Invalid perPage "51": expected a whole number from 1 to 50',
    });
  });
});

describe('parseListParams: the number of comparisons (limits.filterTerms)', () => {
  const terms = (n: number) => Array.from({ length: n }, (_, i) => `year = ${i}`).join(' && ');
  const cases: { name: string; query: QueryValues; max?: number; position?: number }[] = [
    { name: 'the default bound (100) is accepted', query: { filter: terms(100) } },
    { name: 'one over the default bound', query: { filter: terms(101) }, position: terms(100).length + 4 },
    { name: 'a configured bound, at it', query: { filter: terms(3) }, max: 3 },
    { name: 'a configured bound, one over', query: { filter: terms(4) }, max: 3, position: 36 },
    { name: 'shorthands and a filter at the bound', query: { title: 'Dune', filter: terms(2) }, max: 3 },
    {
      name: 'shorthands and a filter one over: at the first comparison over',
      query: { title: 'Dune', done: 'true', filter: terms(2) },
      max: 3,
      position: 12,
    },
    { name: 'shorthands alone at the bound', query: { title: 'Dune', year: '1965', done: 'true' }, max: 3 },
    {
      name: 'shorthands alone over the bound: position 0',
      query: { title: 'Dune', year: '1965', done: 'true', price: '1' },
      max: 3,
      position: 0,
    },
  ];
  for (const row of cases) {
    it(row.name, () => {
      const info = row.max === undefined ? INFO : { ...INFO, maxFilterTerms: row.max };
      if (row.position === undefined) {
        assert.ok(parseListParams(row.query, info).filter);
        return;
      }
      assert.throws(
        () => parseListParams(row.query, info),
        (err: unknown) => {
          assert.ok(err instanceof Problem, String(err));
          assert.equal(err.code, 'invalidFilter');
          assert.equal(err.status, 400);
          assert.deepEqual(err.extra, { position: row.position, limit: 'limits.filterTerms' });
          assert.match(
            err.detail,
            new RegExp(`more than the ${row.max ?? 100} .*\\(limits\\.filterTerms\\)`),
          );
          return true;
        },
      );
    });
  }
});
