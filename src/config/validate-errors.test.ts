import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ConfigError, ConfigErrors } from './config-error.js';
import { validateConfig } from './validate.js';

const book = (fields: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
  collections: { books: { fields, ...extra } },
});

/** [what, config, path, a piece of the problem] */
const CASES: [string, unknown, string, string][] = [
  ['not an object', [], '', 'expected an object, found an array'],
  [
    'unknown top-level key',
    { colections: {} },
    'colections',
    'unknown key "colections"; allowed keys are collections, routes, public, trustProxy',
  ],
  [
    'collections not an object',
    { collections: 'books' },
    'collections',
    'expected an object, found the string',
  ],
  [
    'bad collection name',
    { collections: { '2books': {} } },
    'collections["2books"]',
    'must start with a letter',
  ],
  ['reserved collection name', { collections: { batch: {} } }, 'collections.batch', 'would hide /api/batch'],
  [
    'unknown collection key',
    { collections: { books: { field: {} } } },
    'collections.books.field',
    'allowed keys are fields, rules, requireIfMatch, requireIdempotencyKey, cache, indexes, ids, single or jsonServerName',
  ],
  [
    'jsonServerName not a string',
    book({}, { jsonServerName: 3 }),
    'collections.books.jsonServerName',
    'expected a string',
  ],
  [
    'jsonServerName not a URL segment',
    book({}, { jsonServerName: 'blog posts' }),
    'collections.books.jsonServerName',
    'not a URL path segment',
  ],
  [
    'jsonServerName a dot segment',
    book({}, { jsonServerName: '..' }),
    'collections.books.jsonServerName',
    'not a URL path segment',
  ],
  [
    'jsonServerName a path of our own',
    book({}, { jsonServerName: 'api' }),
    'collections.books.jsonServerName',
    "a path of the server's own (/api/…)",
  ],
  [
    'jsonServerName of another collection',
    { collections: { posts: {}, articles: { jsonServerName: 'posts' } } },
    'collections.articles.jsonServerName',
    '"posts" is the json-server name of collection posts already',
  ],
  [
    "jsonServerName taken by a later collection's own name",
    { collections: { articles: { jsonServerName: 'posts' }, posts: {} } },
    'collections.articles.jsonServerName',
    '"posts" is the json-server name of collection posts already',
  ],
  [
    'two collections with one jsonServerName',
    { collections: { a: { jsonServerName: 'x' }, b: { jsonServerName: 'x' } } },
    'collections.b.jsonServerName',
    '"x" is the json-server name of collection a already',
  ],
  [
    'ids neither kind',
    book({}, { ids: 'uuid' }),
    'collections.books.ids',
    'expected "random" or "increment"',
  ],
  ['single not a flag', book({}, { single: 1 }), 'collections.books.single', 'expected true or false'],
  [
    'users cannot be single',
    { collections: { users: { single: true } } },
    'collections.users.single',
    'cannot be single',
  ],
  [
    'jsonServer not a flag',
    { jsonServer: 'on' },
    'jsonServer',
    'expected true or false, found the string "on"',
  ],
  [
    'flag of the wrong type',
    book({}, { requireIfMatch: 'yes' }),
    'collections.books.requireIfMatch',
    'expected true or false, found the string "yes"',
  ],
  [
    'bad field name',
    book({ 'my-title': { type: 'text' } }),
    'collections.books.fields["my-title"]',
    'must start with a letter',
  ],
  [
    'unknown rule operation',
    book({}, { rules: { read: 'public' } }),
    'collections.books.rules.read',
    'allowed keys are list, view, create, update or delete',
  ],
  [
    'rule not a string',
    book({}, { rules: { list: true } }),
    'collections.books.rules.list',
    'expected a rule',
  ],
  [
    'rule neither kind nor filter',
    book({}, { rules: { list: 'everyone please' } }),
    'collections.books.rules.list',
    '"everyone please" is neither a rule kind (public, auth, owner, admin or nobody) nor a valid filter expression: ',
  ],
  [
    'rule on an unknown field',
    book({ year: { type: 'integer' } }, { rules: { list: 'yaer > 1' } }),
    'collections.books.rules.list',
    'unknown field "yaer" at position 0',
  ],
  [
    'alias key shape',
    { ...book({}), routes: { '/add-book': 'POST /api/books' } },
    'routes["/add-book"]',
    'an alias must look like "POST /add-book"',
  ],
  [
    'alias method',
    { ...book({}), routes: { 'SEND /add': 'POST /api/books' } },
    'routes["SEND /add"]',
    '"SEND" is not one of those methods',
  ],
  [
    'alias under /api',
    { ...book({}), routes: { 'POST /api/add': 'POST /api/books' } },
    'routes["POST /api/add"]',
    "Methodical's own routes",
  ],
  [
    'alias twice',
    { ...book({}), routes: { 'POST /a': 'POST /api/books', 'post /a': 'POST /api/books' } },
    'routes["post /a"]',
    'POST /a is routed twice',
  ],
  [
    'target outside /api',
    { ...book({}), routes: { 'POST /add': 'POST /books' } },
    'routes["POST /add"]',
    'must be an API path under /api/',
  ],
  [
    'target not a string',
    { ...book({}), routes: { 'POST /add': 1 } },
    'routes["POST /add"]',
    'expected a string (an API route like "POST /api/books") or a handler function, found the number 1',
  ],
  [
    'target collection missing',
    { ...book({}), routes: { 'POST /add': 'POST /api/bokks' } },
    'routes["POST /add"]',
    'names no collection "bokks"',
  ],
  [
    'target param missing',
    { ...book({}), routes: { 'PUT /edit': 'PUT /api/books/:id' } },
    'routes["PUT /edit"]',
    'the target uses :id, which the alias path does not define',
  ],
  [
    'public folder missing',
    { public: './no-such-folder' },
    'public',
    'folder "./no-such-folder" does not exist',
  ],
  [
    'publicUrl not http',
    { publicUrl: 'ftp://example.com' },
    'publicUrl',
    'expected an absolute http or https URL',
  ],
  [
    'publicUrl with query',
    { publicUrl: 'https://example.com/?a=1' },
    'publicUrl',
    'without credentials, query or fragment',
  ],
  [
    'cors origin with path',
    { cors: { origins: ['https://a.example/'] } },
    'cors.origins[0]',
    'is not an origin',
  ],
  [
    'trusted origin with path',
    { trustedOrigins: ['http://localhost:5173/app'] },
    'trustedOrigins[0]',
    'is not an origin',
  ],
  [
    'trusted origin *',
    { trustedOrigins: ['*'] },
    'trustedOrigins[0]',
    'expected an absolute http or https URL',
  ],
  [
    'trustedOrigins not a list',
    { trustedOrigins: 'http://a.example' },
    'trustedOrigins',
    'expected an array',
  ],
  [
    'cors not a list',
    { cors: { origins: 'https://a.example' } },
    'cors.origins',
    'expected an array of strings',
  ],
  [
    'bad duration',
    { idempotency: { ttl: '10 minutes' } },
    'idempotency.ttl',
    'expected a duration: seconds as a number, or a string like "30m"',
  ],
  ['zero duration', { auth: { sessionTtl: 0 } }, 'auth.sessionTtl', 'expected a duration'],
  [
    'bad limit',
    { limits: { json: 0 } },
    'limits.json',
    'expected a positive whole number, found the number 0',
  ],
  [
    'unknown limit',
    { limits: { body: 1 } },
    'limits.body',
    'allowed keys are json, multipart, parts, fieldSize, batch, patchOperations, filterTerms, expand, response, connections, url or headers',
  ],
  [
    'bad throttle',
    { auth: { loginThrottle: { perEmail: 1.5 } } },
    'auth.loginThrottle.perEmail',
    'positive whole number',
  ],
  [
    'throttle slow-down over a minute',
    { auth: { loginThrottle: { slowDown: '2m' } } },
    'auth.loginThrottle.slowDown',
    'must be at most 60 seconds, found 120',
  ],
  ['trustProxy not boolean', { trustProxy: 1 }, 'trustProxy', 'expected true or false, found the number 1'],
];

