import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { at, components, deref, doc, type Json, statuses } from './test-fixture.js';

describe('openApiDocument operations', () => {
  it('lists with filter, sort, paging, fields, expand, skipTotal and shorthand equality', () => {
    const params = (at('/api/books', 'get').parameters as Json[]).map(deref);
    const byName = new Map(params.map((p) => [p.name as string, p]));
    for (const name of [
      'filter',
      'sort',
      'page',
      'perPage',
      'fields',
      'expand',
      'skipTotal',
      'If-None-Match',
    ]) {
      assert.ok(byName.has(name), name);
    }
    assert.deepEqual(byName.get('perPage')!.schema, {
      type: 'integer',
      minimum: 1,
      maximum: 500,
      default: 20,
    });
    assert.deepEqual(byName.get('genre')!.schema, {
      type: 'string',
      enum: ['fiction', 'science', 'history'],
    });
    assert.deepEqual(byName.get('year')!.schema, { type: 'integer', minimum: 0 });
    assert.ok(byName.has('id') && byName.has('author') && byName.has('owner'));
    assert.ok(!byName.has('tags'), 'JSON fields have no shorthand');
    const ok = deref((at('/api/books', 'get').responses as Json)[200]);
    assert.ok((ok.headers as Json).Link);
    assert.deepEqual(statuses('/api/books', 'head').includes('200'), true);
  });

  it('creates from JSON, forms and multipart with Idempotency-Key and Prefer', () => {
    const post = at('/api/books', 'post');
    const body = deref(post.requestBody);
    const content = body.content as Record<string, Json>;
    assert.deepEqual(Object.keys(content), [
      'application/json',
      'application/x-www-form-urlencoded',
      'multipart/form-data',
    ]);
    const multipart = deref(content['multipart/form-data'].schema);
    const cover = (multipart.properties as Record<string, Json>).cover;
    assert.equal(cover.format, 'binary');
    const names = (post.parameters as Json[]).map(deref).map((p) => p.name);
    assert.deepEqual(names, ['Idempotency-Key', 'Prefer']);
    assert.deepEqual(statuses('/api/books', 'post').slice(0, 2), ['201', '303']);
    for (const s of ['400', '401', '409', '413', '415', '422', '507'])
      assert.ok(statuses('/api/books', 'post').includes(s));
    for (const [path, method] of [
      ['/api/books/{id}', 'put'],
      ['/api/books/{id}', 'patch'],
      ['/api/books/{id}', 'delete'],
      ['/api/batch', 'post'],
    ] as const) {
      assert.ok(statuses(path, method).includes('507'), `${method} ${path} documents a full disk`);
    }
    const key = (at('/api/order_items', 'post').parameters as Json[]).map(deref)[0];
    assert.equal(key.required, true, 'requireIdempotencyKey makes the key required');
    const unsupported = deref((post.responses as Json)[415]);
    assert.ok((unsupported.headers as Json)['Accept-Post']);
  });

  it('documents conditional reads and writes', () => {
    const get = at('/api/books/{id}', 'get');
    const getHeaders = (get.parameters as Json[]).map(deref).map((p) => p.name);
    assert.ok(getHeaders.includes('If-None-Match') && getHeaders.includes('If-Modified-Since'));
    assert.deepEqual(statuses('/api/books/{id}', 'get').slice(0, 2), ['200', '304']);
    const put = at('/api/books/{id}', 'put');
    const putHeaders = (put.parameters as Json[]).map(deref).map((p) => p.name);
    assert.deepEqual(putHeaders, ['If-Match', 'If-None-Match', 'If-Unmodified-Since', 'Prefer']);
    for (const s of ['200', '201', '412', '428'])
      assert.ok(statuses('/api/books/{id}', 'put').includes(s), s);
    for (const s of ['200', '409', '412', '415', '422', '428']) {
      assert.ok(statuses('/api/books/{id}', 'patch').includes(s), s);
    }
    for (const s of ['204', '404', '412', '428'])
      assert.ok(statuses('/api/books/{id}', 'delete').includes(s), s);
    assert.ok(!statuses('/api/order_items/{id}', 'put').includes('428'), 'no 428 without requireIfMatch');
    assert.ok(!statuses('/api/users/{id}', 'put').includes('201'), 'users are not created by PUT');
  });

  it('patches with merge patch, JSON and JSON Patch', () => {
    const content = deref(at('/api/books/{id}', 'patch').requestBody).content as Record<string, Json>;
    assert.deepEqual(Object.keys(content), [
      'application/merge-patch+json',
      'application/json',
      'application/json-patch+json',
    ]);
    assert.deepEqual(content['application/json-patch+json'].schema, {
      $ref: '#/components/schemas/JsonPatch',
    });
    const op = deref(components.schemas.JsonPatchOperation);
    const ops = (op.oneOf as Json[]).flatMap((v) => {
      const o = (v.properties as Record<string, Json>).op;
      return (o.enum as string[] | undefined) ?? [o.const as string];
    });
    assert.deepEqual(ops.sort(), ['add', 'copy', 'move', 'remove', 'replace', 'test']);
    const unsupported = deref((at('/api/books/{id}', 'patch').responses as Json)[415]);
    assert.ok((unsupported.headers as Json)['Accept-Patch']);
  });

  it('answers OPTIONS with 204 and Allow', () => {
    const list = deref((at('/api/books', 'options').responses as Json)[204]);
    assert.equal(((list.headers as Json).Allow as Json).schema !== undefined, true);
    assert.match(list.description as string, /GET, HEAD, POST, OPTIONS/);
    const users = deref((at('/api/users', 'options').responses as Json)[204]);
    assert.match(users.description as string, /Allow: GET, HEAD, OPTIONS/);
    const item = deref((at('/api/books/{id}', 'options').responses as Json)[204]);
    assert.ok((item.headers as Json)['Accept-Patch']);
  });

  it('documents files with Range, batch, auth, openapi.json and healthz', () => {
    const file = statuses('/api/files/{collection}/{id}/{field}/{filename}', 'get');
    for (const s of ['200', '206', '304', '404', '416']) assert.ok(file.includes(s), s);
    const batch = deref(deref(at('/api/batch', 'post').requestBody).content as Json);
    const request = deref((batch['application/json'] as Json).schema);
    assert.deepEqual(request.required, ['requests']);
    const operation = components.schemas.BatchOperation;
    assert.deepEqual(operation.required, ['method', 'url']);
    assert.deepEqual(Object.keys(operation.properties as Json), ['method', 'url', 'headers', 'body']);
    assert.deepEqual(components.schemas.BatchResult.required, ['status', 'headers', 'body']);
    assert.ok(statuses('/api/auth/login', 'post').includes('429'));
    assert.deepEqual(statuses('/api/auth/register', 'post')[0], '201');
    assert.deepEqual(statuses('/api/auth/logout', 'post')[0], '204');
    assert.ok(statuses('/healthz', 'get').includes('503'));
  });

  it('describes the access rule of each operation', () => {
    assert.match(at('/api/books', 'post').description as string, /create rule `auth`/);
    assert.deepEqual(at('/api/books', 'get').security, [{}, { bearer: [] }, { cookie: [] }]);
    assert.deepEqual(at('/api/books', 'post').security, [{ bearer: [] }, { cookie: [] }]);
    assert.match(at('/api/order_items/{id}', 'get').description as string, /`qty > 0`/);
    assert.deepEqual(at('/healthz', 'get').security, []);
  });
});

