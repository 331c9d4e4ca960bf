import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { StorageKind } from '../schema/field-type.js';
import { Problem } from '../util/problem.js';
import type { Expr, Operand } from './ast.js';
import { type JsonServerInfo, parseJsonServerQuery } from './json-server-query.js';
import { type ListField, parseListParams, type QueryValues } from './list-params.js';

function field(storage: StorageKind, extra: Partial<ListField> = {}): ListField {
  const fromString = (value: string): unknown => {
    if (storage === 'integer') return /^-?[0-9]+$/.test(value) ? Number(value) : value;
    if (storage === 'boolean') return value === 'true' ? true : value === 'false' ? false : value;
    return value;
  };
  return { storage, multiple: false, fromString, ...extra };
}

const INFO: JsonServerInfo = {
  fields: {
    id: field('text'),
    created: field('text'),
    updated: field('text'),
    title: field('text'),
    author: field('text'),
    year: field('integer'),
    done: field('boolean'),
    postId: field('text', { relation: 'posts' }),
    secret: field('text'),
  },
  hidden: new Set(['secret']),
  searchable: ['title', 'author'],
  embeds: { comments: 'postId' },
  expands: { post: 'postId' },
  numeric: new Set(['id', 'postId']),
  maxFilterTerms: 5,
};

function operand(o: Operand): string {
  return o.kind === 'field' ? o.name : o.kind === 'literal' ? JSON.stringify(o.value) : `@auth.${o.prop}`;
}

function show(e: Expr | null): string | null {
  if (e === null) return null;
  if (e.kind === 'cmp') return `${operand(e.left)} ${e.op} ${operand(e.right)}`;
  return `(${show(e.left)} ${e.kind === 'and' ? '&&' : '||'} ${show(e.right)})`;
}

function qs(query: string): QueryValues {
  const out: QueryValues = {};
  for (const [k, v] of new URLSearchParams(query)) {
    const have = out[k];
    out[k] = have === undefined ? v : [...(typeof have === 'string' ? [have] : have), v];
  }
  return out;
}

describe('parseJsonServerQuery: filters', () => {
  const cases: [string, string | null][] = [
    ['', null],
    ['title=Dune', 'title = "Dune"'],
    ['id=1&id=2', '(id = "1" || id = "2")'],
    ['year=1965', 'year = 1965'],
    ['done=true', 'done = true'],
    ['year_gte=1960&year_lte=1970', '(year >= 1960 && year <= 1970)'],
    ['author_ne=Asimov', 'author != "Asimov"'],
    ['title_like=dun', 'title ~ "dun"'],
    ['title_like=^dun', 'title ^~ "dun"'],
    ['title_like=une$', 'title ~$ "une"'],
    ['q=herb', '(title ~ "herb" || author ~ "herb")'],
    ['postId=1', 'postId = "1"'],
    ['filter={"q":"x","id":[1,2]}', '((title ~ "x" || author ~ "x") && (id = "1" || id = "2"))'],
    ['filter={"year_gte":1960}', 'year >= 1960'],
    ['filter=year > 1960', 'year > 1960'],
  ];
  for (const [query, expected] of cases) {
    it(query || '(nothing)', () => {
      assert.equal(show(parseJsonServerQuery(qs(query), INFO).params.filter), expected);
    });
  }
});

/** A sort key as json-server orders: missing values last, whole-number ids by value. */
function key(field: string, desc: boolean) {
  return { field, desc, missingLast: true, numeric: field === 'id' || field === 'postId' };
}

/** The tie-breaker json-server's stable sort amounts to: ids by value. */
const TIE = { field: 'id', desc: false, numeric: true };

