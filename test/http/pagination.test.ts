/**
 * HTTP.md, Pagination; PRODUCT.md Details: Representations. page/perPage,
 * the list body, and the Link header: `first` and `last` always (no `last`
 * under skipTotal), `prev` not on page 1, `next` not on the last page.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { BOOKS_CONFIG, json, type TestApp, testApp } from '../harness.js';
import { assertProblem, create } from './helpers.js';

const TITLES = ['A', 'B', 'C', 'D', 'E', 'F', 'G'];

let t: TestApp;
before(async () => {
  t = await testApp(BOOKS_CONFIG);
  for (const [i, title] of TITLES.entries()) await create(t, 'books', { title, author: 'X', year: 2000 + i });
});
after(() => t.close());

/** rel → the linked URL's path and query parameters. */
function links(header: unknown): Record<string, { path: string; params: Record<string, string> }> {
  const out: Record<string, { path: string; params: Record<string, string> }> = {};
  for (const m of String(header).matchAll(/<([^>]*)>;\s*rel="([^"]+)"/g)) {
    const url = new URL(m[1], 'http://x');
    out[m[2]] = { path: url.pathname, params: Object.fromEntries(url.searchParams) };
  }
  return out;
}

/** The cursor after a record sorted by one key: base64url of [its key value, its id]. */
function cursorOf(record: Record<string, unknown>, key = 'title'): string {
  return Buffer.from(JSON.stringify([record[key], record.id])).toString('base64url');
}

