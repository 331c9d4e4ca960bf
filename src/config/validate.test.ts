import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { validateConfig } from './validate.js';

const ADMIN_ONLY = { list: 'admin', view: 'admin', create: 'admin', update: 'admin', delete: 'admin' };
const SELF = 'id = @auth.id || @auth.admin = true';

describe('validateConfig defaults', () => {
  test('an empty config gets every default and the users collection', () => {
    const config = validateConfig({}, '<inline>', '/srv/app');
    assert.equal(config.file, '<inline>');
    assert.equal(config.dir, '/srv/app');
    assert.deepEqual(config.routes, []);
    assert.equal(config.publicDir, undefined);
    assert.equal(config.publicUrl, undefined);
    assert.equal(config.trustProxy, false);
    assert.deepEqual(config.cors, { origins: [] });
    assert.deepEqual(config.trustedOrigins, []);
    assert.deepEqual(config.idempotency, { ttlSeconds: 86400 });
    assert.deepEqual(config.limits, {
      json: 1048576,
      multipart: 268435456,
      parts: 100,
      fieldSize: 1048576,
      batch: 100,
      patchOperations: 100,
      filterTerms: 100,
      expand: 1000,
      response: 33554432,
      connections: 10000,
      url: 8192,
      headers: 16384,
    });
    assert.deepEqual(config.timeouts, { headers: 10, body: 20, bodyRate: 1024, idle: 72 });
    assert.equal(config.durability, 'full');
    assert.deepEqual(config.auth, {
      sessionTtlSeconds: 14 * 86400,
      loginThrottle: {
        perEmail: 10,
        perAddress: 50,
        windowSeconds: 600,
        perEmailTotal: 100,
        slowDownSeconds: 60,
      },
    });
    assert.deepEqual(Object.keys(config.collections), ['users']);
    assert.deepEqual(Object.keys(config.hooks), []);
  });

  test('timeouts take durations, durability takes full or normal', () => {
    const config = validateConfig(
      { timeouts: { headers: '5s', body: 3, bodyRate: 10, idle: '2m' }, durability: 'normal' },
      'c.json',
      '/',
    );
    assert.deepEqual(config.timeouts, { headers: 5, body: 3, bodyRate: 10, idle: 120 });
    assert.equal(config.durability, 'normal');
    assert.throws(
      () => validateConfig({ durability: 'fast' }, 'c.json', '/'),
      /durability.*"full" or "normal"/,
    );
    assert.throws(() => validateConfig({ timeouts: { body: 0 } }, 'c.json', '/'), /timeouts\.body/);
    assert.throws(() => validateConfig({ timeouts: { linger: 1 } }, 'c.json', '/'), /timeouts\.linger/);
    assert.throws(
      () => validateConfig({ limits: { patchOperations: -1 } }, 'c.json', '/'),
      /limits\.patchOperations/,
    );
  });

  test('users: built-in fields, auth flag and self-or-admin rules', () => {
    const { users } = validateConfig({}, 'c.json', '/').collections;
    assert.equal(users.auth, true);
    assert.deepEqual(
      { ...users.fields },
      {
        email: { type: 'email', required: true, unique: true },
        name: { type: 'text', max: 200 },
        admin: { type: 'boolean', default: false },
      },
    );
    assert.deepEqual(users.rules, {
      list: 'admin',
      view: SELF,
      update: SELF,
      delete: SELF,
      create: 'nobody',
    });
  });

  test('users: extra fields after the built-ins, rules overridable one by one', () => {
    const config = validateConfig(
      { collections: { users: { fields: { bio: { type: 'text' } }, rules: { list: 'auth' } } } },
      'c.json',
      '/',
    );
    const { users } = config.collections;
    assert.deepEqual(Object.keys(users.fields), ['email', 'name', 'admin', 'bio']);
    assert.equal(users.rules.list, 'auth');
    assert.equal(users.rules.view, SELF);
  });

  test('collections: rules default to admin, flags to false, users first then config order', () => {
    const config = validateConfig(
      { collections: { zebras: {}, apples: { requireIfMatch: true, rules: { list: 'public' } } } },
      'c.json',
      '/',
    );
    assert.deepEqual(Object.keys(config.collections), ['users', 'zebras', 'apples']);
    const { zebras, apples } = config.collections;
    assert.deepEqual(zebras.rules, ADMIN_ONLY);
    assert.equal(zebras.requireIfMatch, false);
    assert.equal(zebras.requireIdempotencyKey, false);
    assert.equal(zebras.auth, false);
    assert.equal(apples.requireIfMatch, true);
    assert.deepEqual(apples.rules, { ...ADMIN_ONLY, list: 'public' });
  });

  test('an owner rule adds an owner relation to users; a declared one is kept', () => {
    const config = validateConfig(
      {
        collections: {
          notes: { fields: { text: { type: 'text' } }, rules: { update: 'owner', view: 'owner = @auth.id' } },
          posts: {
            fields: { owner: { type: 'relation', collection: 'users', required: true } },
            rules: { delete: 'owner' },
          },
          tags: { rules: { list: 'public' } },
        },
      },
      'c.json',
      '/',
    );
    assert.deepEqual(Object.keys(config.collections.notes.fields), ['text', 'owner']);
    assert.deepEqual(config.collections.notes.fields.owner, { type: 'relation', collection: 'users' });
    assert.equal(config.collections.posts.fields.owner.required, true);
    assert.equal(config.collections.tags.fields.owner, undefined);
  });

  test('defaults are normalised by their field type', () => {
    const config = validateConfig(
      { collections: { e: { fields: { at: { type: 'date', default: '2024-01-01T00:00:00+01:00' } } } } },
      'c.json',
      '/',
    );
    assert.equal(config.collections.e.fields.at.default, '2023-12-31T23:00:00.000Z');
  });

  test('routes, durations, cors, publicUrl and the public folder', () => {
    const dir = mkdtempSync(join(tmpdir(), 'methodical-config-'));
    mkdirSync(join(dir, 'public'));
    const config = validateConfig(
      {
        collections: { books: {} },
        routes: { 'post /add-book': 'POST /api/books', 'PUT /edit-book/:id': 'put /api/books/:id' },
        public: './public',
        publicUrl: 'https://books.example',
        trustProxy: true,
        cors: { origins: ['https://a.example', 'http://localhost:5173', '*'] },
        trustedOrigins: ['http://localhost:5173'],
        idempotency: { ttl: '30m' },
        auth: {
          sessionTtl: '7d',
          loginThrottle: { window: '1h', perEmail: 3, perEmailTotal: 30, slowDown: '20s' },
        },
        limits: { batch: 10 },
      },
      join(dir, 'methodical.config.json'),
      dir,
    );
    assert.deepEqual(config.routes, [
      { method: 'POST', path: '/add-book', targetMethod: 'POST', targetPath: '/api/books' },
      { method: 'PUT', path: '/edit-book/:id', targetMethod: 'PUT', targetPath: '/api/books/:id' },
    ]);
    assert.equal(config.publicDir, join(dir, 'public'));
    assert.equal(config.publicUrl, 'https://books.example');
    assert.equal(config.trustProxy, true);
    assert.deepEqual(config.cors.origins, ['https://a.example', 'http://localhost:5173', '*']);
    assert.deepEqual(config.trustedOrigins, ['http://localhost:5173']);
    assert.equal(config.idempotency.ttlSeconds, 1800);
    assert.equal(config.auth.sessionTtlSeconds, 7 * 86400);
    assert.deepEqual(config.auth.loginThrottle, {
      perEmail: 3,
      perAddress: 50,
      windowSeconds: 3600,
      perEmailTotal: 30,
      slowDownSeconds: 20,
    });
    assert.equal(config.limits.batch, 10);
    assert.equal(config.limits.json, 1048576);
  });
});