/** Every schema in the document that is not a reference, a union or `{}` (any JSON value), without a `type`. */
function untyped(node: unknown, at: string, out: string[]): string[] {
  if (node === null || typeof node !== 'object') return out;
  const schema = node as Json;
  if (typeof schema.$ref === 'string') return out;
  const unions = ['anyOf', 'oneOf', 'allOf'].filter((k) => Array.isArray(schema[k]));
  for (const k of unions) {
    for (const [i, s] of (schema[k] as unknown[]).entries()) untyped(s, `${at}/${k}/${i}`, out);
  }
  const described = Object.keys(schema).filter((k) => !['description', 'title', 'default'].includes(k));
  if (unions.length === 0 && described.length > 0 && schema.type === undefined) out.push(at);
  for (const [name, s] of Object.entries((schema.properties ?? {}) as Json))
    untyped(s, `${at}/properties/${name}`, out);
  if (schema.items) untyped(schema.items, `${at}/items`, out);
  if (typeof schema.additionalProperties === 'object')
    untyped(schema.additionalProperties, `${at}/additionalProperties`, out);
  if (schema.propertyNames) untyped(schema.propertyNames, `${at}/propertyNames`, out);
  return out;
}

/** Every schema object in the document: components, parameters, bodies, responses and headers. */
function allSchemas(node: unknown, at: string, out: [string, unknown][]): [string, unknown][] {
  if (node === null || typeof node !== 'object') return out;
  for (const [key, value] of Object.entries(node)) {
    if (key === 'schema') out.push([`${at}/schema`, value]);
    else allSchemas(value, `${at}/${key}`, out);
  }
  return out;
}

