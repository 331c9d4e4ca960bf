/**
 * Two apps ("nodes"), each with its own PostgresStore pool, on one schema:
 * concurrent checkouts of the last item sell it once, parallel PUTs with one
 * If-Match give exactly one success, a request with an Idempotency-Key in
 * flight on one node is a 409 on the other and its retry replays, and a
 * session made on one node works on the other until logout revokes it.
 * Runs when TEST_DATABASE_URL is set.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import pg from 'pg';
import type { UserConfig } from '../../src/config/types.js';
import { validateConfig } from '../../src/config/validate.js';
import { LocalFileStorage } from '../../src/files/local/local-storage.js';
import { createApp } from '../../src/http/app.js';
import type { HookContext } from '../../src/service/hooks.js';
import { PostgresStore } from '../../src/store/postgres/postgres-store.js';
import { json, PUBLIC_RULES } from '../harness.js';
import { assertProblem } from './helpers.js';

const url = process.env.TEST_DATABASE_URL;

/** Lets a test hold an order's transaction open (in its hook) while others arrive. */
let gate: Promise<void> | null = null;
let entered = () => {};

async function purchase(ctx: HookContext) {
  const order = ctx.record as Record<string, unknown>;
  const product = await ctx.tx.get('products', String(order.product));
  if (!product) return ctx.reject(422, 'No such product.');
  const quantity = Number(order.quantity);
  entered();
  if (gate) await gate;
  // Give the other node every chance to read the same stock.
  await new Promise((r) => setTimeout(r, 5));
  if (Number(product.stock) < quantity) return ctx.reject(409, `Only ${product.stock} left in stock.`);
  await ctx.tx.update('products', product.id, { stock: Number(product.stock) - quantity });
}

const CONFIG: UserConfig = {
  collections: {
    products: {
      fields: { name: { type: 'text', required: true }, stock: { type: 'integer' } },
      rules: PUBLIC_RULES,
    },
    orders: {
      fields: {
        product: { type: 'relation', collection: 'products', required: true },
        quantity: { type: 'integer', min: 1, required: true },
      },
      rules: PUBLIC_RULES,
    },
  },
  hooks: { orders: { beforeCreate: purchase } },
};

