/**
 * The json-server compatibility mode (jsonServer: true) over HTTP: its URLs,
 * its representation, its query language and simple REST's, with every
 * HTTP rule of ours kept. The react-admin providers are in
 * json-server-providers.test.ts.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, beforeEach, describe, test } from 'node:test';
import { json, PUBLIC_RULES, type TestApp, testApp } from '../harness.js';
import { assertProblem, stored } from './helpers.js';
import { COMPAT_CONFIG, DB, seed } from './json-server-fixture.js';

let t: TestApp;
before(async () => {
  t = await testApp(COMPAT_CONFIG);
  await seed(t);
});
after(() => t.close());

const ids = (res: { body: string }) => (JSON.parse(res.body) as { id: unknown }[]).map((r) => r.id);

describe('lists: a plain array in json-server shape, X-Total-Count always', () => {
  const cases: [string, unknown[], string][] = [
    ['/posts', [1, 2, 3, 4, 5], '5'],
    ['/posts?id=1&id=3', [1, 3], '2'],
    ['/posts?author=Herbert', [2, 3], '2'],
    ['/posts?author_ne=Herbert', [1, 4, 5], '3'],
    ['/posts?year_gte=1951&year_lte=1969', [2, 3, 4], '3'],
    ['/posts?title_like=DUNE', [2, 3], '2'],
    ['/posts?title_like=^dune', [2, 3], '2'],
    ['/posts?title_like=MESSIAH$', [3], '1'],
    ['/posts?title_like=^une', [], '0'],
    ['/posts?q=asim', [4, 5], '2'],
    ['/posts?_sort=views&_order=desc', [1, 4, 2, 3, 5], '5'],
    ['/posts?_sort=-year', [1, 3, 2, 4, 5], '5'],
    ['/posts?_sort=author,year&_order=asc,desc', [4, 5, 3, 2, 1], '5'],
    ['/posts?_page=2&_limit=2', [3, 4], '5'],
    ['/posts?_page=2&_per_page=3', [4, 5], '5'],
    ['/posts?_page=2', [], '5'],
    ['/posts?_start=1&_end=3', [2, 3], '5'],
    ['/posts?_start=3&_limit=5', [4, 5], '5'],
    ['/posts?sort=["title","DESC"]&range=[0,1]', [1, 5], '5'],
    ['/posts?filter={"q":"dune","id":[2,5]}', [2], '1'],
    ['/posts?filter=views > 30', [1, 2, 4], '3'],
    ['/posts/2/comments', [2, 3], '2'],
    ['/posts/2/comments?q=classic', [2], '1'],
    ['/comments?postId=2&_sort=id&_order=desc', [3, 2], '2'],
  ];
  for (const [url, expected, total] of cases) {
    test(url, async () => {
      const res = await t.request({ url });
      assert.equal(res.statusCode, 200, res.body);
      assert.deepEqual(ids(res), expected);
      assert.equal(res.headers['x-total-count'], total);
      assert.match(String(res.headers.etag), /^"/);
      assert.match(
        String(res.headers['access-control-expose-headers']),
        /X-Total-Count.*Link|Link.*X-Total-Count/,
      );
    });
  }

  test('records leave created and updated out, ids and relations to increment collections are numbers', async () => {
    const posts = json(await t.request({ url: '/posts?id=1' })) as unknown as unknown[];
    assert.deepEqual(posts, [DB.posts[0]]);
    assert.deepEqual(json(await t.request({ url: '/comments/1' })), DB.comments[0]);
  });

  test('_page answers Link first/prev/next/last by _page; range answers Content-Range', async () => {
    const res = await t.request({ url: '/posts?_page=2&_limit=2' });
    assert.equal(
      res.headers.link,
      '</posts?_page=1&_limit=2>; rel="first", </posts?_page=1&_limit=2>; rel="prev", ' +
        '</posts?_page=3&_limit=2>; rel="next", </posts?_page=3&_limit=2>; rel="last"',
    );
    assert.equal((await t.request({ url: '/posts?_start=0&_end=2' })).headers.link, undefined);
    const range = await t.request({ url: '/posts?range=[2,3]' });
    assert.equal(range.headers['content-range'], 'posts 2-3/5');
    assert.equal((await t.request({ url: '/posts?range=[9,10]' })).headers['content-range'], 'posts */5');
  });

  test('_embed brings children, _expand the parent, on lists and records', async () => {
    const posts = json(await t.request({ url: '/posts?id=2&id=3&_embed=comments' })) as unknown as unknown[];
    assert.deepEqual(posts, [
      { ...DB.posts[1], comments: [DB.comments[1], DB.comments[2]] },
      { ...DB.posts[2], comments: [] },
    ]);
    const comment = json(await t.request({ url: '/comments/4?_expand=post' }));
    assert.deepEqual(comment, { ...DB.comments[3], post: DB.posts[3] });
    const post = json(await t.request({ url: '/posts/4?_embed=comments' }));
    assert.deepEqual(post, { ...DB.posts[3], comments: [DB.comments[3]] });
  });

  test('HEAD answers the headers of GET without a body; If-None-Match gives 304', async () => {
    const get = await t.request({ url: '/posts?_page=1' });
    const head = await t.request({ method: 'HEAD', url: '/posts?_page=1' });
    assert.equal(head.statusCode, 200);
    assert.equal(head.body, '');
    assert.equal(head.headers.etag, get.headers.etag);
    assert.equal(head.headers['x-total-count'], '5');
    const again = await t.request({
      url: '/posts?_page=1',
      headers: { 'if-none-match': String(get.headers.etag) },
    });
    assert.equal(again.statusCode, 304);
  });
});