describe('openApiDocument schemas', () => {
  it('types every schema and every union branch (generated clients read an untyped one as unknown)', () => {
    const problems: string[] = [];
    for (const [name, schema] of Object.entries(components.schemas))
      untyped(schema, `#/components/schemas/${name}`, problems);
    for (const [at, schema] of allSchemas(doc.paths, '#/paths', [])) untyped(schema, at, problems);
    for (const [at, schema] of allSchemas(components, '#/components', [])) untyped(schema, at, problems);
    assert.deepEqual([...new Set(problems)], []);
  });

  it('gives a date field typed branches, nullable as a branch of its own', () => {
    const release = (components.schemas.EventsRecord.properties as Record<string, Json>).day;
    assert.deepEqual(release, {
      anyOf: [{ type: 'string', format: 'date' }, { type: 'string', format: 'date-time' }, { type: 'null' }],
    });
    const required = (components.schemas.EventsRecord.properties as Record<string, Json>).starts;
    assert.deepEqual(required, {
      anyOf: [
        { type: 'string', format: 'date' },
        { type: 'string', format: 'date-time' },
      ],
    });
  });

  it('reads with fields= answer a Read: the whole record or any subset of it', () => {
    const read = components.schemas.BooksRead;
    assert.deepEqual(read.anyOf, [
      { $ref: '#/components/schemas/BooksRecord' },
      { $ref: '#/components/schemas/BooksFields' },
    ]);
    assert.equal(components.schemas.BooksFields.required, undefined);
    const page = components.schemas.BooksListPage.properties as Record<string, Json>;
    assert.deepEqual((page.items as Json).items, { $ref: '#/components/schemas/BooksRead' });
  });
});

describe('openApiDocument users', () => {
  it('takes password and oldPassword on PUT and PATCH of a user, never in a response', () => {
    for (const name of ['UsersInput', 'UsersPatch']) {
      const props = components.schemas[name].properties as Record<string, Json>;
      assert.equal(props.password.writeOnly, true, name);
      assert.equal(props.oldPassword.writeOnly, true, name);
      assert.match(props.oldPassword.description as string, /422/);
    }
    const record = components.schemas.UsersRecord;
    assert.equal((record.properties as Json).password, undefined);
    assert.ok(!(record.required as string[]).includes('email'), 'email is shown to the user and admins only');
    assert.ok(!Object.hasOwn(components.schemas.RegisterInput.properties as Json, 'oldPassword'));
    assert.ok(!Object.hasOwn(components.schemas.BooksInput.properties as Json, 'password'));
  });

  it('documents the 409 of a DELETE that a relation restricts', () => {
    assert.ok(statuses('/api/books/{id}', 'delete').includes('409'));
    assert.match(at('/api/books/{id}', 'delete').description as string, /restrict/);
  });
});
