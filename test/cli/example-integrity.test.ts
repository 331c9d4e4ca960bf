/**
 * The example app (examples/methodical.config.ts) served as a user would,
 * through its API without a browser: deleting a book deletes its reviews
 * (the reviews' `onDelete: "cascade"`, no hook), and a checkout with a
 * quantity below 1 is refused without touching the stock.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { killServers, request, run, type Server, SLOW, serve, tempDir } from './helpers.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const CONFIG = join(ROOT, 'examples', 'methodical.config.ts');

describe('the example app: data integrity', SLOW, () => {
  const tmp = tempDir('methodical-example-integrity-');
  const data = join(tmp.dir, 'data');
  let server: Server;
  let auth: Record<string, string>;
  const rows = (sql: string, ...params: unknown[]) => {
    const db = new Database(join(data, 'methodical.db'), { readonly: true });
    try {
      return db.prepare(sql).all(...params) as Record<string, unknown>[];
    } finally {
      db.close();
    }
  };

  before(async () => {
    server = await serve(['--config', CONFIG, '--data', data, '--port', '0'], { cwd: ROOT });
    const email = 'integrity-admin@example.com';
    const password = 'a long enough passphrase';
    const made = await run(
      [
        'user',
        'create',
        '--config',
        CONFIG,
        '--data',
        data,
        '--email',
        email,
        '--password',
        password,
        '--admin',
      ],
      { cwd: ROOT },
    );
    assert.equal(made.code, 0, made.stderr);
    const login = await request(`${server.url}/api/auth/login`, {
      method: 'POST',
      body: { email, password },
    });
    assert.equal(login.status, 200, login.text);
    auth = { authorization: `Bearer ${login.body?.token as string}` };
  });
  after(async () => {
    await server?.stop();
    killServers();
    tmp.remove();
  });

  test('deleting a book deletes its reviews, in the same transaction', async () => {
    const book = await request(`${server.url}/api/books`, {
      method: 'POST',
      headers: auth,
      body: { title: 'Reviewed', author: 'A. Writer' },
    });
    assert.equal(book.status, 201, book.text);
    const id = book.body?.id as string;
    for (const rating of [4, 2]) {
      const review = await request(`${server.url}/api/reviews`, {
        method: 'POST',
        headers: auth,
        body: { book: id, rating },
      });
      assert.equal(review.status, 201, review.text);
    }
    assert.equal(rows('SELECT id FROM reviews WHERE book = ?', id).length, 2);
    const deleted = await request(`${server.url}/api/books/${id}`, { method: 'DELETE', headers: auth });
    assert.equal(deleted.status, 204, deleted.text);
    assert.deepEqual(rows('SELECT id FROM books WHERE id = ?', id), []);
    assert.deepEqual(rows('SELECT id FROM reviews WHERE book = ?', id), [], 'no review points at nothing');
  });

  test('a checkout of -10 (or 0) is a 422 and the stock stays; 2 takes 2', async () => {
    const product = await request(`${server.url}/api/products`, {
      method: 'POST',
      headers: auth,
      body: { name: 'Integrity pen', price: 2, category: 'gifts', stock: 5 },
    });
    assert.equal(product.status, 201, product.text);
    const id = product.body?.id as string;
    const stock = () => rows('SELECT stock FROM products WHERE id = ?', id)[0].stock;
    const orders = () => rows('SELECT id FROM orders').length;
    const before = orders();
    for (const [url, quantity] of [
      ['/checkout', -10],
      ['/api/orders', -10],
      ['/checkout', 0],
    ] as const) {
      const res = await request(`${server.url}${url}`, {
        method: 'POST',
        headers: auth,
        body: { items: [{ product: id, quantity }] },
      });
      assert.equal(res.status, 422, `${url} ${quantity}: ${res.text}`);
      assert.match(String(res.body?.detail), /quantity/);
      assert.equal(stock(), 5);
    }
    assert.equal(orders(), before, 'no order stored');
    const ok = await request(`${server.url}/checkout`, {
      method: 'POST',
      headers: auth,
      body: { items: [{ product: id, quantity: 2 }] },
    });
    assert.equal(ok.status, 201, ok.text);
    assert.equal(stock(), 3);
  });
});
