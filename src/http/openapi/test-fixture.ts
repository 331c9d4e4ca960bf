/** The shared fixture of the OpenAPI tests: a validated config, its document and lookup helpers. */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Config } from '../../config/types.js';
import { validateConfig } from '../../config/validate.js';
import { LocalFileStorage } from '../../files/local/local-storage.js';
import { compileSchema } from '../../schema/compile-schema.js';
import { SqliteStore } from '../../store/sqlite/sqlite-store.js';
import { createApp } from '../app.js';
import { registeredRoutes } from '../route-table.js';
import { openApiDocument } from './document.js';

export type Json = Record<string, unknown>;

/** A config with two collections, users, aliases and a custom idempotency TTL. */
export const BOOKS_CONFIG = {
  collections: {
    books: {
      fields: {
        title: { type: 'text', required: true, max: 200 },
        author: { type: 'text', required: true },
        year: { type: 'integer', min: 0 },
        isbn: { type: 'text', unique: true, pattern: '^[0-9-]{10,17}$' },
        genre: { type: 'select', values: ['fiction', 'science', 'history'] },
        cover: { type: 'file', maxSize: 2097152, accept: ['image/png', 'image/jpeg'] },
        tags: { type: 'json' },
        owner: { type: 'relation', collection: 'users' },
      },
      rules: { list: 'public', view: 'public', create: 'auth', update: 'owner', delete: 'owner' },
      requireIfMatch: true,
    },
    events: {
      fields: { day: { type: 'date' }, starts: { type: 'date', required: true } },
      rules: { list: 'public', view: 'public', create: 'public', update: 'public', delete: 'public' },
    },
    order_items: {
      fields: { qty: { type: 'integer', required: true }, paid: { type: 'boolean' } },
      rules: { list: 'auth', view: 'qty > 0', create: 'auth', update: 'admin', delete: 'nobody' },
      requireIdempotencyKey: true,
    },
  },
  routes: {
    'POST /add-book': 'POST /api/books',
    'PUT /edit-book/:bookId': 'PUT /api/books/:bookId',
    'GET /featured': 'GET /api/books/featured',
    'GET /c/:name': 'GET /api/:name',
  },
  idempotency: { ttl: 7200 },
};

/** The document of a validated config, from the routes an app built from it registers. */
export async function documentOf(config: Config, serverUrl?: string, version = '1.2.3'): Promise<Json> {
  const dir = mkdtempSync(join(tmpdir(), 'methodical-openapi-'));
  const store = new SqliteStore({
    path: ':memory:',
    collections: config.collections,
    durability: config.durability,
  });
  const app = createApp({ config, store, files: new LocalFileStorage(join(dir, 'files')) });
  try {
    await app.ready();
    return openApiDocument(config, compileSchema(config), {
      version,
      serverUrl,
      routes: registeredRoutes(app),
    });
  } finally {
    await app.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The document of a config (BOOKS_CONFIG by default). */
export function build(input: Json = BOOKS_CONFIG, serverUrl?: string): Promise<Json> {
  return documentOf(validateConfig(input, 'methodical.config.json', '/srv/app'), serverUrl);
}

/** The document of BOOKS_CONFIG and its parts. */
export const doc = await build();
export const paths = doc.paths as Record<string, Json>;
export const components = doc.components as Record<string, Record<string, Json>>;

/** The operation at `method path`, asserted present. */
export function at(path: string, method: string): Json {
  const op = paths[path]?.[method] as Json | undefined;
  assert.ok(op, `${method.toUpperCase()} ${path} is documented`);
  return op;
}

/** Follows a local `$ref` (JSON Pointer) to its target. */
export function resolve(ref: string): unknown {
  assert.ok(ref.startsWith('#/'), `${ref} is local`);
  let node: unknown = doc;
  for (const raw of ref.slice(2).split('/')) {
    const key = raw.replaceAll('~1', '/').replaceAll('~0', '~');
    assert.ok(node !== null && typeof node === 'object' && Object.hasOwn(node, key), `${ref} resolves`);
    node = (node as Json)[key];
  }
  return node;
}

/** The node itself, or what its `$ref` chain points to. */
export function deref(value: unknown): Json {
  const node = value as Json;
  return typeof node.$ref === 'string' ? deref(resolve(node.$ref)) : node;
}

/** Every `[path, method, operation]` of the document. */
export function operations(): [string, string, Json][] {
  const out: [string, string, Json][] = [];
  for (const [path, item] of Object.entries(paths)) {
    for (const method of ['get', 'head', 'post', 'put', 'patch', 'delete', 'options']) {
      if (item[method] !== undefined) out.push([path, method, item[method] as Json]);
    }
  }
  return out;
}

/** The response status keys of an operation. */
export function statuses(path: string, method: string): string[] {
  return Object.keys(at(path, method).responses as Json);
}
