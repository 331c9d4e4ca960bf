/**
 * The OpenAPI document is the route table: every method of every route the
 * app registers is documented, nothing documented is unregistered, and
 * OPTIONS and 405 answer the Allow list the document states.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { HTTPMethods } from 'fastify';
import { ROUTED_METHODS, registeredRoutes, routeFor, routesOf } from '../../src/http/route-table.js';
import { json, PUBLIC_RULES, type TestApp, testApp } from '../harness.js';

type Json = Record<string, unknown>;

const OPERATION_METHODS = ['get', 'head', 'post', 'put', 'patch', 'delete', 'options'] as const;

let t: TestApp;
let root: string;
let doc: Json;
let paths: Record<string, Json>;

before(async () => {
  root = mkdtempSync(join(tmpdir(), 'methodical-openapi-routes-'));
  const pub = join(root, 'public');
  mkdirSync(pub, { recursive: true });
  writeFileSync(join(pub, 'index.html'), '<!doctype html><h1>Shop</h1>');
  t = await testApp({
    collections: {
      books: {
        fields: {
          title: { type: 'text', required: true },
          cover: { type: 'file', accept: ['image/png'] },
          owner: { type: 'relation', collection: 'users' },
        },
        rules: PUBLIC_RULES,
      },
      reviews: { fields: { text: { type: 'text' } }, rules: PUBLIC_RULES },
    },
    routes: {
      'POST /add-book': 'POST /api/books',
      'PUT /edit-book/:id': 'PUT /api/books/:id',
      'DELETE /drop-book/:ref': 'DELETE /api/books/:ref',
      'GET /catalogue': 'GET /api/books',
      'GET /pages/:slug': () => ({ page: true }),
      'PUT /pages/:slug': () => ({ saved: true }),
      'POST /newsletter': () => ({ ok: true }),
      'GET /edit-book/:id': () => ({ form: true }),
    },
    public: pub,
  });
  const res = await t.request({ method: 'GET', url: '/api/openapi.json' });
  assert.equal(res.statusCode, 200);
  doc = json(res);
  paths = doc.paths as Record<string, Json>;
});
after(async () => {
  await t.close();
  rmSync(root, { recursive: true, force: true });
});

/** A concrete URL for a path template. */
function concrete(path: string): string {
  return path.replace(/\{collection\}/g, 'books').replace(/\{[^}]+\}/g, 'x1');
}

/** The methods a path item documents, upper case (HEAD with GET when it has none of its own). */
function documented(item: Json): Set<string> {
  const out = new Set<string>();
  for (const m of OPERATION_METHODS) if (item[m] !== undefined) out.add(m.toUpperCase());
  return out;
}

function allowDocumented(item: Json): string {
  const options = item.options as Json;
  const headers = ((options.responses as Json)[204] as Json).headers as Record<string, Json>;
  return ((headers.Allow.schema as Json).enum as string[])[0];
}