describe('pages', () => {
  const table: {
    query: string;
    items: string[];
    page: number;
    perPage: number;
    total: number | null;
    pages: number | null;
    rels: Record<string, number>;
  }[] = [
    {
      query: 'sort=title',
      items: TITLES,
      page: 1,
      perPage: 20,
      total: 7,
      pages: 1,
      rels: { first: 1, last: 1 },
    },
    {
      query: 'sort=title&perPage=3',
      items: ['A', 'B', 'C'],
      page: 1,
      perPage: 3,
      total: 7,
      pages: 3,
      rels: { first: 1, next: 2, last: 3 },
    },
    {
      query: 'sort=title&perPage=3&page=2',
      items: ['D', 'E', 'F'],
      page: 2,
      perPage: 3,
      total: 7,
      pages: 3,
      rels: { first: 1, prev: 1, next: 3, last: 3 },
    },
    {
      query: 'sort=title&perPage=3&page=3',
      items: ['G'],
      page: 3,
      perPage: 3,
      total: 7,
      pages: 3,
      rels: { first: 1, prev: 2, last: 3 },
    },
    {
      query: 'sort=title&perPage=3&page=9',
      items: [],
      page: 9,
      perPage: 3,
      total: 7,
      pages: 3,
      rels: { first: 1, prev: 8, last: 3 },
    },
    {
      query: 'sort=-title&perPage=7',
      items: [...TITLES].reverse(),
      page: 1,
      perPage: 7,
      total: 7,
      pages: 1,
      rels: { first: 1, last: 1 },
    },
    {
      query: 'sort=title&perPage=500',
      items: TITLES,
      page: 1,
      perPage: 500,
      total: 7,
      pages: 1,
      rels: { first: 1, last: 1 },
    },
    {
      query: 'sort=title&perPage=3&skipTotal=true',
      items: ['A', 'B', 'C'],
      page: 1,
      perPage: 3,
      total: null,
      pages: null,
      rels: { first: 1, next: 2 },
    },
    {
      query: 'sort=title&perPage=3&page=3&skipTotal=true',
      items: ['G'],
      page: 3,
      perPage: 3,
      total: null,
      pages: null,
      rels: { first: 1, prev: 2 },
    },
    {
      query: 'sort=title&skipTotal=false',
      items: TITLES,
      page: 1,
      perPage: 20,
      total: 7,
      pages: 1,
      rels: { first: 1, last: 1 },
    },
    { query: 'title=none', items: [], page: 1, perPage: 20, total: 0, pages: 0, rels: { first: 1, last: 1 } },
  ];
  for (const row of table) {
    test(`?${row.query}`, async () => {
      const res = await t.request({ method: 'GET', url: `/api/books?${row.query}` });
      assert.equal(res.statusCode, 200, res.body);
      const body = json(res);
      assert.deepEqual(Object.keys(body), ['items', 'page', 'perPage', 'totalItems', 'totalPages']);
      assert.deepEqual(
        (body.items as { title: string }[]).map((b) => b.title),
        row.items,
      );
      assert.deepEqual(
        { page: body.page, perPage: body.perPage, totalItems: body.totalItems, totalPages: body.totalPages },
        { page: row.page, perPage: row.perPage, totalItems: row.total, totalPages: row.pages },
      );
      const got = links(res.headers.link);
      assert.deepEqual(Object.keys(got).sort(), Object.keys(row.rels).sort(), String(res.headers.link));
      const own = Object.fromEntries(new URLSearchParams(row.query));
      const items = body.items as { title: string; id: string }[];
      for (const [rel, page] of Object.entries(row.rels)) {
        assert.equal(got[rel].path, '/api/books');
        // `next` also seeks: after= holds the last item's sort key (title) and id.
        const after = rel === 'next' ? { after: cursorOf(items[items.length - 1]) } : {};
        assert.deepEqual(
          got[rel].params,
          { ...own, page: String(page), ...after },
          `${rel} keeps the query, changes page`,
        );
      }
    });
  }

  test('the Link header, exactly', async () => {
    const res = await t.request({ method: 'GET', url: '/api/books?sort=title&perPage=3&page=2' });
    const f = (json(res).items as { title: string; id: string }[])[2];
    assert.equal(
      res.headers.link,
      '</api/books?sort=title&perPage=3&page=1>; rel="first", </api/books?sort=title&perPage=3&page=1>; rel="prev", ' +
        `</api/books?sort=title&perPage=3&page=3&after=${cursorOf(f)}>; rel="next", </api/books?sort=title&perPage=3&page=3>; rel="last"`,
    );
    const first = await t.request({ method: 'GET', url: '/api/books?perPage=3' });
    const c = (json(first).items as { created: string; id: string }[])[2];
    assert.equal(
      first.headers.link,
      `</api/books?perPage=3&page=1>; rel="first", </api/books?perPage=3&page=2&after=${cursorOf(c, 'created')}>; rel="next", </api/books?perPage=3&page=3>; rel="last"`,
    );
  });

  test('a link keeps a filter it carries, and following it gives that page', async () => {
    const filter = encodeURIComponent('year >= 2002 && title != "Z"');
    const res = await t.request({ method: 'GET', url: `/api/books?filter=${filter}&sort=title&perPage=2` });
    const next = String(res.headers.link).match(/<([^>]*)>; rel="next"/)?.[1];
    assert.ok(next);
    const page2 = await t.request({ method: 'GET', url: next });
    assert.equal(page2.statusCode, 200);
    assert.deepEqual(
      (json(page2).items as { title: string }[]).map((b) => b.title),
      ['E', 'F'],
    );
    assert.equal(json(page2).page, 2);
  });

  test('a HEAD of a page has the same Link', async () => {
    const get = await t.request({ method: 'GET', url: '/api/books?perPage=2&page=2' });
    const head = await t.request({ method: 'HEAD', url: '/api/books?perPage=2&page=2' });
    assert.equal(head.headers.link, get.headers.link);
  });
});

describe('bad paging parameters: 400', () => {
  for (const query of [
    'perPage=0',
    'perPage=501',
    'perPage=-1',
    'perPage=abc',
    'perPage=2.5',
    'page=0',
    'page=abc',
    'page=',
    'page=1e3',
    'skipTotal=yes',
    'perPage=3&perPage=4',
  ]) {
    test(`?${query}`, async () => {
      const key = query.split('=')[0];
      assertProblem(await t.request({ method: 'GET', url: `/api/books?${query}` }), 400, {
        type: 'https://methodical.dev/problems/invalid-query',
        detail: new RegExp(key),
      });
    });
  }
});