describe('validateConfig: json-server compatibility', () => {
  test('ids, single and jsonServer: absent by default, kept when set', () => {
    const plain = validateConfig({ collections: { posts: {} } }, 'c.json', '/app');
    assert.equal(plain.jsonServer, false);
    assert.equal(plain.collections.posts.ids, undefined);
    assert.equal(plain.collections.posts.single, undefined);
    const compat = validateConfig(
      {
        jsonServer: true,
        collections: { posts: { ids: 'increment' }, profile: { single: true, ids: 'random' } },
      },
      'c.json',
      '/app',
    );
    assert.equal(compat.jsonServer, true);
    assert.equal(compat.collections.posts.ids, 'increment');
    assert.equal(compat.collections.profile.single, true);
    assert.equal(compat.collections.profile.ids, undefined, 'the default is left out');
  });
});

describe('validateConfig result', () => {
  const hook = () => undefined;
  const input = {
    collections: {
      books: {
        fields: {
          title: { type: 'text', required: true },
          tags: { type: 'select', values: ['a', 'b'], multiple: true, default: ['a'] },
        },
      },
    },
    hooks: { books: { beforeCreate: hook } },
  };
  const config = validateConfig(input, 'methodical.config.ts', '/');

  test('is deep-frozen, hook functions excepted', () => {
    assert.ok(Object.isFrozen(config));
    assert.ok(Object.isFrozen(config.collections));
    assert.ok(Object.isFrozen(config.collections.books.fields.tags.values));
    assert.ok(Object.isFrozen(config.collections.books.fields.tags.default));
    assert.ok(Object.isFrozen(config.collections.books.rules));
    assert.ok(Object.isFrozen(config.limits));
    assert.ok(Object.isFrozen(config.hooks.books));
    assert.equal(config.hooks.books.beforeCreate, hook);
    assert.equal(Object.isFrozen(hook), false);
  });

  test('shares nothing with the input', () => {
    assert.notEqual(config.collections.books.fields.title, input.collections.books.fields.title);
    assert.equal(Object.isFrozen(input.collections.books.fields.tags.values), false);
  });

  test('name-keyed maps have no prototype, so inherited names never look declared', () => {
    assert.equal(config.collections.books.fields.constructor, undefined);
    assert.equal(config.collections.toString, undefined);
    assert.equal(config.hooks.hasOwnProperty, undefined);
  });
});
