import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { describeInferred, InferError, inferConfig } from './infer-config.js';
import { validateConfig } from './validate.js';

const PUBLIC = { list: 'public', view: 'public', create: 'public', update: 'public', delete: 'public' };

/** json-server's own example, with a few more kinds of values. */
const DB = {
  posts: [
    { id: 1, title: 'json-server', author: 'typicode', views: 10, rating: 4.5, draft: false },
    { id: 2, title: 'more', author: 'me', views: 3, rating: 4, draft: true, tags: ['a'] },
  ],
  comments: [
    { id: 1, body: 'some comment', postId: 1, at: '2024-05-01T12:30:00.000Z' },
    { id: 2, body: 'another', postId: 2, at: '2024-05-02T08:00:00.000Z', parent_id: 1 },
  ],
  categories: [{ id: 'fiction', label: 'Fiction', day: '2024-05-01' }],
  books: [
    { id: 'dune', categoryId: 'fiction', meta: { pages: 412 }, mixed: 1 },
    { id: 'emma', mixed: 'x' },
  ],
  profile: { name: 'typicode' },
};

function problemsOf(data: unknown): readonly string[] {
  try {
    inferConfig(data);
  } catch (error) {
    assert.ok(error instanceof InferError, String(error));
    return error.problems;
  }
  assert.fail('expected an InferError');
}

