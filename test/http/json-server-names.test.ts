/**
 * Collections under their json-server names (`jsonServerName`) in the
 * json-server mode: jsonplaceholder's db.json, whose `users` becomes the
 * collection json_users and `blog-posts` json_blog_posts, inferred and
 * imported as `serve --json-server` does, then served at /users,
 * /users/1/posts, /blog-posts, embedded and expanded by those names, and
 * exported back under them.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { inferConfig } from '../../src/config/infer-config.js';
import { compileSchema } from '../../src/schema/compile-schema.js';
import { exportData } from '../../src/service/export-data.js';
import { importData } from '../../src/service/import-data.js';
import { importPlan } from '../../src/service/import-plan.js';
import { json, type TestApp, testApp } from '../harness.js';
import { PLACEHOLDER_DB as DB } from '../json-placeholder.js';
import { assertProblem, stored } from './helpers.js';

let t: TestApp;
let schema: ReturnType<typeof compileSchema>;
before(async () => {
  t = await testApp(inferConfig(DB).config);
  schema = compileSchema(t.config);
  const counts = await importData(t.store, schema, importPlan(DB, schema, false), () => {});
  assert.equal(counts.get('json_users'), DB.users.length);
});
after(() => t.close());

const body = (res: { body: string }) => JSON.parse(res.body) as unknown;

describe('reads at the json-server names', () => {
  test('GET /users is the json_users collection, as the file had it', async () => {
    const res = await t.request({ url: '/users' });
    assert.equal(res.statusCode, 200, res.body);
    assert.equal(res.headers['x-total-count'], '2');
    assert.deepEqual(body(res), DB.users);
    assert.deepEqual(body(await t.request({ url: '/users/2' })), DB.users[1]);
    assert.deepEqual(body(await t.request({ url: '/users?name_like=ervin' })), [DB.users[1]]);
    const range = await t.request({ url: `/users?range=${encodeURIComponent('[0,0]')}` });
    assert.equal(range.statusCode, 200, range.body);
    assert.equal(range.headers['content-range'], 'users 0-0/2');
    assert.deepEqual(body(range), [DB.users[0]]);
  });

  test('nested lists under the names: /users/1/posts, /users/2/todos, /albums/2/photos', async () => {
    assert.deepEqual(
      body(await t.request({ url: '/users/1/posts' })),
      DB.posts.filter((p) => p.userId === 1),
    );
    assert.deepEqual(body(await t.request({ url: '/users/2/todos' })), [DB.todos[1]]);
    assert.deepEqual(body(await t.request({ url: '/users/2/blog-posts' })), DB['blog-posts']);
    assert.deepEqual(body(await t.request({ url: '/albums/2/photos' })), [DB.photos[1]]);
    assertProblem(await t.request({ url: '/users/9/posts' }), 404);
  });

  test('_embed takes the json-server name, _expand the name from userId', async () => {
    const users = body(await t.request({ url: '/users?_embed=posts&_embed=blog-posts' })) as Record<
      string,
      unknown
    >[];
    assert.deepEqual(users[0].posts, DB.posts.slice(0, 2));
    assert.deepEqual(users[1]['blog-posts'], DB['blog-posts']);
    const post = body(await t.request({ url: '/posts/3?_expand=user' }));
    assert.deepEqual(post, { ...DB.posts[2], user: DB.users[1] });
    const comments = body(await t.request({ url: '/comments?_expand=post&postId=3' }));
    assert.deepEqual(comments, [{ ...DB.comments[2], post: DB.posts[2] }]);
    assertProblem(await t.request({ url: '/users?_embed=json_blog_posts' }), 400, {
      detail: /Cannot embed "json_blog_posts": this collection offers posts, albums, todos, blog-posts/,
    });
  });

  test('a key that is no collection name: /blog-posts and /2024 answer; the collection names do not', async () => {
    assert.deepEqual(body(await t.request({ url: '/blog-posts?userId=2' })), DB['blog-posts']);
    assert.deepEqual(body(await t.request({ url: '/2024/1' })), DB['2024'][0]);
    assertProblem(await t.request({ url: '/json_users' }), 404);
    assertProblem(await t.request({ url: '/json_blog_posts' }), 404);
    // /api keeps the collection names, and /api/users the accounts.
    const api = await t.request({ url: '/api/json_users/1' });
    assert.equal(api.statusCode, 200, api.body);
    assert.equal(json(api).name, DB.users[0].name);
    assertProblem(await t.request({ url: '/api/users' }), 401);
    assert.deepEqual(await stored(t, 'users'), []);
  });
});

describe('writes at the json-server names', () => {
  test('POST /users/1/posts: 201, Location under /posts, stored with the relation to json_users', async () => {
    const res = await t.request({ method: 'POST', url: '/users/1/posts', payload: { title: 'new' } });
    assert.equal(res.statusCode, 201, res.body);
    assert.deepEqual(json(res), { id: 4, userId: 1, title: 'new' });
    assert.equal(res.headers.location, '/posts/4');
    assert.equal((await stored(t, 'posts')).find((r) => r.id === '4')?.userId, '1');
    assert.equal((await t.request({ method: 'DELETE', url: '/posts/4' })).statusCode, 200);
  });

  test('POST /users with an id; PUT with If-Match of /api/json_users; DELETE cascades to posts', async () => {
    const made = await t.request({ method: 'POST', url: '/users', payload: { id: 7, name: 'Clementine' } });
    assert.equal(made.statusCode, 201, made.body);
    assert.equal(made.headers.location, '/users/7');
    const post = await t.request({ method: 'POST', url: '/posts', payload: { userId: 7, title: 'hers' } });
    assert.equal(post.statusCode, 201, post.body);
    const etag = String((await t.request({ url: '/api/json_users/7' })).headers.etag);
    const put = await t.request({
      method: 'PUT',
      url: '/users/7',
      headers: { 'if-match': etag },
      payload: { name: 'Clementine Bauch' },
    });
    assert.equal(put.statusCode, 200, put.body);
    assert.deepEqual(json(put), { id: 7, name: 'Clementine Bauch' });
    assert.equal((await t.request({ method: 'DELETE', url: '/users/7' })).statusCode, 200);
    assert.equal((await stored(t, 'json_users')).length, DB.users.length);
    assert.equal((await stored(t, 'posts')).length, DB.posts.length);
  });
});

describe('export in db.json shape', () => {
  test('gives back the file, under its keys, without the accounts collection', async () => {
    assert.deepEqual(await exportData(t.store, schema, { jsonServer: true }), DB);
    const plain = await exportData(t.store, schema);
    assert.deepEqual(Object.keys(plain).sort(), [...schema.keys()].sort());
  });

  test('import takes a file keyed by the collection names too; a file naming one collection twice is refused', () => {
    const plan = importPlan({ json_users: [], 'blog-posts': [] }, schema, false);
    assert.deepEqual([...plan.collections.keys()], ['json_users', 'json_blog_posts']);
    assert.deepEqual([...plan.keys], [['json_blog_posts', 'blog-posts']]);
    assert.throws(
      () => importPlan({ users: [], json_users: [] }, schema, false),
      /"users" and "json_users" both name collection json_users/,
    );
  });
});