describe('the document and the route table', () => {
  test('every documented path and method is a registered route with its own handler', () => {
    const problems: string[] = [];
    for (const [path, item] of Object.entries(paths)) {
      const route = routeFor(t.app, concrete(path));
      if (!route) {
        problems.push(`${path}: documented, but no registered route serves it`);
        continue;
      }
      for (const method of documented(item)) {
        // An alias is rewritten to its target before routing: the target's route must take the method.
        const alias = (item[method.toLowerCase()] as Json)['x-alias-of'] as Json | undefined;
        const targetPath = alias && String(alias.path).replace(/:[A-Za-z_]+/g, 'x1');
        const target = targetPath ? routeFor(t.app, targetPath) : route;
        if (!target) problems.push(`${method} ${path}: alias of ${alias?.path}, which is not registered`);
        else if (!target.methods.includes(String(alias?.method ?? method))) {
          problems.push(`${method} ${path}: documented, ${target.url} has none`);
        }
      }
      const post = item.post as Json | undefined;
      if (post && !post['x-alias-of'] && (post['x-method-override'] === true) !== route.override) {
        problems.push(
          `POST ${path}: x-method-override says ${post['x-method-override']}, the route ${route.override}`,
        );
      }
    }
    assert.deepEqual(problems, []);
  });

  test('every registered route and method is documented', () => {
    const problems: string[] = [];
    const collections = Object.keys(t.config.collections);
    for (const route of registeredRoutes(t.app)) {
      const mine = Object.entries(paths).filter(([path]) => routeFor(t.app, concrete(path)) === route);
      if (mine.length === 0) problems.push(`${route.url}: registered, not documented`);
      if (route.url.startsWith('/api/:collection')) {
        const shape = route.url.replace('/api/:collection', '').replace(':id', '{id}');
        for (const name of collections) {
          if (!paths[`/api/${name}${shape}`])
            problems.push(`${route.url}: /api/${name}${shape} not documented`);
        }
      }
      for (const [path, item] of mine) {
        const methods = documented(item);
        for (const method of route.methods) {
          // A collection that takes no POST (users) documents none: its Allow says so too.
          if (method === 'POST' && allowDocumented(item).includes('POST') === false && !route.override)
            continue;
          if (!methods.has(method))
            problems.push(`${method} ${path}: registered (${route.url}), not documented`);
        }
      }
    }
    assert.deepEqual(problems, []);
  });

  test('Fastify routes nothing but the registered routes (and the public folder)', () => {
    const registered = new Set(registeredRoutes(t.app).map((r) => r.url));
    const stray = routesOf(t.app).filter((r) => !registered.has(r.url) && r.url !== '/*');
    assert.deepEqual(stray, []);
    for (const url of registered) {
      const methods = new Set(
        routesOf(t.app)
          .filter((r) => r.url === url)
          .map((r) => r.method),
      );
      assert.deepEqual([...methods].sort(), [...ROUTED_METHODS].sort(), `${url} routes every method`);
    }
    assert.ok(registered.has('/api/:collection/:id') && registered.has('/healthz'));
    assert.match(String((doc.info as Json).description), /`public` folder .* not listed here/);
    assert.ok(paths['/api/openapi.json'] && paths['/api/batch'] && paths['/api/auth/login']);
    assert.ok(paths['/api/files/{collection}/{id}/{field}/{filename}'] && paths['/pages/{slug}']);
  });

  test('users take no POST: not documented, not in Allow, 405', async () => {
    assert.equal(paths['/api/users'].post, undefined);
    assert.equal(allowDocumented(paths['/api/users']), 'GET, HEAD, OPTIONS');
    const options = await t.request({ method: 'OPTIONS', url: '/api/users' });
    assert.equal(options.statusCode, 204);
    assert.equal(options.headers.allow, 'GET, HEAD, OPTIONS');
    assert.equal(options.headers['accept-post'], undefined);
    const post = await t.request({ method: 'POST', url: '/api/users', payload: { email: 'a@example.com' } });
    assert.equal(post.statusCode, 405, post.body);
    assert.equal(post.headers.allow, 'GET, HEAD, OPTIONS');
    assert.equal(
      (await t.store.list('users', { filter: null, sort: [], limit: 10, offset: 0, count: false })).items
        .length,
      0,
    );
  });

  test('OPTIONS and every other method answer the Allow list the document states', async () => {
    const problems: string[] = [];
    for (const [path, item] of Object.entries(paths)) {
      const url = concrete(path);
      const allow = allowDocumented(item);
      const options = await t.request({ method: 'OPTIONS', url });
      if (options.statusCode !== 204 || options.headers.allow !== allow) {
        problems.push(
          `OPTIONS ${path}: ${options.statusCode} Allow ${options.headers.allow}, documented ${allow}`,
        );
      }
      for (const method of ROUTED_METHODS) {
        if (allow.split(', ').includes(method) || item[method.toLowerCase()] !== undefined) continue;
        const res = await t.request({ method: method as HTTPMethods, url });
        if (res.statusCode !== 405 || res.headers.allow !== allow) {
          problems.push(
            `${method} ${path}: ${res.statusCode} Allow ${res.headers.allow}, documented ${allow}`,
          );
        }
      }
    }
    assert.deepEqual(problems, []);
  });
});
