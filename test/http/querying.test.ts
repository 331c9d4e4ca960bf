/**
 * PRODUCT.md, Querying: filter with every operator, shorthand equality,
 * sort, fields, expand on relations, and filter errors with `position`.
 * Paging and Link headers are in pagination.test.ts.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { json, PUBLIC_RULES, type TestApp, testApp } from '../harness.js';
import { registerAndLogin } from './auth-helpers.js';
import { assertProblem, create } from './helpers.js';

const LIBRARY_CONFIG = {
  collections: {
    authors: { fields: { name: { type: 'text' as const, required: true } }, rules: PUBLIC_RULES },
    books: {
      fields: {
        title: { type: 'text' as const, required: true },
        author: { type: 'text' as const },
        year: { type: 'integer' as const },
        genre: { type: 'select' as const, values: ['fiction', 'science', 'history'] },
        inPrint: { type: 'boolean' as const, default: true },
        writer: { type: 'relation' as const, collection: 'authors' },
        helpers: { type: 'relation' as const, collection: 'authors', multiple: true },
      },
      rules: PUBLIC_RULES,
    },
  },
};

type Book = { title: string; author: string; year: number | null; genre: string; inPrint?: boolean };
const BOOKS: Book[] = [
  { title: 'Dune', author: 'Herbert', year: 1965, genre: 'fiction' },
  { title: 'Dune Messiah', author: 'Herbert', year: 1969, genre: 'fiction' },
  { title: 'Children of Dune', author: 'Herbert', year: 1976, genre: 'fiction', inPrint: false },
  { title: 'Foundation', author: 'Asimov', year: 1951, genre: 'fiction' },
  { title: 'I, Robot', author: 'Asimov', year: 1950, genre: 'science' },
  { title: 'The Histories', author: 'Herodotus', year: null, genre: 'history' },
  { title: 'A Brief History of Time', author: 'Hawking', year: 1988, genre: 'science' },
  { title: 'Cosmos', author: 'Sagan', year: 1980, genre: 'science' },
];

let t: TestApp;
let herbert: string;
let sagan: string;
before(async () => {
  t = await testApp(LIBRARY_CONFIG);
  herbert = (await create(t, 'authors', { name: 'Frank Herbert' })).id;
  sagan = (await create(t, 'authors', { name: 'Carl Sagan' })).id;
  for (const b of BOOKS) {
    const writer = b.author === 'Herbert' ? herbert : b.author === 'Sagan' ? sagan : null;
    const helpers = b.title === 'Cosmos' ? [sagan, herbert] : [];
    await create(t, 'books', { ...b, writer, helpers });
  }
});
after(() => t.close());

async function titles(query: string): Promise<string[]> {
  const res = await t.request({ method: 'GET', url: `/api/books?perPage=100&${query}` });
  assert.equal(res.statusCode, 200, res.body);
  return (json(res).items as { title: string }[]).map((b) => b.title);
}

const sorted = (xs: string[]) => [...xs].sort();
const ALL = BOOKS.map((b) => b.title);
const DUNES = ['Dune', 'Dune Messiah', 'Children of Dune'];

describe('filter', () => {
  const table: { filter: string; expect: string[] }[] = [
    { filter: 'year = 1965', expect: ['Dune'] },
    // A record without a value is not equal to 1965 (null-safe, as in PocketBase).
    { filter: 'year != 1965', expect: ALL.filter((x) => x !== 'Dune') },
    { filter: 'year > 1976', expect: ['A Brief History of Time', 'Cosmos'] },
    { filter: 'year >= 1976', expect: ['Children of Dune', 'A Brief History of Time', 'Cosmos'] },
    { filter: 'year < 1951', expect: ['I, Robot'] },
    { filter: 'year <= 1951', expect: ['Foundation', 'I, Robot'] },
    { filter: 'title ~ "dune"', expect: DUNES },
    { filter: 'title ~ "DUNE"', expect: DUNES },
    { filter: 'title !~ "dune"', expect: ALL.filter((x) => !DUNES.includes(x)) },
    { filter: "genre = 'science'", expect: ['I, Robot', 'A Brief History of Time', 'Cosmos'] },
    { filter: 'inPrint = false', expect: ['Children of Dune'] },
    { filter: 'inPrint = true && author = "Herbert"', expect: ['Dune', 'Dune Messiah'] },
    { filter: 'year = null', expect: ['The Histories'] },
    {
      filter: 'year != null && genre = "science"',
      expect: ['I, Robot', 'A Brief History of Time', 'Cosmos'],
    },
    { filter: 'author = "Herbert" || author = "Sagan"', expect: [...DUNES, 'Cosmos'] },
    {
      filter: 'year >= 1960 && (author = "Herbert" || title ~ "cosmos")',
      expect: [...DUNES, 'Cosmos'],
    },
    { filter: '(year >= 1960 && author = "Herbert") || year < 1951', expect: [...DUNES, 'I, Robot'] },
    { filter: 'year > 1900.5', expect: ALL.filter((x) => x !== 'The Histories') },
    { filter: `writer = "WRITER"`, expect: DUNES },
    { filter: 'helpers ~ "HELPER"', expect: ['Cosmos'] },
    { filter: 'title = "x\' OR 1=1 --"', expect: [] },
    { filter: 'title = "Dune\\" || 1 = 1"', expect: [] },
  ];
  for (const row of table) {
    test(row.filter, async () => {
      const filter = row.filter.replace('WRITER', herbert).replace('HELPER', sagan);
      assert.deepEqual(sorted(await titles(`filter=${encodeURIComponent(filter)}`)), sorted(row.expect));
    });
  }

  const shorthand: { query: string; same: string }[] = [
    { query: 'author=Herbert', same: 'author = "Herbert"' },
    { query: 'year=1965', same: 'year = 1965' },
    { query: 'inPrint=false', same: 'inPrint = false' },
    { query: 'author=Herbert&inPrint=true', same: 'author = "Herbert" && inPrint = true' },
    {
      query: `filter=${encodeURIComponent('year > 1966')}&author=Herbert`,
      same: 'year > 1966 && author = "Herbert"',
    },
    { query: 'year=', same: 'year = null' },
  ];
  for (const row of shorthand) {
    test(`shorthand ?${row.query} equals filter=${row.same}`, async () => {
      const a = await titles(row.query);
      const b = await titles(`filter=${encodeURIComponent(row.same)}`);
      assert.ok(a.length > 0);
      assert.deepEqual(sorted(a), sorted(b));
    });
  }

  const errors: { filter: string; position: number; detail: RegExp }[] = [
    { filter: 'year >= ', position: 8, detail: /position 8/ },
    { filter: 'nope = 1', position: 0, detail: /Unknown field "nope"/ },
    { filter: 'title = "x" && nope = 1', position: 15, detail: /nope/ },
    { filter: 'year >= 1960 &&', position: 15, detail: /position 15/ },
    { filter: '(year = 1', position: 9, detail: /position 9/ },
    { filter: 'year = "abc" ||', position: 15, detail: /position 15/ },
    { filter: 'title = "unterminated', position: 8, detail: /position 8/ },
  ];
  for (const row of errors) {
    test(`filter error in ${JSON.stringify(row.filter)}: 400 with position ${row.position}`, async () => {
      const res = await t.request({
        method: 'GET',
        url: `/api/books?filter=${encodeURIComponent(row.filter)}`,
      });
      const problem = assertProblem(res, 400, {
        type: 'https://methodical.dev/problems/invalid-filter',
        detail: row.detail,
      });
      assert.equal(problem.position, row.position);
    });
  }

  for (const query of ['year=abc', 'inPrint=maybe', 'nope=1', 'helpers=x']) {
    test(`bad shorthand ?${query}: 400`, async () => {
      assertProblem(await t.request({ method: 'GET', url: `/api/books?${query}` }), 400, {
        type: 'https://methodical.dev/problems/invalid-query',
      });
    });
  }
});

describe('sort', () => {
  const table: { sort: string; filter?: string; expect: string[] }[] = [
    { sort: 'title', expect: sorted(ALL) },
    { sort: '-title', expect: sorted(ALL).reverse() },
    {
      sort: '-year,title',
      filter: 'year != null',
      expect: [
        'A Brief History of Time',
        'Cosmos',
        'Children of Dune',
        'Dune Messiah',
        'Dune',
        'Foundation',
        'I, Robot',
      ],
    },
    {
      sort: 'author,-year',
      filter: 'author = "Herbert" || author = "Asimov"',
      expect: ['Foundation', 'I, Robot', 'Children of Dune', 'Dune Messiah', 'Dune'],
    },
  ];
  for (const row of table) {
    test(`sort=${row.sort}`, async () => {
      const filter = row.filter ? `&filter=${encodeURIComponent(row.filter)}` : '';
      assert.deepEqual(await titles(`sort=${row.sort}${filter}`), row.expect);
    });
  }

  for (const sort of ['nope', '-nope', 'title,title', 'title,']) {
    test(`sort=${sort}: 400`, async () => {
      assertProblem(await t.request({ method: 'GET', url: `/api/books?sort=${sort}` }), 400);
    });
  }
});

describe('fields and expand', () => {
  test('fields=id,title picks those fields only', async () => {
    const res = await t.request({ method: 'GET', url: '/api/books?fields=id,title&sort=title' });
    const items = json(res).items as Record<string, unknown>[];
    assert.equal(items.length, BOOKS.length);
    for (const item of items) assert.deepEqual(Object.keys(item), ['id', 'title']);
    const one = await t.request({ method: 'GET', url: `/api/books/${items[0].id}?fields=title,year` });
    assert.equal(one.statusCode, 200);
    assert.deepEqual(Object.keys(json(one)), ['title', 'year']);
  });

  test('expand=writer inlines the related record (null when unset)', async () => {
    const res = await t.request({ method: 'GET', url: '/api/books?expand=writer&sort=title' });
    const items = json(res).items as Record<string, unknown>[];
    const byTitle = Object.fromEntries(items.map((i) => [i.title, i]));
    const author = (await t.store.get('authors', herbert)) as Record<string, unknown>;
    assert.deepEqual(byTitle.Dune.expand, { writer: author });
    assert.equal(byTitle.Dune.writer, herbert, 'the relation keeps its id');
    assert.deepEqual(byTitle.Foundation.expand, { writer: null });
  });

  test('expand on a multiple relation gives a list; combined with fields; on one record', async () => {
    const res = await t.request({
      method: 'GET',
      url: '/api/books?expand=helpers&fields=title&title=Cosmos',
    });
    const [cosmos] = json(res).items as Record<string, unknown>[];
    assert.equal(cosmos.title, 'Cosmos');
    const helpers = (cosmos.expand as { helpers: { id: string }[] }).helpers;
    assert.deepEqual(
      helpers.map((h) => h.id),
      [sagan, herbert],
    );
    const list = json(await t.request({ method: 'GET', url: '/api/books?title=Dune' })).items as {
      id: string;
    }[];
    const one = await t.request({ method: 'GET', url: `/api/books/${list[0].id}?expand=writer` });
    assert.equal((json(one).expand as { writer: { name: string } }).writer.name, 'Frank Herbert');
  });

  for (const [query, detail] of [
    ['fields=nope', /nope/],
    ['fields=id,', /Empty/],
    ['expand=title', /relation/],
    ['expand=nope', /nope/],
  ] as const) {
    test(`${query}: 400`, async () => {
      assertProblem(await t.request({ method: 'GET', url: `/api/books?${query}` }), 400, { detail });
    });
  }
});

describe('@auth in a caller’s filter', () => {
  test('means the caller: their own records; nothing for an anonymous caller; never a 500', async () => {
    const a = await testApp({
      collections: {
        notes: {
          fields: { text: { type: 'text' }, owner: { type: 'relation', collection: 'users' } },
          rules: { ...PUBLIC_RULES, create: 'auth' },
        },
      },
    });
    try {
      const ann = await registerAndLogin(a, 'ann@example.com');
      const ben = await registerAndLogin(a, 'ben@example.com');
      for (const [user, text] of [
        [ann, 'ann 1'],
        [ann, 'ann 2'],
        [ben, 'ben 1'],
      ] as const) {
        const res = await a.request({
          method: 'POST',
          url: '/api/notes',
          headers: { authorization: `Bearer ${user.token}` },
          payload: { text },
        });
        assert.equal(res.statusCode, 201, res.body);
      }
      const mine = (token?: string) =>
        a.request({
          method: 'GET',
          url: `/api/notes?sort=text&filter=${encodeURIComponent('owner = @auth.id')}`,
          headers: token ? { authorization: `Bearer ${token}` } : {},
        });
      const annRes = await mine(ann.token);
      assert.equal(annRes.statusCode, 200, annRes.body);
      assert.deepEqual(
        (json(annRes).items as { text: string }[]).map((n) => n.text),
        ['ann 1', 'ann 2'],
      );
      const anonymous = await mine();
      assert.equal(anonymous.statusCode, 200, anonymous.body);
      assert.deepEqual(json(anonymous).items, []);
      const admin = await a.request({
        method: 'GET',
        url: `/api/notes?filter=${encodeURIComponent('@auth.admin = true')}`,
      });
      assert.equal(admin.statusCode, 200, admin.body);
      assert.deepEqual(json(admin).items, []);
    } finally {
      await a.close();
    }
  });
});