describe('queries refused with a 400 that names the parameter', () => {
  const cases: [string, RegExp][] = [
    ['/posts?year_gte=abc', /"abc" for "year" is not a number/],
    ['/posts?colour=red', /Unknown query parameter "colour"/],
    ['/posts?title_like=^Dune$', /not \^ and \$ together/],
    ['/posts?_sort=colour', /Unknown field "colour"/],
    ['/posts?_page=0', /Invalid _page/],
    ['/posts?_embed=likes', /Cannot embed "likes"/],
    ['/posts/1?_sort=title', /use _embed or _expand/],
    ['/posts?range=[0,1000]', /more than the 500/],
  ];
  for (const [url, detail] of cases) {
    test(url, async () => {
      assertProblem(await t.request({ url }), 400, { detail });
    });
  }
});

describe('outside the mode, /api keeps its 400 and says what to use', () => {
  const cases: [string, RegExp][] = [
    ['/api/posts?_sort=year&_order=desc', /use sort=-year .*jsonServer: true/],
    ['/api/posts?_page=1&_limit=2', /use page and perPage/],
    ['/api/posts?title_like=dune', /use filter=title ~ "dune"/],
    ['/api/posts?q=dune', /use filter=<text field> ~ "dune"/],
  ];
  for (const [url, detail] of cases) {
    test(url, async () => {
      assertProblem(await t.request({ url }), 400, { detail });
    });
  }
  test('the API still answers its own shape', async () => {
    const body = json(await t.request({ url: '/api/posts/1' }));
    assert.equal(body.id, '1');
    assert.equal(typeof body.created, 'string');
  });
});

