/**
 * PRODUCT.md, Config: what a before-hook leaves in `ctx.record` is validated
 * like the request's body (a 422 with field errors on an invalid value); a
 * hook that sets a field the collection does not declare fails the request
 * with a 500 whose log line names the hook and the field, never silently.
 * Nothing is written in either case. And the README's purchase: a quantity
 * below 1 is refused, never turned into more stock.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { HookContext } from '../../src/service/hooks.js';
import { json, PUBLIC_RULES, type TestApp, testApp } from '../harness.js';
import { assertProblem, create, stored } from './helpers.js';

/** What each hook does to the record, chosen by the record's `title` (create) or `note` (update). */
const MISCHIEF: Record<string, (record: Record<string, unknown>) => void> = {
  'bad year': (r) => {
    r.year = 'x';
  },
  'negative year': (r) => {
    r.year = -5;
  },
  'too long': (r) => {
    r.note = 'n'.repeat(50);
  },
  'bad relation': (r) => {
    r.shelf = 'no-such-shelf';
  },
  'set total': (r) => {
    r.total = 5;
  },
  'new id': (r) => {
    r.id = 'chosen';
  },
  'good change': (r) => {
    r.year = 2000;
  },
};

function mischief(ctx: HookContext) {
  const record = ctx.record as Record<string, unknown>;
  const what = ctx.operation === 'create' ? record.title : record.note;
  MISCHIEF[String(what)]?.(record);
}

describe('before-hooks: their changes are checked', () => {
  let t: TestApp;
  const lines: string[] = [];
  before(async () => {
    t = await testApp(
      {
        collections: {
          shelves: { fields: { name: { type: 'text' } }, rules: PUBLIC_RULES },
          books: {
            fields: {
              title: { type: 'text', required: true },
              year: { type: 'integer', min: 0 },
              note: { type: 'text', max: 20 },
              shelf: { type: 'relation', collection: 'shelves' },
            },
            rules: PUBLIC_RULES,
          },
        },
        hooks: { books: { beforeCreate: mischief, beforeUpdate: mischief } },
      },
      { logger: { level: 'error', stream: { write: (line: string) => lines.push(line) } } },
    );
  });
  after(() => t.close());

  /** [what the hook does, the field in the 422, the code] */
  const INVALID: [string, string, string][] = [
    ['bad year', 'year', 'type'],
    ['negative year', 'year', 'min'],
    ['too long', 'note', 'max'],
    ['bad relation', 'shelf', 'relation'],
  ];
  for (const [what, field, code] of INVALID) {
    test(`create: a hook's invalid value (${what}) is a 422 naming ${field}; nothing stored`, async () => {
      const before = await stored(t, 'books');
      const res = await t.request({ method: 'POST', url: '/api/books', payload: { title: what } });
      const body = assertProblem(res, 422, { detail: new RegExp(field) });
      const errors = body.errors as { field: string; code: string }[];
      assert.deepEqual(
        errors.map((e) => [e.field, e.code]),
        [[field, code]],
      );
      assert.deepEqual(await stored(t, 'books'), before);
    });

    test(`update: a hook's invalid value (${what}) is a 422 naming ${field}; the record is unchanged`, async () => {
      const book = await create(t, 'books', { title: 'Fine', year: 1 });
      const before = await t.store.get('books', book.id);
      const res = await t.request({ method: 'PATCH', url: `/api/books/${book.id}`, payload: { note: what } });
      const body = assertProblem(res, 422);
      assert.deepEqual(
        (body.errors as { field: string; code: string }[]).map((e) => [e.field, e.code]),
        [[field, code]],
      );
      assert.deepEqual(await t.store.get('books', book.id), before);
    });
  }

  /** [what, operation, the field named, how the log line says it] */
  const UNDECLARED: [string, 'create' | 'update', string, RegExp][] = [
    [
      'set total',
      'create',
      'total',
      /hooks\.books\.beforeCreate set \\"total\\", which books does not declare/,
    ],
    [
      'set total',
      'update',
      'total',
      /hooks\.books\.beforeUpdate set \\"total\\", which books does not declare/,
    ],
    ['new id', 'create', 'id', /hooks\.books\.beforeCreate changed \\"id\\"/],
    ['new id', 'update', 'id', /hooks\.books\.beforeUpdate changed \\"id\\"/],
  ];
  for (const [what, operation, field, logged] of UNDECLARED) {
    test(`${operation}: a hook that sets "${field}" fails with a 500 whose log names the hook and field`, async () => {
      const book = operation === 'update' ? await create(t, 'books', { title: 'Target' }) : null;
      const before = await stored(t, 'books');
      lines.length = 0;
      const res =
        book === null
          ? await t.request({ method: 'POST', url: '/api/books', payload: { title: what } })
          : await t.request({ method: 'PATCH', url: `/api/books/${book.id}`, payload: { note: what } });
      const body = assertProblem(res, 500, { title: 'Internal Server Error' });
      const id = body.errorId as string;
      assert.match(id, /^[0-9a-f-]{36}$/);
      assert.doesNotMatch(res.body, /hooks\.books|total/, 'the client is told only the error id');
      const line = lines.find((l) => l.includes(id));
      assert.ok(line, `the error id is logged: ${lines.join('')}`);
      assert.match(line, logged);
      assert.equal(
        JSON.parse(line).err.hook,
        `hooks.books.${operation === 'create' ? 'beforeCreate' : 'beforeUpdate'}`,
      );
      assert.equal(JSON.parse(line).err.field, field);
      assert.deepEqual(await stored(t, 'books'), before, 'nothing written');
      assert.equal(await t.store.get('books', 'chosen'), undefined);
    });
  }

  test('a valid change by a hook is stored, on create and update', async () => {
    const res = await t.request({
      method: 'POST',
      url: '/api/books',
      payload: { title: 'good change', year: 1 },
    });
    assert.equal(res.statusCode, 201, res.body);
    assert.equal(json(res).year, 2000);
    const book = await create(t, 'books', { title: 'Plain', year: 1 });
    const patched = await t.request({
      method: 'PATCH',
      url: `/api/books/${book.id}`,
      payload: { note: 'good change' },
    });
    assert.equal(patched.statusCode, 200, patched.body);
    assert.equal((await t.store.get('books', book.id))?.year, 2000);
  });
});

