/**
 * Config hooks: a purchase that checks and decrements stock inside the
 * order's transaction, with the price taken from the server; a rejection
 * leaves nothing changed; after-hooks run once the write has committed.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { HookContext } from '../../src/service/hooks.js';
import { json, PUBLIC_RULES, type TestApp, testApp } from '../harness.js';

const created: string[] = [];

async function purchase(ctx: HookContext) {
  const order = ctx.record as Record<string, unknown>;
  const product = await ctx.tx.get('products', String(order.product));
  if (!product) return ctx.reject(422, 'No such product.');
  const quantity = Number(order.quantity);
  if (Number(product.stock) < quantity) return ctx.reject(409, `Only ${product.stock} left in stock.`);
  await ctx.tx.update('products', product.id, { stock: Number(product.stock) - quantity });
  order.total = Number(product.price) * quantity;
}

describe('hooks', () => {
  let t: TestApp;
  let productId: string;

  before(async () => {
    t = await testApp({
      collections: {
        products: {
          fields: {
            name: { type: 'text', required: true },
            price: { type: 'number' },
            stock: { type: 'integer' },
          },
          rules: PUBLIC_RULES,
        },
        orders: {
          fields: {
            product: { type: 'relation', collection: 'products', required: true },
            quantity: { type: 'integer', min: 1, required: true },
            total: { type: 'number' },
          },
          rules: PUBLIC_RULES,
        },
      },
      hooks: {
        orders: {
          beforeCreate: purchase,
          afterCreate: (ctx: HookContext) => {
            created.push(String(ctx.record?.id));
          },
        },
      },
    });
    const res = await t.request({
      method: 'POST',
      url: '/api/products',
      payload: { name: 'Pen', price: 2.5, stock: 3 },
    });
    productId = json(res).id as string;
  });
  after(() => t.close());

  it('creates the order, decrements stock and prices it on the server, in one transaction', async () => {
    const res = await t.request({
      method: 'POST',
      url: '/api/orders',
      payload: { product: productId, quantity: 2, total: 0.01 },
    });
    assert.equal(res.statusCode, 201, res.body);
    assert.equal(json(res).total, 5);
    assert.equal((await t.store.get('products', productId))?.stock, 1);
    assert.deepEqual(created, [json(res).id]);
  });

  it('out of stock: 409 with the hook’s detail, and nothing changes', async () => {
    const res = await t.request({
      method: 'POST',
      url: '/api/orders',
      payload: { product: productId, quantity: 5 },
    });
    assert.equal(res.statusCode, 409);
    assert.equal(res.headers['content-type'], 'application/problem+json');
    assert.equal(json(res).detail, 'Only 1 left in stock.');
    assert.equal((await t.store.get('products', productId))?.stock, 1);
    const orders = await t.store.list('orders', {
      filter: null,
      sort: [],
      limit: 10,
      offset: 0,
      count: true,
    });
    assert.equal(orders.total, 1);
    assert.equal(created.length, 1);
  });

  it('a retried checkout with the same Idempotency-Key charges once', async () => {
    const request = {
      method: 'POST' as const,
      url: '/api/orders',
      headers: { 'idempotency-key': '"checkout-1"' },
      payload: { product: productId, quantity: 1 },
    };
    const first = await t.request(request);
    const again = await t.request(request);
    assert.equal(first.statusCode, 201);
    assert.equal(again.statusCode, 201);
    assert.equal(again.headers['idempotent-replayed'], 'true');
    assert.equal(again.body, first.body);
    assert.equal((await t.store.get('products', productId))?.stock, 0);
  });
});

describe('hooks in concurrent writes', () => {
  let t: TestApp;
  after(() => t?.close());

  it('a before-hook that writes, then refuses, undoes only its own write; the writes beside it commit', async () => {
    t = await testApp({
      collections: {
        products: { fields: { name: { type: 'text' }, stock: { type: 'integer' } }, rules: PUBLIC_RULES },
        orders: {
          fields: {
            product: { type: 'relation', collection: 'products', required: true },
            quantity: { type: 'integer', required: true },
          },
          rules: PUBLIC_RULES,
        },
      },
      hooks: {
        orders: {
          // Takes the stock first and refuses afterwards, so a refusal has a write of its own to undo.
          beforeCreate: async (ctx: HookContext) => {
            const order = ctx.record as Record<string, unknown>;
            const product = await ctx.tx.get('products', String(order.product));
            const left = Number(product?.stock) - Number(order.quantity);
            await ctx.tx.update('products', String(order.product), { stock: left });
            if (left < 0) ctx.reject(409, 'Not enough in stock.');
          },
        },
      },
    });
    const product = json(
      await t.request({ method: 'POST', url: '/api/products', payload: { name: 'Ink', stock: 10 } }),
    ).id as string;
    const quantities = [1, 2, 50, 3, 1];
    const responses = await Promise.all(
      quantities.map((quantity) =>
        t.request({ method: 'POST', url: '/api/orders', payload: { product, quantity } }),
      ),
    );
    assert.deepEqual(
      responses.map((r) => r.statusCode),
      [201, 201, 409, 201, 201],
    );
    assert.match(json(responses[2]).detail as string, /Not enough in stock/);
    assert.equal((await t.store.get('products', product))?.stock, 10 - 7);
    const orders = await t.store.list('orders', {
      filter: null,
      sort: [],
      limit: 100,
      offset: 0,
      count: true,
    });
    assert.equal(orders.total, 4);
    assert.deepEqual(orders.items.map((o) => o.quantity).sort(), [1, 1, 2, 3]);
  });
});