describe('writes through the one write path, answered in json-server shape', () => {
  let created: string[] = [];
  beforeEach(() => {
    created = [];
  });

  test('POST with numbers: 201, Location /comments/<id>, ETag, the record; stored with string ids', async () => {
    const res = await t.request({ method: 'POST', url: '/comments', payload: { body: 'new', postId: 3 } });
    assert.equal(res.statusCode, 201, res.body);
    const body = json(res);
    assert.equal(body.postId, 3);
    assert.equal(body.body, 'new');
    assert.equal(res.headers.location, `/comments/${body.id}`);
    assert.equal(res.headers['content-location'], res.headers.location);
    assert.match(String(res.headers.etag), /^"/);
    const row = (await stored(t, 'comments')).find((r) => String(r.id) === String(body.id));
    assert.equal(row?.postId, '3');
    created.push(String(body.id));
    const del = await t.request({ method: 'DELETE', url: `/comments/${body.id}` });
    assert.equal(del.statusCode, 200);
    assert.equal(del.body, '{}');
    assert.equal((await t.request({ method: 'DELETE', url: `/comments/${body.id}` })).statusCode, 404);
    assert.equal((await stored(t, 'comments')).length, DB.comments.length);
  });

  test('POST /posts/1/comments sets the relation; a missing parent is a 404', async () => {
    const res = await t.request({ method: 'POST', url: '/posts/1/comments', payload: { body: 'nested' } });
    assert.equal(res.statusCode, 201, res.body);
    const body = json(res);
    assert.equal(body.postId, 1);
    assert.deepEqual(ids(await t.request({ url: '/posts/1/comments' })).length, 2);
    await t.request({ method: 'DELETE', url: `/comments/${body.id}` });
    assertProblem(await t.request({ url: '/posts/99/comments' }), 404);
    assertProblem(
      await t.request({ method: 'POST', url: '/posts/99/comments', payload: { body: 'x' } }),
      404,
    );
  });

  test('PUT replaces, PATCH merges; If-Match of the ETag of /posts/1 or /api/posts/1; 412 on a stale one', async () => {
    const get = await t.request({ url: '/posts/5' });
    const etag = String(get.headers.etag);
    assert.equal(etag, (await t.request({ url: '/api/posts/5' })).headers.etag);
    const put = await t.request({
      method: 'PUT',
      url: '/posts/5',
      headers: { 'if-match': etag },
      payload: { id: 5, title: 'I, Robot', author: 'Asimov', year: 1950 },
    });
    assert.equal(put.statusCode, 200, put.body);
    assert.deepEqual(json(put), { id: 5, title: 'I, Robot', author: 'Asimov', year: 1950 });
    const stale = await t.request({
      method: 'PATCH',
      url: '/posts/5',
      headers: { 'if-match': etag },
      payload: { views: 1 },
    });
    assertProblem(stale, 412);
    const patch = await t.request({
      method: 'PATCH',
      url: '/posts/5',
      headers: { 'if-match': String(put.headers.etag) },
      payload: { views: 10 },
    });
    assert.equal(patch.statusCode, 200, patch.body);
    assert.deepEqual(json(patch), DB.posts[4]);
    assert.equal((await stored(t, 'posts')).find((r) => r.id === '5')?.views, 10);
    assertProblem(await t.request({ method: 'PUT', url: '/posts/5', payload: { id: 6, title: 'x' } }), 409);
  });

  test('Idempotency-Key replays the first answer, byte for byte, and writes once', async () => {
    const send = () =>
      t.request({
        method: 'POST',
        url: '/comments',
        headers: { 'idempotency-key': '"compat-1"' },
        payload: { body: 'once', postId: 5 },
      });
    const first = await send();
    const second = await send();
    assert.equal(first.statusCode, 201);
    assert.equal(second.statusCode, 201);
    assert.equal(second.headers['idempotent-replayed'], 'true');
    assert.equal(second.body, first.body);
    assert.equal(second.headers.location, first.headers.location);
    const rows = (await stored(t, 'comments')).filter((r) => r.body === 'once');
    assert.equal(rows.length, 1);
    await t.request({ method: 'DELETE', url: String(first.headers.location) });
  });

  test('invalid bodies: 422 problem, nothing written', async () => {
    const before = (await stored(t, 'posts')).length;
    assertProblem(await t.request({ method: 'POST', url: '/posts', payload: { year: 'soon' } }), 422);
    assertProblem(await t.request({ method: 'POST', url: '/posts', payload: { colour: 'red' } }), 422);
    assertProblem(await t.request({ method: 'POST', url: '/comments', payload: { postId: 99 } }), 422);
    assert.equal((await stored(t, 'posts')).length, before);
  });
});

describe('the HTTP rules of /api, kept', () => {
  test('406, 415, 400 for malformed JSON, If-None-Match: * on an existing record', async () => {
    assertProblem(await t.request({ url: '/posts', headers: { accept: 'text/csv' } }), 406);
    const text = await t.request({
      method: 'POST',
      url: '/posts',
      headers: { 'content-type': 'text/plain' },
      payload: '{"title":"x"}',
    });
    assertProblem(text, 415);
    assert.match(String(text.headers['accept-post']), /application\/json/);
    const broken = await t.request({
      method: 'POST',
      url: '/posts',
      headers: { 'content-type': 'application/json' },
      payload: '{"title":',
    });
    assertProblem(broken, 400);
    const create = await t.request({
      method: 'PUT',
      url: '/posts/1',
      headers: { 'if-none-match': '*' },
      payload: { title: 'again' },
    });
    assertProblem(create, 412);
    assert.equal((await stored(t, 'posts')).find((r) => r.id === '1')?.title, 'json-server');
  });

  test('Prefer: return=minimal: 201 without a body on POST, 204 on DELETE', async () => {
    const res = await t.request({
      method: 'POST',
      url: '/comments',
      headers: { prefer: 'return=minimal' },
      payload: { body: 'quiet', postId: 1 },
    });
    assert.equal(res.statusCode, 201);
    assert.equal(res.body, '');
    assert.equal(res.headers['preference-applied'], 'return=minimal');
    const location = String(res.headers.location);
    assert.match(location, /^\/comments\/[^/]+$/);
    const del = await t.request({ method: 'DELETE', url: location, headers: { prefer: 'return=minimal' } });
    assert.equal(del.statusCode, 204);
    assert.equal(del.body, '');
    assert.equal((await stored(t, 'comments')).filter((r) => r.body === 'quiet').length, 0);
  });

  test('a record carries ETag and Last-Modified; HEAD the same headers and Content-Length', async () => {
    const get = await t.request({ url: '/posts/2' });
    const head = await t.request({ method: 'HEAD', url: '/posts/2' });
    assert.match(String(get.headers['last-modified']), /GMT$/);
    assert.equal(head.headers.etag, get.headers.etag);
    assert.equal(head.headers['last-modified'], get.headers['last-modified']);
    assert.equal(head.headers['content-length'], get.headers['content-length']);
    const again = await t.request({
      url: '/posts/2',
      headers: { 'if-none-match': String(get.headers.etag) },
    });
    assert.equal(again.statusCode, 304);
  });
});

describe('the single collection at /profile', () => {
  test('GET the record without id; PUT and PATCH it (POST replacing it: json-server-post.test.ts)', async () => {
    const get = await t.request({ url: '/profile' });
    assert.equal(get.statusCode, 200, get.body);
    assert.deepEqual(json(get), DB.profile);
    assert.match(String(get.headers.etag), /^"/);
    const patch = await t.request({ method: 'PATCH', url: '/profile', payload: { name: 'methodical' } });
    assert.deepEqual(json(patch), { name: 'methodical' });
    const put = await t.request({ method: 'PUT', url: '/profile', payload: { name: 'typicode' } });
    assert.deepEqual(json(put), DB.profile);
    assert.equal((await stored(t, 'profile')).length, 1);
    const del = await t.request({ method: 'DELETE', url: '/profile' });
    assertProblem(del, 405);
    assert.equal(del.headers.allow, 'GET, HEAD, POST, PUT, PATCH, OPTIONS');
  });
});

describe('methods', () => {
  const cases: [string, string, string][] = [
    ['DELETE', '/posts', 'GET, HEAD, POST, OPTIONS'],
    ['POST', '/posts/1', 'GET, HEAD, PUT, PATCH, DELETE, OPTIONS'],
    ['PUT', '/posts/1/comments', 'GET, HEAD, POST, OPTIONS'],
  ];
  for (const [method, url, allow] of cases) {
    test(`${method} ${url}: 405 with Allow; OPTIONS 204 with the same Allow`, async () => {
      const res = await t.request({ method: method as 'DELETE', url });
      assertProblem(res, 405);
      assert.equal(res.headers.allow, allow);
      const options = await t.request({ method: 'OPTIONS', url });
      assert.equal(options.statusCode, 204);
      assert.equal(options.headers.allow, allow);
    });
  }
  test('an unknown collection or record is a 404 problem', async () => {
    assertProblem(await t.request({ url: '/nothing' }), 404);
    assertProblem(await t.request({ url: '/posts/99' }), 404);
  });
});

describe('json-server order', () => {
  test('ids of an increment collection sort by value; missing values sort last ascending, first descending', async () => {
    const other = await testApp(COMPAT_CONFIG);
    try {
      for (const [id, views] of [
        [9, 1],
        [10, null],
        [2, 3],
        [100, 2],
      ] as const) {
        const res = await other.request({ method: 'PUT', url: `/api/posts/${id}`, payload: { views } });
        assert.equal(res.statusCode, 201, res.body);
      }
      assert.deepEqual(ids(await other.request({ url: '/posts?_sort=id' })), [2, 9, 10, 100]);
      assert.deepEqual(ids(await other.request({ url: '/posts?_sort=-id' })), [100, 10, 9, 2]);
      assert.deepEqual(ids(await other.request({ url: '/posts?_sort=views' })), [9, 100, 2, 10]);
      assert.deepEqual(ids(await other.request({ url: '/posts?_sort=views&_order=desc' })), [10, 2, 100, 9]);
      // /api keeps its own order: ids as text, missing values first.
      const api = json(await other.request({ url: '/api/posts?sort=id' })).items as { id: string }[];
      assert.deepEqual(
        api.map((r) => r.id),
        ['10', '100', '2', '9'],
      );
    } finally {
      await other.close();
    }
  });
});

describe('CORS and clashing paths', () => {
  test('any origin may read, and read X-Total-Count and Link', async () => {
    const res = await t.request({ url: '/posts', headers: { origin: 'http://localhost:5173' } });
    assert.equal(res.headers['access-control-allow-origin'], '*');
    assert.match(String(res.headers['access-control-expose-headers']), /X-Total-Count/);
    const pre = await t.request({
      method: 'OPTIONS',
      url: '/posts',
      headers: { origin: 'http://localhost:5173', 'access-control-request-method': 'POST' },
    });
    assert.equal(pre.statusCode, 204);
    assert.equal(pre.headers['access-control-allow-origin'], '*');
  });

  test('cors.origins narrows it; aliases and /api keep their paths; the collection stays at /api', async () => {
    const other = await testApp({
      ...COMPAT_CONFIG,
      cors: { origins: ['https://app.example'] },
      routes: { 'GET /posts': 'GET /api/comments' },
      collections: {
        ...COMPAT_CONFIG.collections,
        api: { fields: { x: { type: 'text' } }, rules: PUBLIC_RULES },
      },
    });
    try {
      const foreign = await other.request({ url: '/comments', headers: { origin: 'http://evil.example' } });
      assert.equal(foreign.headers['access-control-allow-origin'], undefined);
      const own = await other.request({ url: '/comments', headers: { origin: 'https://app.example' } });
      assert.equal(own.headers['access-control-allow-origin'], 'https://app.example');
      // The alias answers /posts as /api/comments: the API's envelope, not json-server's array.
      const aliased = json(await other.request({ url: '/posts' }));
      assert.ok(Array.isArray(aliased.items));
      assertProblem(await other.request({ url: '/posts/1' }), 404);
      assert.equal((await other.request({ url: '/api/posts' })).statusCode, 200);
      assert.equal((await other.request({ url: '/api/api' })).statusCode, 200);
    } finally {
      await other.close();
    }
  });

  test("a collection's path wins over a public file of the same name; other files are served", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'methodical-compat-'));
    mkdirSync(join(dir, 'pub'));
    writeFileSync(join(dir, 'pub', 'posts'), 'a file named posts');
    writeFileSync(join(dir, 'pub', 'index.html'), '<p>front-end</p>');
    const other = await testApp({ ...COMPAT_CONFIG, public: 'pub' }, { dir });
    try {
      const posts = await other.request({ url: '/posts' });
      assert.equal(posts.statusCode, 200);
      assert.deepEqual(JSON.parse(posts.body), []);
      const page = await other.request({ url: '/index.html' });
      assert.equal(page.statusCode, 200);
      assert.equal(page.body, '<p>front-end</p>');
    } finally {
      await other.close();
    }
  });
});