/** The README's purchase, as written there: quantity declared with min 1, and checked by the hook too. */
async function purchase(ctx: HookContext) {
  const order = ctx.record as { product: string; quantity: number; total?: number };
  if (!Number.isInteger(order.quantity) || order.quantity < 1) {
    return ctx.reject(422, 'quantity must be a whole number of at least 1.');
  }
  const product = await ctx.tx.get('products', order.product);
  if (!product) return ctx.reject(422, 'No such product.');
  if ((product.stock as number) < order.quantity) return ctx.reject(409, 'Out of stock.');
  await ctx.tx.update('products', product.id, { stock: (product.stock as number) - order.quantity });
  order.total = (product.price as number) * order.quantity;
}

describe("the README's purchase: a quantity below 1 never raises stock", () => {
  let t: TestApp;
  before(async () => {
    t = await testApp({
      collections: {
        products: {
          fields: { name: { type: 'text' }, price: { type: 'number' }, stock: { type: 'integer', min: 0 } },
          rules: PUBLIC_RULES,
        },
        orders: {
          fields: {
            product: { type: 'relation', collection: 'products', required: true },
            quantity: { type: 'integer', required: true, min: 1 },
            total: { type: 'number' },
          },
          rules: PUBLIC_RULES,
        },
      },
      hooks: { orders: { beforeCreate: purchase } },
    });
  });
  after(() => t.close());

  for (const quantity of [-10, 0, 1.5, '3']) {
    test(`quantity ${JSON.stringify(quantity)}: 422, stock and orders unchanged`, async () => {
      const product = await create(t, 'products', { name: 'Pen', price: 2, stock: 3 });
      const res = await t.request({
        method: 'POST',
        url: '/api/orders',
        payload: { product: product.id, quantity },
      });
      assertProblem(res, 422);
      assert.equal((await t.store.get('products', product.id))?.stock, 3);
      assert.deepEqual(await stored(t, 'orders'), []);
    });
  }

  test('quantity 2: the order is priced and the stock taken', async () => {
    const product = await create(t, 'products', { name: 'Ink', price: 2.5, stock: 3 });
    const res = await t.request({
      method: 'POST',
      url: '/api/orders',
      payload: { product: product.id, quantity: 2 },
    });
    assert.equal(res.statusCode, 201, res.body);
    assert.equal(json(res).total, 5);
    assert.equal((await t.store.get('products', product.id))?.stock, 1);
  });
});