describe('validateConfig errors', () => {
  for (const [what, config, path, problem] of CASES) {
    test(what, () => {
      assert.throws(
        () => validateConfig(config, 'methodical.config.ts', process.cwd()),
        (err: unknown) => {
          assert.ok(err instanceof ConfigError, `expected ConfigError, got ${String(err)}`);
          assert.equal(err.file, 'methodical.config.ts');
          assert.equal(err.path, path);
          assert.ok(err.problem.includes(problem), `problem was: ${err.problem}`);
          assert.equal(
            err.message,
            path === ''
              ? `methodical.config.ts: ${err.problem}`
              : `methodical.config.ts: ${path}: ${err.problem}`,
          );
          return true;
        },
      );
    });
  }

  test('hooks need a TS or JS config', () => {
    assert.throws(
      () => validateConfig({ ...book({}), hooks: { books: {} } }, '/x/methodical.config.json', '/x'),
      {
        path: 'hooks',
        message: /JSON cannot hold functions/,
      },
    );
  });

  test('hooks must target an existing collection, with known names, as functions', () => {
    const run = (hooks: unknown) => () => validateConfig({ ...book({}), hooks }, 'c.ts', '/x');
    assert.throws(run({ bokks: {} }), { path: 'hooks.bokks', message: /no collection "bokks"/ });
    assert.throws(run({ books: { beforeSave: () => {} } }), {
      path: 'hooks.books.beforeSave',
      message: /allowed keys are beforeCreate, beforeUpdate/,
    });
    assert.throws(run({ books: { afterCreate: 'log' } }), {
      path: 'hooks.books.afterCreate',
      message: /expected a function, found the string "log"/,
    });
  });

  test('every problem is listed at once, each with its path, in the order written', () => {
    const config = {
      collections: {
        books: {
          fields: {
            year: { type: 'integer', min: 'zero' },
            genre: { type: 'select' },
            title: { type: 'text' },
          },
          rules: { read: 'public' },
        },
        '2nd': {},
        notes: { fields: { body: { type: 'txt' } }, rules: { list: 'body = "x"' } },
      },
      routes: { 'FETCH /x': 'GET /api/books' },
      limits: { json: -1 },
      durability: 'sometimes',
      colour: 'blue',
    };
    assert.throws(
      () => validateConfig(config, 'methodical.config.ts', process.cwd()),
      (err: unknown) => {
        assert.ok(err instanceof ConfigErrors, `expected ConfigErrors, got ${String(err)}`);
        assert.deepEqual(
          err.problems.map((p) => p.path),
          [
            'colour',
            'collections.books.fields.year.min',
            'collections.books.fields.genre.values',
            'collections.books.rules.read',
            'collections["2nd"]',
            'collections.notes.fields.body.type',
            'routes["FETCH /x"]',
            'limits.json',
            'durability',
          ],
        );
        const lines = err.message.split('\n');
        assert.equal(lines.length, 9);
        for (const [i, line] of lines.entries()) {
          assert.equal(line, `methodical.config.ts: ${err.problems[i].path}: ${err.problems[i].problem}`);
        }
        // The first problem also stands for the whole, for code reading one path.
        assert.equal(err.path, 'colour');
        return true;
      },
    );
  });

  test('one problem is thrown as itself', () => {
    assert.throws(
      () => validateConfig(book({ year: { type: 'integer', min: 'zero' } }), 'c.ts', '/x'),
      (err: unknown) => err instanceof ConfigError && !(err instanceof ConfigErrors),
    );
  });
});
