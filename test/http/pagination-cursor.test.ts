/**
 * Keyset pagination: the `next` link's `after=<cursor>`. Walking every next
 * link must give exactly the rows of one big page in the same order, for
 * every sort (ascending, descending, ties, NULLs first ascending and last
 * descending, booleans), with `page` still numbering the pages; a bad
 * cursor is a 400 that says what is wrong.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { BOOKS_CONFIG, json, type TestApp, testApp } from '../harness.js';
import { assertProblem, create } from './helpers.js';

/** Titles, years and genres with ties and NULLs in each sort key. */
const BOOKS: Record<string, unknown>[] = [
  { title: 'Dune', year: 1965, genre: 'fiction', inPrint: true },
  { title: 'Emma', year: null, genre: null, inPrint: false },
  { title: 'Cosmos', year: 1980, genre: 'science', inPrint: true },
  { title: 'Ubik', year: 1969, genre: 'fiction', inPrint: false },
  { title: 'Beloved', year: null, genre: 'fiction', inPrint: true },
  { title: 'SPQR', year: 2015, genre: 'history', inPrint: true },
  { title: 'Solaris', year: 1961, genre: null, inPrint: false },
  { title: 'Contact', year: 1980, genre: 'science', inPrint: true },
  { title: 'Neuromancer', year: 1984, genre: 'fiction', inPrint: true },
  { title: 'Walden', year: null, genre: 'history', inPrint: false },
  { title: 'Ada', year: 1969, genre: 'fiction', inPrint: true },
];

let t: TestApp;
before(async () => {
  t = await testApp(BOOKS_CONFIG);
  for (const book of BOOKS) await create(t, 'books', { author: 'X', ...book });
});
after(() => t.close());

type Book = { id: string; title: string };

function nextLink(header: unknown): string | undefined {
  return String(header).match(/<([^>]*)>; rel="next"/)?.[1];
}

/** Follows next links from `url`; the pages' items and `page` numbers. */
async function walk(url: string): Promise<{ items: Book[]; pages: number[]; links: string[] }> {
  const items: Book[] = [];
  const pages: number[] = [];
  const links: string[] = [];
  let next: string | undefined = url;
  while (next !== undefined) {
    const res = await t.request({ method: 'GET', url: next });
    assert.equal(res.statusCode, 200, `${next}: ${res.body}`);
    const body = json(res);
    items.push(...(body.items as Book[]));
    pages.push(body.page as number);
    links.push(next);
    next = nextLink(res.headers.link);
    assert.ok(pages.length < 20, 'the walk ends');
  }
  return { items, pages, links };
}

describe('following next links gives every row once, in order', () => {
  const sorts = [
    '',
    'sort=title',
    'sort=-title',
    'sort=year',
    'sort=-year',
    'sort=year,-title',
    'sort=-year,title',
    'sort=genre,-year',
    'sort=-genre,year',
    'sort=-inPrint,year',
    'sort=-id',
    'sort=-created',
    'sort=-year&filter=title%20!%3D%20%22Dune%22',
    'sort=year&skipTotal=true',
    'sort=-year&fields=id',
  ];
  for (const sort of sorts) {
    for (const perPage of [1, 2, 3]) {
      test(`?${sort} perPage=${perPage}`, async () => {
        const all = await t.request({ method: 'GET', url: `/api/books?${sort}&perPage=500` });
        const expected = (json(all).items as Book[]).map((b) => b.id);
        const walked = await walk(`/api/books?${sort}&perPage=${perPage}`);
        assert.deepEqual(
          walked.items.map((b) => b.id),
          expected,
        );
        const count = Math.ceil(expected.length / perPage);
        // Under skipTotal a full page 1 (by offset) links a next page even when it is empty; a page
        // reached by a cursor reads one row more, so it knows whether one follows.
        const extra = sort.includes('skipTotal') && expected.length === perPage ? 1 : 0;
        assert.deepEqual(
          walked.pages,
          Array.from({ length: count + extra }, (_, i) => i + 1),
        );
        for (const link of walked.links.slice(1)) assert.match(link, /[?&]after=[A-Za-z0-9_-]+(&|$)/);
      });
    }
  }
});

