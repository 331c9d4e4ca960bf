/**
 * Reads are bounded too: a filter may hold at most limits.filterTerms
 * comparisons, shorthand equalities included (400 with `position`), and no
 * filter within the bounds, AND-ed with a rule, can outgrow what SQLite
 * takes (a 500); one read expands at most limits.expand related records
 * (400), each read once, in a query per hundred ids even under a view rule.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { UserConfig } from '../../src/config/types.js';
import { json, PUBLIC_RULES, type TestApp, testApp } from '../harness.js';
import { assertProblem, create } from './helpers.js';

const BAD_FILTER = 'https://methodical.dev/problems/invalid-filter';
const BAD_QUERY = 'https://methodical.dev/problems/invalid-query';

const COLLECTIONS: UserConfig['collections'] = {
  authors: {
    fields: { name: { type: 'text', required: true }, hidden: { type: 'boolean' } },
    // A rule that depends on the record: related records are read under it.
    rules: { ...PUBLIC_RULES, view: 'hidden != true' },
  },
  books: {
    fields: {
      title: { type: 'text', required: true },
      note: { type: 'text' },
      year: { type: 'integer' },
      lead: { type: 'relation', collection: 'authors' },
      authors: { type: 'relation', collection: 'authors', multiple: true },
    },
    rules: { ...PUBLIC_RULES, list: '(year >= 0 || year = null) && title != "withdrawn"' },
  },
};

let t: TestApp;
let defaults: TestApp;
before(async () => {
  t = await testApp({ limits: { filterTerms: 10, expand: 5 }, collections: COLLECTIONS });
  defaults = await testApp({ collections: COLLECTIONS });
});
after(async () => {
  await t.close();
  await defaults.close();
});

function list(app: TestApp, query: Record<string, string>) {
  return app.request({ method: 'GET', url: '/api/books', query });
}

/** `n` comparisons joined by `&&`, and where the k-th (0-based) starts. */
function terms(n: number): { filter: string; at: (k: number) => number } {
  const term = 'year != 1';
  return {
    filter: Array.from({ length: n }, () => term).join(' && '),
    at: (k) => k * (term.length + 4),
  };
}

