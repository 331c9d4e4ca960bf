import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { validateConfig } from '../../config/validate.js';
import { compileSchema } from '../../schema/compile-schema.js';
import { operationIds } from './document.js';
import { componentBases, openApiPath } from './names.js';
import {
  at,
  BOOKS_CONFIG,
  build,
  components,
  deref,
  doc,
  documentOf,
  type Json,
  operations,
  paths,
  resolve,
} from './test-fixture.js';

describe('openApiDocument', () => {
  it('is an OpenAPI 3.1.0 document with info, servers and security schemes', async () => {
    assert.equal(doc.openapi, '3.1.0');
    assert.equal((doc.info as Json).version, '1.2.3');
    assert.deepEqual(doc.servers, [{ url: '/' }]);
    assert.deepEqual((await build(BOOKS_CONFIG, 'https://api.example.com')).servers, [
      { url: 'https://api.example.com' },
    ]);
    assert.deepEqual(components.securitySchemes.bearer, {
      type: 'http',
      scheme: 'bearer',
      description: 'The `token` from POST /api/auth/login.',
    });
    assert.equal(components.securitySchemes.cookie.type, 'apiKey');
    assert.equal(components.securitySchemes.cookie.in, 'cookie');
    assert.equal(components.securitySchemes.cookie.name, 'methodical_session');
  });

  it("says, under jsonServer: true, that the collections are also at json-server's paths", async () => {
    const description = (doc.info as Json).description as string;
    assert.doesNotMatch(description, /json-server/);
    const compat = await build({ ...BOOKS_CONFIG, jsonServer: true });
    assert.match(
      (compat.info as Json).description as string,
      /json-server’s paths \(\/posts, \/posts\/\{id\}/,
    );
  });

  it('documents every route and method of the API table', () => {
    const expected: Record<string, string[]> = {
      '/api/books': ['get', 'head', 'post', 'options'],
      '/api/books/{id}': ['get', 'head', 'put', 'patch', 'delete', 'options'],
      '/api/order_items': ['get', 'head', 'post', 'options'],
      '/api/order_items/{id}': ['get', 'head', 'put', 'patch', 'delete', 'options'],
      '/api/users': ['get', 'head', 'options'],
      '/api/users/{id}': ['get', 'head', 'put', 'patch', 'delete', 'options'],
      '/api/auth/register': ['post'],
      '/api/auth/login': ['post'],
      '/api/auth/logout': ['post'],
      '/api/auth/me': ['get'],
      '/api/files/{collection}/{id}/{field}/{filename}': ['get', 'head'],
      '/api/batch': ['post'],
      '/api/openapi.json': ['get'],
      '/healthz': ['get'],
    };
    for (const [path, methods] of Object.entries(expected)) for (const m of methods) at(path, m);
    assert.equal(paths['/api/users'].post, undefined, 'users are created through register');
  });

  it('gives every operation a unique operationId, stable across calls', async () => {
    const ids = operationIds(paths);
    assert.equal(ids.length, operations().length);
    assert.equal(new Set(ids).size, ids.length, `duplicates in ${ids.join(', ')}`);
    assert.equal(at('/api/books', 'get').operationId, 'listBooks');
    assert.equal(at('/api/books', 'post').operationId, 'createBooks');
    assert.equal(at('/api/order_items/{id}', 'patch').operationId, 'updateOrderItemsRecord');
    assert.deepEqual(await build(), doc);
  });

  it('resolves every $ref inside the document', () => {
    let count = 0;
    const walk = (node: unknown): void => {
      if (Array.isArray(node)) node.forEach(walk);
      else if (node !== null && typeof node === 'object') {
        for (const [key, value] of Object.entries(node)) {
          if (key === '$ref' && typeof value === 'string') {
            resolve(value);
            count++;
          } else walk(value);
        }
      }
    };
    walk(doc);
    assert.ok(count > 50);
  });

  it('is plain JSON', () => {
    assert.deepEqual(JSON.parse(JSON.stringify(doc)), doc);
  });

  it('answers every 4xx/5xx with an application/problem+json Problem', () => {
    for (const [path, method, op] of operations()) {
      for (const [status, response] of Object.entries(op.responses as Json)) {
        assert.match(status, /^([1-5][0-9]{2}|[1-5]XX|default)$/);
        const resolved = deref(response);
        assert.equal(typeof resolved.description, 'string');
        // A handler of the config's own may answer any body with any status (4XX, 5XX).
        if (!/^[45]/.test(status) || /XX$/.test(status)) continue;
        const content = resolved.content as Json;
        assert.deepEqual(Object.keys(content), ['application/problem+json'], `${method} ${path} ${status}`);
        assert.deepEqual((content['application/problem+json'] as Json).schema, {
          $ref: '#/components/schemas/Problem',
        });
      }
    }
    const problem = components.schemas.Problem;
    assert.deepEqual(Object.keys(problem.properties as Json).slice(0, 6), [
      'type',
      'title',
      'status',
      'detail',
      'instance',
      'errors',
    ]);
    assert.deepEqual((components.schemas.FieldError as Json).required, ['field', 'code', 'message']);
    assert.ok((deref(components.responses.Unauthorized).headers as Json)['WWW-Authenticate']);
  });

  it('declares every path template parameter, required', () => {
    for (const [path, item] of Object.entries(paths)) {
      const names = [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]);
      for (const [, method, op] of operations().filter(([p]) => p === path)) {
        const declared = [...((item.parameters ?? []) as Json[]), ...((op.parameters ?? []) as Json[])]
          .map(deref)
          .filter((p) => p.in === 'path');
        assert.deepEqual(declared.map((p) => p.name).sort(), [...names].sort(), `${method} ${path}`);
        for (const p of declared) assert.equal(p.required, true);
      }
    }
  });

  it('puts the collections schemas under components', () => {
    const config = validateConfig(BOOKS_CONFIG, 'methodical.config.json', '/srv/app');
    const books = compileSchema(config).get('books')!;
    const { $schema: _record, ...record } = books.jsonSchema('record');
    const { $schema: _input, ...input } = books.jsonSchema('input');
    // `expand` is typed in the document: each relation's record (or null), arrays for `multiple`.
    const { expand, ...props } = components.schemas.BooksRecord.properties as Json;
    const { expand: _loose, ...recordProps } = record.properties as Json;
    assert.deepEqual(
      { ...components.schemas.BooksRecord, properties: props },
      { ...record, properties: recordProps },
    );
    assert.deepEqual((expand as Json).properties, {
      owner: {
        anyOf: [
          { $ref: '#/components/schemas/UsersRecord' },
          { type: 'null', description: 'Not set, or not visible to the caller.' },
        ],
      },
    });
    assert.deepEqual(components.schemas.BooksInput, input);
    const page = components.schemas.BooksListPage;
    assert.deepEqual(page.required, ['items', 'page', 'perPage', 'totalItems', 'totalPages']);
    assert.deepEqual((page.properties as Record<string, Json>).totalPages.type, ['integer', 'null']);
    assert.ok(components.schemas.OrderItemsRecord);
    assert.ok(components.schemas.UsersRecord);
  });

  it('publishes each collection’s fields as declared (x-collections), for generic clients', () => {
    const catalogue = doc['x-collections'] as Record<string, Json>;
    assert.deepEqual(Object.keys(catalogue), ['users', 'books', 'events', 'order_items']);
    const books = catalogue.books as Json;
    assert.equal(books.auth, false);
    assert.equal(books.requireIfMatch, true);
    assert.deepEqual(Object.keys(books.fields as Json), Object.keys(BOOKS_CONFIG.collections.books.fields));
    assert.deepEqual((books.fields as Json).cover, {
      type: 'file',
      maxSize: 2097152,
      accept: ['image/png', 'image/jpeg'],
    });
    assert.deepEqual((books.fields as Json).owner, {
      type: 'relation',
      collection: 'users',
      onDelete: 'restrict',
    });
    assert.deepEqual((books.fields as Json).genre, {
      type: 'select',
      values: ['fiction', 'science', 'history'],
    });
    assert.equal((catalogue.users as Json).auth, true);
    assert.deepEqual(((catalogue.users as Json).fields as Json).admin, { type: 'boolean', default: false });
  });

  it('publishes the idempotency-key TTL', async () => {
    assert.equal(doc['x-idempotency-ttl-seconds'], 7200);
    assert.match(components.parameters.IdempotencyKey.description as string, /kept for 7200 seconds/);
    const defaults = await build({ collections: {} });
    assert.equal(defaults['x-idempotency-ttl-seconds'], 86400);
    const params = (defaults.components as Record<string, Record<string, Json>>).parameters;
    assert.match(params.IdempotencyKey.description as string, /Keys are kept for 86400 seconds/);
  });

  it('repeats aliased operations under the alias paths', () => {
    const add = at('/add-book', 'post');
    assert.match(add.description as string, /^alias of POST \/api\/books/);
    assert.deepEqual(add.responses, at('/api/books', 'post').responses);
    assert.deepEqual(add.requestBody, at('/api/books', 'post').requestBody);
    assert.deepEqual((add['x-alias-of'] as Json).operationId, 'createBooks');

    const edit = at('/edit-book/{bookId}', 'put');
    assert.match(edit.description as string, /^alias of PUT \/api\/books\/:bookId/);
    assert.deepEqual(edit.responses, at('/api/books/{id}', 'put').responses);
    const param = (paths['/edit-book/{bookId}'].parameters as Json[])[0];
    assert.equal(param.name, 'bookId');

    assert.match(at('/featured', 'get').description as string, /`id` = `featured`/);
    assert.match(at('/c/{name}', 'get').description as string, /^alias of GET \/api\/:name/);
  });

  it('documents routes of the config’s own, beside the aliases of their path', async () => {
    const config = validateConfig(
      {
        ...BOOKS_CONFIG,
        routes: {
          ...BOOKS_CONFIG.routes,
          'GET /edit-book/:bookId': () => undefined,
          'GET /api/books/summary': () => ({}),
          'POST /newsletter': () => undefined,
        },
      },
      'methodical.config.ts',
      '/srv/app',
    );
    const document = await documentOf(config, undefined, '1');
    const all = document.paths as Record<string, Json>;
    const edit = all['/edit-book/{bookId}'];
    assert.match((edit.put as Json).description as string, /^alias of PUT/);
    const page = edit.get as Json;
    assert.equal(page.operationId, 'route_get_edit_book_bookid');
    assert.deepEqual(Object.keys(page.responses as Json), [
      '200',
      '304',
      '400',
      '401',
      '403',
      '404',
      '412',
      '500',
      '2XX',
      '3XX',
      '4XX',
      '5XX',
    ]);
    assert.deepEqual(((all['/api/books/summary'].get as Json).tags as string[])[0], 'routes');
    const post = all['/newsletter'].post as Json;
    assert.deepEqual(post.parameters, [{ $ref: '#/components/parameters/IdempotencyKey' }]);
    assert.deepEqual(Object.keys((post.requestBody as Json).content as Json), [
      'application/json',
      'application/x-www-form-urlencoded',
      'multipart/form-data',
    ]);
    const ids = operationIds(all);
    assert.equal(new Set(ids).size, ids.length);
    assert.ok((document.tags as Json[]).some((tag) => tag.name === 'routes'));
    const bare = await build({ collections: {} });
    assert.ok(!(bare.tags as Json[]).some((tag) => tag.name === 'routes'), 'only when there are some');
  });

  it('names components uniquely and writes paths as templates', () => {
    assert.deepEqual(
      [...componentBases(['order_items', 'orderItems', 'users']).values()],
      ['OrderItems', 'OrderItems2', 'Users'],
    );
    assert.equal(openApiPath('/edit-book/:id/x/:file_name'), '/edit-book/{id}/x/{file_name}');
    const generic = at('/c/{name}', 'get');
    assert.deepEqual(Object.keys(generic.responses as Json), ['400', '401', '404', '406', '500', 'default']);
  });
});