describe('inferConfig', () => {
  const { config, skipped } = inferConfig(DB);

  test('arrays become collections, objects single collections, in the file order, with jsonServer on', () => {
    assert.equal(config.jsonServer, true);
    assert.deepEqual(Object.keys(config.collections), [
      'posts',
      'comments',
      'categories',
      'books',
      'profile',
    ]);
    assert.equal(config.collections.profile.single, true);
    assert.equal(config.collections.posts.single, undefined);
    assert.deepEqual(skipped, []);
  });

  test('field types from the values: integer, number, boolean, date, text, json', () => {
    assert.deepEqual(config.collections.posts.fields, {
      title: { type: 'text' },
      author: { type: 'text' },
      views: { type: 'integer' },
      rating: { type: 'number' },
      draft: { type: 'boolean' },
      tags: { type: 'json' },
    });
    assert.deepEqual(config.collections.categories.fields, {
      label: { type: 'text' },
      day: { type: 'date' },
    });
    assert.deepEqual(config.collections.books.fields?.meta, { type: 'json' });
    assert.deepEqual(config.collections.books.fields?.mixed, { type: 'json' }, 'a number and a string');
  });

  test('xxxId and xxx_id keys naming records of xxxs (also y → ies) are cascading relations', () => {
    const cascade = (collection: string) => ({ type: 'relation', collection, onDelete: 'cascade' });
    assert.deepEqual(config.collections.comments.fields?.postId, cascade('posts'));
    assert.deepEqual(config.collections.books.fields?.categoryId, cascade('categories'));
    // parent_id → parents: there is no such collection, so it stays a number.
    assert.deepEqual(config.collections.comments.fields?.parent_id, { type: 'integer' });
    assert.deepEqual(config.collections.comments.fields?.at, { type: 'date' });
  });

  test('a key whose values do not all name records of the collection stays what its values are', () => {
    const { config } = inferConfig({
      posts: [{ id: 1 }],
      comments: [{ postId: 1 }, { postId: 7 }, { postId: null }],
    });
    assert.deepEqual(config.collections.comments.fields?.postId, { type: 'integer' });
    // The JSON type must match too: "1" does not name post 1.
    const strings = inferConfig({ posts: [{ id: 1 }], comments: [{ postId: '1' }] });
    assert.deepEqual(strings.config.collections.comments.fields?.postId, { type: 'text' });
  });

  test('ids: increment when every id is a whole number (or missing, or none), else as given', () => {
    assert.equal(config.collections.posts.ids, 'increment');
    assert.equal(config.collections.categories.ids, undefined);
    const { config: c } = inferConfig({ a: [], b: [{ x: 1 }, { id: 3 }], c: [{ id: 1 }, { id: 'two' }] });
    assert.equal(c.collections.a.ids, 'increment');
    assert.equal(c.collections.b.ids, 'increment');
    assert.equal(c.collections.c.ids, undefined);
    const singles = inferConfig({ a: { id: 1 }, b: { id: 'me' }, c: {} }).config.collections;
    assert.deepEqual([singles.a.ids, singles.b.ids, singles.c.ids], ['increment', undefined, undefined]);
  });

  test('never required; every rule public; a key with only nulls is json', () => {
    for (const c of Object.values(config.collections)) {
      assert.deepEqual(c.rules, PUBLIC);
      for (const f of Object.values(c.fields ?? {})) assert.equal(f.required, undefined);
    }
    assert.deepEqual(inferConfig({ a: [{ n: null }] }).config.collections.a.fields, { n: { type: 'json' } });
  });

  test('id, created and updated are not fields', () => {
    const { config } = inferConfig({
      a: [{ id: 1, created: '2024-01-01T00:00:00.000Z', updated: 'x', t: 'y' }],
    });
    assert.deepEqual(config.collections.a.fields, { t: { type: 'text' } });
  });

  test('the inferred config is one the validator takes as it is', () => {
    const valid = validateConfig(config, 'methodical.config.json', '/app');
    assert.equal(valid.jsonServer, true);
    assert.equal(valid.collections.comments.fields.postId.collection, 'posts');
    assert.equal(valid.collections.profile.single, true);
  });

  test('top-level values that are neither arrays of objects nor objects are reported as skipped', () => {
    const { config, skipped } = inferConfig({ posts: [], count: 3, tags: ['a', 'b'], nothing: null });
    assert.deepEqual(Object.keys(config.collections), ['posts']);
    assert.equal(skipped.length, 3);
    assert.match(skipped[0], /^"count": a number/);
    assert.match(skipped[1], /^"tags": tags\[0\] is not an object/);
    assert.match(skipped[2], /^"nothing": null/);
  });

  const BAD: [string, unknown, RegExp][] = [
    ['not an object', [1, 2], /must hold a JSON object/],
    ['a key that is no URL segment', { 'blog posts': [] }, /"blog posts": not a URL path segment/],
    ['a key starting with a dot', { '.hidden': [] }, /"\.hidden": not a URL path segment/],
    ['a path of our own', { _: [] }, /"_": a path of the server's own/],
    [
      'a bad key',
      { posts: [{ id: 1 }, { 'first name': 'x' }] },
      /posts\[1\]: key "first name" is not a valid field name/,
    ],
    ['a reserved key', { posts: [{ expand: 1 }] }, /posts\[0\]: key "expand" is reserved/],
    ['a fractional id', { posts: [{ id: 1.5 }] }, /posts\[0\]: id 1\.5 does not fit/],
    ['a negative id', { posts: [{ id: -1 }] }, /posts\[0\]: id -1 does not fit/],
    ['an id with a space', { posts: [{ id: 'a b' }] }, /posts\[0\]: id "a b" does not fit/],
    ['an object id', { profile: { id: { x: 1 } } }, /profile: id \{"x":1\} does not fit/],
    [
      'a repeated id',
      { posts: [{ id: 1 }, { id: '1' }] },
      /posts\[1\]: id "1" is used by an earlier record too/,
    ],
  ];
  for (const [name, data, expected] of BAD) {
    test(`refused: ${name}`, () => {
      const problems = problemsOf(data);
      assert.equal(problems.length, 1, problems.join('; '));
      assert.match(problems[0], expected);
    });
  }

  test('every problem is listed, not only the first', () => {
    const problems = problemsOf({ 'a b': [], posts: [{ id: 1.5, 'x y': 1 }] });
    assert.equal(problems.length, 3, problems.join('; '));
  });

  test('bounded: too many fields in a collection', () => {
    const wide = Object.fromEntries(Array.from({ length: 501 }, (_, i) => [`f${i}`, i]));
    assert.match(problemsOf({ wide: [wide] })[0], /wide: 501 keys: at most 500 fields/);
  });

  test('the summary names each collection, its ids, fields and types, and the note about rules', () => {
    const lines = describeInferred(inferConfig(DB), 'methodical.config.json');
    assert.ok(
      lines.some((l) => /^ {2}posts +ids 1, 2, 3…; title: text, author: text, views: integer/.test(l)),
      lines.join('\n'),
    );
    assert.ok(lines.some((l) => /comments .*postId → posts/.test(l)));
    assert.ok(lines.some((l) => /profile +one record; name: text/.test(l)));
    assert.match(
      lines[lines.length - 1],
      /Every rule is "public".*Tighten "rules" in methodical\.config\.json/,
    );
  });
});

describe('inferConfig: keys that cannot be collection names keep their name as jsonServerName', () => {
  /** jsonplaceholder's shape: users, posts with userId, comments with postId, albums, photos, todos. */
  const PLACEHOLDER = {
    users: [
      { id: 1, name: 'Leanne', address: { city: 'Gwenborough' } },
      { id: 2, name: 'Ervin' },
    ],
    posts: [{ id: 1, userId: 1, title: 'sunt' }],
    comments: [{ id: 1, postId: 1, body: 'laudantium' }],
    'blog-posts': [{ id: 'a', userId: 2 }],
    '2024': [{ id: 1, note: 'x' }],
    files: { name: 'f' },
    json_users: [{ id: 9 }],
  };
  const { config } = inferConfig(PLACEHOLDER);

  test('users, files, 2024 and blog-posts become json_<key> collections named after the key', () => {
    // In the file's order, as JSON.parse gives it (an integer-like key such as "2024" first).
    assert.deepEqual(Object.keys(config.collections), [
      'json_2024',
      'json_users_2',
      'posts',
      'comments',
      'json_blog_posts',
      'json_files',
      'json_users',
    ]);
    assert.equal(config.collections.json_users_2.jsonServerName, 'users');
    assert.equal(config.collections.json_blog_posts.jsonServerName, 'blog-posts');
    assert.equal(config.collections.json_2024.jsonServerName, '2024');
    assert.equal(config.collections.json_files.jsonServerName, 'files');
    assert.equal(config.collections.json_files.single, true);
    // A key that is a name already keeps it, and no jsonServerName.
    assert.equal(config.collections.json_users.jsonServerName, undefined);
    assert.equal(config.collections.posts.jsonServerName, undefined);
    assert.equal(config.collections.json_users_2.ids, 'increment');
  });

  test('userId points to the collection the key users became', () => {
    assert.deepEqual(config.collections.posts.fields?.userId, {
      type: 'relation',
      collection: 'json_users_2',
      onDelete: 'cascade',
    });
    assert.equal(config.collections.json_blog_posts.fields?.userId?.collection, 'json_users_2');
    assert.equal(config.collections.comments.fields?.postId?.collection, 'posts');
  });

  test('the config validates: each json-server name is its own, the accounts collection gives users up', () => {
    const valid = validateConfig(config, 'methodical.config.json', '/tmp');
    assert.equal(valid.collections.json_users_2.jsonServerName, 'users');
    assert.equal(valid.collections.users.jsonServerName, undefined);
  });

  test('the summary shows the key beside the collection and states the rule', () => {
    const lines = describeInferred(inferConfig(PLACEHOLDER), 'methodical.config.json');
    assert.ok(
      lines.some((l) => /^ {2}json_users_2 \("users"\) +ids 1, 2, 3…; name: text/.test(l)),
      lines.join('\n'),
    );
    assert.ok(lines.some((l) => /posts +ids 1, 2, 3…; userId → json_users_2/.test(l)));
    assert.ok(
      lines.some((l) =>
        /^Renamed: a key that cannot be a collection name .* becomes the collection json_<key>/.test(l),
      ),
    );
    const plain = describeInferred(inferConfig(DB), 'methodical.config.json');
    assert.ok(!plain.some((l) => l.startsWith('Renamed')));
  });
});