describe('the number of comparisons in a filter (limits.filterTerms)', () => {
  test('exactly limits.filterTerms comparisons: 200', async () => {
    const res = await list(t, { filter: terms(10).filter });
    assert.equal(res.statusCode, 200, res.body);
  });

  test('one more: 400 with the position of the first comparison over the bound', async () => {
    const { filter, at } = terms(11);
    const problem = assertProblem(await list(t, { filter }), 400, {
      type: BAD_FILTER,
      detail: /more than the 10 a filter may hold \(limits\.filterTerms\)/,
    });
    assert.equal(problem.position, at(10));
    assert.equal(problem.limit, 'limits.filterTerms');
  });

  test('shorthand equalities count: with one, nine comparisons fit and ten do not', async () => {
    assert.equal((await list(t, { title: 'Dune', filter: terms(9).filter })).statusCode, 200);
    const { filter, at } = terms(10);
    const problem = assertProblem(await list(t, { title: 'Dune', filter }), 400, {
      type: BAD_FILTER,
      detail: /shorthand equalities \(\?field=value\) included \(limits\.filterTerms\)/,
    });
    assert.equal(problem.position, at(9));
  });

  test('the length and nesting bounds are named too', async () => {
    const long = assertProblem(await list(t, { filter: `title = "${'x'.repeat(5000)}"` }), 400, {
      type: BAD_FILTER,
      detail: /more than the 4096 a filter may have \(maxFilterLength/,
    });
    assert.equal(long.limit, 'maxFilterLength');
    assert.equal(long.position, 4096);
    const deep = assertProblem(await list(t, { filter: `${'('.repeat(65)}year = 1${')'.repeat(65)}` }), 400, {
      type: BAD_FILTER,
      detail: /more than the 64 levels of parentheses a filter may have \(maxFilterDepth/,
    });
    assert.equal(deep.limit, 'maxFilterDepth');
    assert.equal(deep.position, 64);
  });
});

describe('the largest filter within the bounds, with a rule, is still a query SQLite runs', () => {
  before(async () => {
    await create(defaults, 'books', { title: 'Dune', note: 'spice', year: 1965 });
  });

  /** 100 comparisons: 63 levels of parentheses alternating || and &&, the rest flat at the innermost level. */
  function worst(term: (i: number) => string): string {
    let filter = Array.from({ length: 37 }, (_, i) => term(i)).join(' && ');
    for (let level = 0; level < 63; level++) {
      filter = `${term(37 + level)} ${level % 2 === 0 ? '||' : '&&'} (${filter})`;
    }
    return filter;
  }

  const shapes: [string, (i: number) => string][] = [
    ['does-not-contain on a field (the deepest SQL per comparison)', () => 'note !~ "x"'],
    ['does-not-contain on a literal (three parameters per comparison)', () => '"a" !~ "b"'],
    ['not-equal on a field', (i) => `title != "t${i}"`],
  ];
  for (const [name, term] of shapes) {
    test(name, async () => {
      const filter = worst(term);
      assert.ok(filter.length <= 4096, `${filter.length} characters`);
      const res = await list(defaults, { filter, title: 'Dune' });
      // 101 comparisons with the shorthand: one over, refused before any SQL is built.
      assertProblem(res, 400, { type: BAD_FILTER });
      const ok = await list(defaults, { filter });
      assert.equal(ok.statusCode, 200, ok.body);
    });
  }

  test('a flat chain of 100 comparisons', async () => {
    const res = await list(defaults, {
      filter: Array.from({ length: 100 }, () => 'note !~ "x"').join(' || '),
    });
    assert.equal(res.statusCode, 200, res.body);
    assert.equal(json(res).totalItems, 1);
  });
});

describe('expand reads at most limits.expand related records', () => {
  let ids: string[];
  before(async () => {
    ids = [];
    for (let i = 0; i < 7; i++) ids.push((await create(t, 'authors', { name: `A${i}` })).id);
  });

  test('a record naming exactly limits.expand related records: 200', async () => {
    const { id } = await create(t, 'books', { title: 'Five', authors: ids.slice(0, 5) });
    const res = await t.request({ method: 'GET', url: `/api/books/${id}?expand=authors` });
    assert.equal(res.statusCode, 200, res.body);
    assert.equal((json(res).expand as { authors: unknown[] }).authors.length, 5);
  });

  test('one more: 400 naming limits.expand and suggesting a smaller perPage', async () => {
    const { id } = await create(t, 'books', { title: 'Six', authors: ids.slice(0, 6) });
    const problem = assertProblem(
      await t.request({ method: 'GET', url: `/api/books/${id}?expand=authors` }),
      400,
      {
        type: BAD_QUERY,
        detail: /more than the 5 related records one read may expand \(limits\.expand\).*perPage/,
      },
    );
    assert.equal(problem.limit, 'limits.expand');
  });

  test('a list counts distinct related records across its page and its expand fields', async () => {
    const shelf = `shelf-${Date.now()}`;
    // Three books naming the same three authors, as lead and as authors: three records to read.
    for (const title of ['x', 'y', 'z']) {
      await create(t, 'books', { title, note: shelf, lead: ids[0], authors: ids.slice(0, 3) });
    }
    const same = await list(t, { note: shelf, expand: 'lead,authors' });
    assert.equal(same.statusCode, 200, same.body);
    // Three more books with three other authors each: six on a page of all six, three on a page of three.
    for (const title of ['u', 'v', 'w']) {
      await create(t, 'books', { title, note: `${shelf}-b`, authors: ids.slice(3, 6) });
    }
    assertProblem(await list(t, { filter: `note ~ "${shelf}"`, expand: 'authors' }), 400, {
      type: BAD_QUERY,
    });
    const page = await list(t, {
      filter: `note ~ "${shelf}"`,
      expand: 'authors',
      perPage: '3',
      sort: 'note',
    });
    assert.equal(page.statusCode, 200, page.body);
  });

  test('under a view rule, related records are read in one query per hundred ids, not one per id', async () => {
    const hidden = await create(t, 'authors', { name: 'Hidden', hidden: true });
    const { id } = await create(t, 'books', { title: 'Rules', authors: [ids[0], ids[1], hidden.id, ids[2]] });
    const calls = { get: 0, getMany: 0 };
    const store = t.store as unknown as Record<'get' | 'getMany', (...args: unknown[]) => Promise<unknown>>;
    const original = { get: store.get, getMany: store.getMany };
    store.get = (...args) => {
      calls.get++;
      return original.get.apply(t.store, args);
    };
    store.getMany = (...args) => {
      calls.getMany++;
      return original.getMany.apply(t.store, args);
    };
    try {
      const res = await t.request({ method: 'GET', url: `/api/books/${id}?expand=authors` });
      assert.equal(res.statusCode, 200, res.body);
      const names = (json(res).expand as { authors: { name: string }[] }).authors.map((a) => a.name);
      assert.deepEqual(names, ['A0', 'A1', 'A2'], 'the hidden author is left out');
    } finally {
      store.get = original.get;
      store.getMany = original.getMany;
    }
    assert.deepEqual(calls, { get: 1, getMany: 1 }, 'the book itself, then its authors in one query');
  });
});

describe('the bytes one read may load (limits.response)', () => {
  test('a page, or the records it expands, over the bound: 400 naming limits.response; within it: 200', async () => {
    const app = await testApp({ limits: { response: 40_000 }, collections: COLLECTIONS });
    try {
      const { id: author } = await create(app, 'authors', { name: 'n'.repeat(15_000) });
      const other = await create(app, 'authors', { name: 'm'.repeat(15_000) });
      const third = await create(app, 'authors', { name: 'o'.repeat(15_000) });
      for (let i = 0; i < 4; i++) {
        await create(app, 'books', {
          title: `Book ${i}`,
          note: 'x'.repeat(15_000),
          authors: [author, other.id, third.id],
        });
      }
      const ok = await list(app, { perPage: '2' });
      assert.equal(ok.statusCode, 200, ok.body);
      assert.equal((json(ok).items as unknown[]).length, 2);
      const over = assertProblem(await list(app, { perPage: '4' }), 400, {
        type: BAD_QUERY,
        detail:
          /more than the 40000 bytes of records one read may \(limits\.response\); ask for a smaller perPage/,
      });
      assert.equal(over.limit, 'limits.response');
      const expanded = await list(app, { perPage: '1', expand: 'authors' });
      assertProblem(expanded, 400, { type: BAD_QUERY, detail: /limits\.response/ });
      const single = await app.request({ method: 'GET', url: '/api/authors?perPage=2' });
      assert.equal(single.statusCode, 200, 'other reads go on');
    } finally {
      await app.close();
    }
  });
});

describe('"~" costs time in proportion to the text, not text × pattern', () => {
  test('a long, nearly matching pattern over a 1 MiB text answers promptly and correctly', async () => {
    // LIKE '%aaa…b%' retried the 4,000-character pattern at each of a million positions: seconds.
    const { id } = await create(defaults, 'books', { title: 'a'.repeat(1024 * 1024 - 256) });
    try {
      const started = Date.now();
      const none = await list(defaults, { filter: `title ~ "${'a'.repeat(4000)}b"`, fields: 'id' });
      const ms = Date.now() - started;
      assert.equal(none.statusCode, 200, none.body);
      assert.deepEqual(json(none).items, []);
      // Generous, for a shared machine: the quadratic search took 9.5 s here.
      assert.ok(ms < 3000, `answered in ${ms} ms`);
      const found = await list(defaults, { filter: `title ~ "${'A'.repeat(4000)}"`, fields: 'id' });
      assert.deepEqual(json(found).items, [{ id }]);
    } finally {
      await defaults.request({ method: 'DELETE', url: `/api/books/${id}` });
    }
  });

  for (const [filter, matches] of [
    ['title ~ "DUNE"', ['Dune Messiah', 'dune']],
    ['title ~ "über"', ['Über Alles']],
    ['title ~ "ÜBER"', ['Über Alles']],
    ['title ~ "%"', ['100% pure']],
    ['title ~ "_"', ['snake_case']],
    ['title !~ "dune"', ['100% pure', 'snake_case', 'Über Alles']],
    ['note ~ "x"', []],
    ['note !~ "x"', ['100% pure', 'Dune Messiah', 'dune', 'snake_case', 'Über Alles']],
  ] as const) {
    test(`${filter}: case-insensitive (Unicode too), wildcards literal, no value contains nothing`, async () => {
      const app = await testApp({ collections: COLLECTIONS });
      try {
        for (const title of ['Dune Messiah', 'dune', 'Über Alles', '100% pure', 'snake_case']) {
          await create(app, 'books', { title });
        }
        const res = await list(app, { filter, fields: 'title', sort: 'title' });
        assert.equal(res.statusCode, 200, res.body);
        const titles = (json(res).items as { title: string }[]).map((r) => r.title).sort();
        assert.deepEqual(titles, [...matches].sort());
      } finally {
        await app.close();
      }
    });
  }
});