if (!url) {
  test('two nodes on one PostgreSQL database', {
    skip: 'set TEST_DATABASE_URL=postgres://… to run it',
  }, () => {});
} else {
  describe('two nodes on one PostgreSQL database', () => {
    const schema = `methodical_test_${randomBytes(6).toString('hex')}`;
    const dir = mkdtempSync(join(tmpdir(), 'methodical-pg-nodes-'));
    const nodes: { app: FastifyInstance; store: PostgresStore }[] = [];
    const node = (i: number) => nodes[i % nodes.length].app;

    before(async () => {
      const config = validateConfig(CONFIG, 'test.config.ts', dir);
      for (let i = 0; i < 2; i++) {
        const store = new PostgresStore({ url, collections: config.collections, schema, poolSize: 6 });
        await store.migrate(await store.planMigration());
        const app = createApp({ config, store, files: new LocalFileStorage(join(dir, 'files')) });
        await app.ready();
        nodes.push({ app, store });
      }
    });
    after(async () => {
      for (const { app, store } of nodes) {
        await app.close();
        await store.close();
      }
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await client.end();
      rmSync(dir, { recursive: true, force: true });
    });

    async function product(stock: number): Promise<string> {
      const res = await node(0).inject({
        method: 'POST',
        url: '/api/products',
        payload: { name: 'Lamp', stock },
      });
      assert.equal(res.statusCode, 201, res.body);
      return json(res).id as string;
    }

    test('concurrent checkouts of the last item on both nodes sell it once', async () => {
      const id = await product(1);
      const responses = await Promise.all(
        Array.from({ length: 8 }, (_, i) =>
          node(i).inject({ method: 'POST', url: '/api/orders', payload: { product: id, quantity: 1 } }),
        ),
      );
      const statuses = responses.map((r) => r.statusCode).sort();
      assert.deepEqual(
        statuses,
        [201, 409, 409, 409, 409, 409, 409, 409],
        responses.map((r) => r.body).join('\n'),
      );
      for (const r of responses.filter((x) => x.statusCode === 409)) {
        assertProblem(r, 409, { detail: /Only 0 left in stock/ });
      }
      const stock = await node(1).inject({ method: 'GET', url: `/api/products/${id}` });
      assert.equal(json(stock).stock, 0);
      const orders = await node(1).inject({
        method: 'GET',
        url: `/api/orders?filter=${encodeURIComponent(`product = "${id}"`)}`,
      });
      assert.equal(json(orders).totalItems, 1);
    });

    test('parallel PUTs with one If-Match across both nodes: exactly one 200, the rest 412', async () => {
      const id = await product(5);
      const current = await node(0).inject({ method: 'GET', url: `/api/products/${id}` });
      const etag = String(current.headers.etag);
      const responses = await Promise.all(
        Array.from({ length: 10 }, (_, i) =>
          node(i).inject({
            method: 'PUT',
            url: `/api/products/${id}`,
            headers: { 'if-match': etag },
            payload: { name: `Lamp ${i}`, stock: i },
          }),
        ),
      );
      const ok = responses.filter((r) => r.statusCode === 200);
      assert.equal(ok.length, 1, responses.map((r) => `${r.statusCode} ${r.body}`).join('\n'));
      for (const r of responses.filter((x) => x.statusCode !== 200)) assertProblem(r, 412);
      const stored = await node(1).inject({ method: 'GET', url: `/api/products/${id}` });
      assert.equal(json(stored).name, json(ok[0]).name);
      assert.equal(stored.headers.etag, ok[0].headers.etag);
    });

    test('a session made on one node works on the other, and logout on either revokes it on both', async () => {
      const email = `ann-${randomBytes(3).toString('hex')}@example.com`;
      const password = 'correct horse battery';
      const reg = await node(0).inject({
        method: 'POST',
        url: '/api/auth/register',
        payload: { email, password },
      });
      assert.equal(reg.statusCode, 201, reg.body);
      const login = await node(1).inject({
        method: 'POST',
        url: '/api/auth/login',
        payload: { email, password },
      });
      assert.equal(login.statusCode, 200, login.body);
      const auth = { authorization: `Bearer ${json(login).token as string}` };
      for (const i of [0, 1]) {
        const me = await node(i).inject({ method: 'GET', url: '/api/auth/me', headers: auth });
        assert.equal(me.statusCode, 200, me.body);
        assert.equal(json(me).email, email);
      }
      const out = await node(0).inject({ method: 'POST', url: '/api/auth/logout', headers: auth });
      assert.equal(out.statusCode, 204, out.body);
      for (const i of [0, 1]) {
        const me = await node(i).inject({ method: 'GET', url: '/api/auth/me', headers: auth });
        assertProblem(me, 401);
      }
    });

    test('an Idempotency-Key in flight on one node is a 409 on the other; the retry replays the one order', async () => {
      const id = await product(3);
      let open = () => {};
      gate = new Promise<void>((resolve) => {
        open = resolve;
      });
      const inHook = new Promise<void>((resolve) => {
        entered = resolve;
      });
      const order = { method: 'POST' as const, url: '/api/orders', payload: { product: id, quantity: 1 } };
      const key = { 'idempotency-key': `k-${randomBytes(4).toString('hex')}` };
      const first = node(0).inject({ ...order, headers: key });
      try {
        await inHook;
        const other = await node(1).inject({ ...order, headers: key });
        assertProblem(other, 409, { type: 'https://methodical.dev/problems/idempotency-key-in-use' });
        assert.match(String(other.headers['retry-after']), /^\d+$/);
      } finally {
        gate = null;
        entered = () => {};
        open();
      }
      const done = await first;
      assert.equal(done.statusCode, 201, done.body);
      const retry = await node(1).inject({ ...order, headers: key });
      assert.equal(retry.statusCode, 201, retry.body);
      assert.equal(retry.headers['idempotent-replayed'], 'true');
      assert.equal(retry.body, done.body);
      const stock = await node(0).inject({ method: 'GET', url: `/api/products/${id}` });
      assert.equal(json(stock).stock, 2, 'one order, one decrement');
    });
  });
}