describe('parseJsonServerQuery: sort and paging', () => {
  const cases: [string, Record<string, unknown>][] = [
    ['', { sort: [], page: 1, perPage: 500, offset: 0 }],
    ['_sort=title', { sort: [key('title', false), TIE] }],
    ['_sort=title&_order=DESC', { sort: [key('title', true), TIE] }],
    [
      '_sort=year,title&_order=desc,asc',
      {
        sort: [key('year', true), key('title', false), TIE],
      },
    ],
    ['_sort=-year', { sort: [key('year', true), TIE] }],
    ['_sort=id', { sort: [key('id', false)] }],
    ['sort=["title","ASC"]', { sort: [key('title', false), TIE] }],
    ['_page=2', { page: 2, perPage: 10, offset: undefined }],
    ['_page=3&_limit=5', { page: 3, perPage: 5 }],
    ['_page=3&_per_page=5', { page: 3, perPage: 5 }],
    ['_start=5&_end=15', { offset: 5, perPage: 10 }],
    ['_start=5&_limit=3', { offset: 5, perPage: 3 }],
    ['_end=4', { offset: 0, perPage: 4 }],
    ['range=[10,19]', { offset: 10, perPage: 10 }],
  ];
  for (const [query, expected] of cases) {
    it(query || '(nothing)', () => {
      const { params } = parseJsonServerQuery(qs(query), INFO);
      for (const [k, v] of Object.entries(expected)) {
        assert.deepEqual(params[k as keyof typeof params], v, k);
      }
    });
  }
  it('marks _page for links and range for Content-Range', () => {
    assert.equal(parseJsonServerQuery(qs('_page=1'), INFO).paged, true);
    assert.equal(parseJsonServerQuery(qs('_start=1&_end=2'), INFO).paged, false);
    assert.equal(parseJsonServerQuery(qs('range=[0,9]'), INFO).range, true);
  });
  it('embeds children and expands parents through their relation field', () => {
    const q = parseJsonServerQuery(qs('_embed=comments&_expand=post'), INFO);
    assert.deepEqual(q.embed, ['comments']);
    assert.deepEqual(q.expand, [{ name: 'post', field: 'postId' }]);
    assert.deepEqual(q.params.expand, ['postId']);
  });
});

describe('parseJsonServerQuery: refused', () => {
  const cases: [string, RegExp][] = [
    ['year_gte=abc', /"abc" for "year" is not a number/],
    ['colour=red', /Unknown query parameter "colour"/],
    ['colour_like=red', /Unknown field "colour" in query parameter "colour_like"/],
    ['secret=x', /Unknown query parameter "secret"|Unknown field "secret"/],
    ['title_like=^Dune$', /not \^ and \$ together/],
    ['title_like=D.ne', /no \., \*/],
    ['title_like=^', /more of a regular expression/],
    ['title_like=a|b', /more of a regular expression/],
    ['_sort=colour', /Unknown field "colour" in query parameter "_sort"/],
    ['_sort=title&_order=up', /Invalid _order "up"/],
    ['_page=0', /Invalid _page "0"/],
    ['_page=1&_limit=501', /Invalid _limit "501"/],
    ['_page=1&_start=3', /not several/],
    ['_limit=2&_per_page=2', /give one/],
    ['_start=5&_end=5', /must be past _start/],
    ['_start=0&_end=1000', /more than the 500/],
    ['range=[5,1]', /ends before it starts/],
    ['range=oops', /not valid JSON/],
    ['sort=["title"]', /JSON pair/],
    ['filter={"meta":{"a":1}}', /filter.meta must be/],
    ['filter=[1]', /Unexpected|expected|filter/],
    ['_embed=likes', /Cannot embed "likes": this collection offers comments/],
    ['_expand=user', /Cannot expand "user": this collection offers post/],
    ['id=1&id=2&id=3&id=4&id=5&id=6', /Too many comparisons/],
    ['q=x&q=y', /more than once/],
  ];
  for (const [query, detail] of cases) {
    it(query, () => {
      assert.throws(
        () => parseJsonServerQuery(qs(query), INFO),
        (e: unknown) => e instanceof Problem && e.status === 400 && detail.test(e.message),
      );
    });
  }
});

describe('parseListParams outside the json-server mode', () => {
  const cases: [string, RegExp][] = [
    ['_sort=title', /use sort=title \(a - before a field sorts it descending\) .*jsonServer: true/],
    ['_sort=year&_order=desc', /use sort=-year /],
    ['_page=2', /use page and perPage/],
    ['_limit=2', /use page and perPage/],
    ['_embed=comments', /use expand=/],
    ['q=dune', /use filter=<text field> ~ "dune"/],
    ['title_like=dune', /use filter=title ~ "dune"/],
    ['year_gte=1960', /use filter=year >= 1960/],
    ['year_ne=1960', /use filter=year != 1960/],
    ['author_ne=Asimov', /use filter=author != "Asimov"/],
  ];
  for (const [query, detail] of cases) {
    it(query, () => {
      assert.throws(
        () => parseListParams(qs(query), INFO),
        (e: unknown) => e instanceof Problem && e.status === 400 && detail.test(e.message),
      );
    });
  }
});