describe('a page reached by a cursor', () => {
  test('numbers itself by page and links first, prev and last by page alone', async () => {
    const page1 = await t.request({ method: 'GET', url: '/api/books?sort=year&perPage=4' });
    const next = nextLink(page1.headers.link);
    assert.ok(next);
    const page2 = await t.request({ method: 'GET', url: next });
    assert.equal(page2.statusCode, 200);
    const body = json(page2);
    assert.deepEqual(
      { page: body.page, perPage: body.perPage, totalItems: body.totalItems, totalPages: body.totalPages },
      { page: 2, perPage: 4, totalItems: 11, totalPages: 3 },
    );
    const rels = Object.fromEntries(
      [...String(page2.headers.link).matchAll(/<([^>]*)>;\s*rel="([^"]+)"/g)].map((m) => [m[2], m[1]]),
    );
    assert.equal(rels.first, '/api/books?sort=year&perPage=4&page=1');
    assert.equal(rels.prev, '/api/books?sort=year&perPage=4&page=1');
    assert.equal(rels.last, '/api/books?sort=year&perPage=4&page=3');
    assert.match(rels.next, /^\/api\/books\?sort=year&perPage=4&page=3&after=[A-Za-z0-9_-]+$/);
    // The cursor page is the same page as page=2 by offset.
    const byOffset = await t.request({ method: 'GET', url: '/api/books?sort=year&perPage=4&page=2' });
    assert.equal(page2.body, byOffset.body);
    assert.equal(page2.headers.etag, byOffset.headers.etag);
  });

  test('next goes by the rows that follow, not by a page label that writes meanwhile made stale', async () => {
    const page1 = await t.request({ method: 'GET', url: '/api/books?sort=year&perPage=4' });
    const cursor = new URL(nextLink(page1.headers.link) ?? '', 'http://x').searchParams.get('after');
    assert.ok(cursor);
    const rels = async (page: number) => {
      const res = await t.request({
        method: 'GET',
        url: `/api/books?sort=year&perPage=4&page=${page}&after=${cursor}`,
      });
      assert.equal(res.statusCode, 200);
      assert.equal((json(res).items as unknown[]).length, 4);
      return Object.fromEntries(
        [...String(res.headers.link).matchAll(/<([^>]*)>;\s*rel="([^"]+)"/g)].map((m) => [m[2], m[1]]),
      );
    };
    // Labelled as the last page (3 of 3), yet 3 rows follow: next is there.
    assert.match((await rels(3)).next ?? '', /page=4&after=/);
    // The real page 3 has nothing after it: no next, whatever the page count says.
    const page2 = await t.request({ method: 'GET', url: nextLink(page1.headers.link) ?? '' });
    const page3 = await t.request({ method: 'GET', url: nextLink(page2.headers.link) ?? '' });
    assert.equal((json(page3).items as unknown[]).length, 3);
    assert.equal(nextLink(page3.headers.link), undefined);
  });

  test('a cursor holds the sort key values and the id of the last row', async () => {
    const res = await t.request({ method: 'GET', url: '/api/books?sort=-year,title&perPage=2' });
    const items = json(res).items as { id: string; year: number; title: string }[];
    const cursor = new URL(nextLink(res.headers.link) ?? '', 'http://x').searchParams.get('after') ?? '';
    assert.deepEqual(JSON.parse(Buffer.from(cursor, 'base64url').toString()), [
      items[1].year,
      items[1].title,
      items[1].id,
    ]);
  });

  test('a hand-made cursor starts after its values, NULLs where the sort puts them', async () => {
    const enc = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
    const titles = async (query: string) => {
      const res = await t.request({ method: 'GET', url: `/api/books?${query}` });
      assert.equal(res.statusCode, 200, res.body);
      return (json(res).items as Book[]).map((b) => b.title);
    };
    // Ascending: NULLs first, so after the last NULL come the years from the smallest.
    assert.deepEqual(await titles(`sort=year,title&perPage=3&after=${enc([null, 'Walden', 'zzz'])}`), [
      'Solaris',
      'Dune',
      'Ada',
    ]);
    // Descending: NULLs last, so after 1961 come the NULLs, by title.
    assert.deepEqual(await titles(`sort=-year,title&perPage=5&after=${enc([1961, 'Solaris', 'zzz'])}`), [
      'Beloved',
      'Emma',
      'Walden',
    ]);
    // Nothing sorts after the last NULL of a descending key.
    assert.deepEqual(await titles(`sort=-year,title&after=${enc([null, 'Walden', 'zzz'])}`), []);
  });
});

describe('a bad cursor: 400 with a detail that says why', () => {
  const enc = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
  const table: [string, RegExp][] = [
    ['after=', /after.*empty/],
    ['after=***', /after.*base64url/],
    [`after=${Buffer.from('not json').toString('base64url')}`, /after.*does not decode/],
    [`after=${enc({ a: 1 })}`, /after.*does not decode/],
    [`after=${enc(['x'])}`, /after.*holds 1 value\(s\) where sort "created,id" needs 2/],
    [`sort=year&after=${enc(['1965', 'abc'])}`, /after.*value 1 does not fit "year"/],
    [`sort=year&after=${enc([1965.5, 'abc'])}`, /after.*value 1 does not fit "year"/],
    [`sort=title&after=${enc(['Dune', null])}`, /after.*value 2 does not fit "id"/],
    [`sort=-inPrint&after=${enc([1, 'abc'])}`, /after.*value 1 does not fit "inPrint"/],
    [`sort=title&after=${enc(['Dune', 'a'])}&after=${enc(['Dune', 'b'])}`, /"after" is given more than once/],
  ];
  for (const [query, detail] of table) {
    test(`?${query}`, async () => {
      assertProblem(await t.request({ method: 'GET', url: `/api/books?${query}` }), 400, {
        type: 'https://methodical.dev/problems/invalid-query',
        detail,
      });
    });
  }
});

describe('the OpenAPI document', () => {
  test('documents after on every list, beside page and perPage', async () => {
    const res = await t.request({ method: 'GET', url: '/api/openapi.json' });
    assert.equal(res.statusCode, 200);
    const doc = json(res) as { paths: Record<string, { get: { parameters: Record<string, unknown>[] } }> };
    const names = doc.paths['/api/books'].get.parameters.map((p) => p.name ?? p.$ref);
    const at = names.indexOf('after');
    assert.ok(at > 0, JSON.stringify(names));
    assert.equal(names[at - 1], '#/components/parameters/PerPage');
    const after = doc.paths['/api/books'].get.parameters[at] as {
      in: string;
      required: boolean;
      schema: { type: string; pattern: string };
      description: string;
    };
    assert.deepEqual(
      { in: after.in, required: after.required, schema: after.schema },
      { in: 'query', required: false, schema: { type: 'string', pattern: '^[A-Za-z0-9_-]+$' } },
    );
    assert.match(after.description, /next/);
  });
});
