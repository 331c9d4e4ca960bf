import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ConfigError } from './config-error.js';
import { validateConfig } from './validate.js';

const handler = () => undefined;
const collections = { books: { fields: { title: { type: 'text' } } }, workouts: {} };

function routes(table: Record<string, unknown>, file = 'methodical.config.ts') {
  return validateConfig({ collections, routes: table }, file, '/');
}

describe('routes with handlers of the config’s own', () => {
  test('a function value is a handler; a string an alias; both kept apart, in order', () => {
    const page = () => 'page';
    const config = routes({
      'GET /books/:id': page,
      'PUT /edit-book/:id': 'PUT /api/books/:id',
      'GET /edit-book/:id': handler,
      'post /newsletter': handler,
      'GET /api/workouts/summary': handler,
      'DELETE /api/books/:id/cover/now': handler,
      'GET /': handler,
    });
    assert.deepEqual(config.routes, [
      { method: 'PUT', path: '/edit-book/:id', targetMethod: 'PUT', targetPath: '/api/books/:id' },
    ]);
    assert.deepEqual(
      config.customRoutes.map((r) => `${r.method} ${r.path}`),
      [
        'GET /books/:id',
        'GET /edit-book/:id',
        'POST /newsletter',
        'GET /api/workouts/summary',
        'DELETE /api/books/:id/cover/now',
        'GET /',
      ],
    );
    assert.equal(config.customRoutes[0].handler, page);
    assert.ok(Object.isFrozen(config.customRoutes));
    assert.ok(Object.isFrozen(config.customRoutes[0]));
  });

  test('a config without routes has no handlers', () => {
    assert.deepEqual(validateConfig({}, 'c.ts', '/').customRoutes, []);
  });

  /** [what, routes, the key named in the error, a piece of the problem] */
  const refused: [string, Record<string, unknown>, string, string][] = [
    ['HEAD', { 'HEAD /x': handler }, 'HEAD /x', 'HEAD is answered by the GET handler'],
    ['the admin page', { 'GET /_/x': handler }, 'GET /_/x', '/_/ and /healthz are Methodical’s own routes'],
    ['/_ itself', { 'GET /_': handler }, 'GET /_', 'Methodical’s own routes'],
    ['/healthz', { 'GET /healthz': handler }, 'GET /healthz', 'Methodical’s own routes'],
    ['/api', { 'GET /api': handler }, 'GET /api', 'three or more segments'],
    ['a collection', { 'POST /api/books': handler }, 'POST /api/books', 'three or more segments'],
    ['a record', { 'GET /api/books/:id': handler }, 'GET /api/books/:id', 'the API’s record route'],
    ['auth', { 'POST /api/auth/login': handler }, 'POST /api/auth/login', '/api/auth/ is the API’s own'],
    ['files', { 'GET /api/files/a/b/c/d': handler }, 'GET /api/files/a/b/c/d', '/api/files/ is'],
    ['batch', { 'POST /api/batch/x': handler }, 'POST /api/batch/x', '/api/batch/ is'],
    ['openapi', { 'GET /api/openapi.json/x': handler }, 'GET /api/openapi.json/x', 'is the API’s own'],
    [
      'a parameter for the collection',
      { 'GET /api/:c/summary': handler },
      'GET /api/:c/summary',
      'not a parameter',
    ],
    ['a handler twice', { 'GET /a': handler, 'get /a': handler }, 'get /a', 'GET /a is routed twice'],
    [
      'a trailing slash',
      { 'POST /add': 'POST /api/books', 'POST /add/': handler },
      'POST /add/',
      'must start with "/" and have no empty segments',
    ],
    [
      'an alias and a handler for one method and path',
      { 'PUT /edit/:id': 'PUT /api/books/:id', 'PUT /edit/:id ': handler },
      'PUT /edit/:id ',
      'PUT /edit/:id is routed twice',
    ],
    [
      'one path with two spellings of its parameter',
      { 'GET /b/:id': handler, 'DELETE /b/:ref': handler },
      'DELETE /b/:ref',
      '/b/:ref and /b/:id are one path',
    ],
    [
      'a GET handler where a GET alias is',
      { 'GET /list': 'GET /api/books', 'GET /list ': handler },
      'GET /list ',
      'routed twice',
    ],
    ['a method no handler takes', { 'SEND /x': handler }, 'SEND /x', '"SEND" is not one of those methods'],
    ['neither string nor function', { 'GET /x': { page: true } }, 'GET /x', 'or a handler function'],
  ];
  for (const [what, table, key, problem] of refused) {
    test(`refused: ${what}`, () => {
      assert.throws(
        () => routes(table),
        (err: unknown) => {
          assert.ok(err instanceof ConfigError, String(err));
          assert.equal(err.path, `routes[${JSON.stringify(key)}]`);
          assert.ok(err.problem.includes(problem), err.problem);
          return true;
        },
      );
    });
  }

  test('a handler in a JSON config is refused: JSON cannot hold functions', () => {
    assert.throws(() => routes({ 'GET /x': handler }, '/srv/methodical.config.json'), {
      path: 'routes["GET /x"]',
      message: /a route handler needs a TS or JS config.*JSON cannot hold functions/,
    });
  });
});

describe('errorPage and seed', () => {
  test('are kept as the functions they are', () => {
    const errorPage = () => undefined;
    const seed = async () => {};
    const config = validateConfig({ errorPage, seed }, 'c.ts', '/');
    assert.equal(config.errorPage, errorPage);
    assert.equal(config.seed, seed);
    assert.equal('errorPage' in validateConfig({}, 'c.ts', '/'), false);
  });

  for (const key of ['errorPage', 'seed']) {
    test(`${key} must be a function`, () => {
      assert.throws(() => validateConfig({ [key]: 'page.html' }, 'c.ts', '/'), {
        path: key,
        message: /expected a function, found the string "page.html"/,
      });
    });

    test(`${key} needs a TS or JS config`, () => {
      assert.throws(() => validateConfig({ [key]: () => undefined }, 'methodical.config.json', '/'), {
        path: key,
        message: /needs a TS or JS config.*JSON cannot hold functions/,
      });
    });
  }
});
