/**
 * EXAMPLE-APP.md scenarios 5 and 7 in a real browser: an admin creates a
 * product with fetch(), and a purchase checks and takes stock in one
 * transaction, at the server's prices, once per key.
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import type { Page } from 'playwright-core';
import {
  BOTH,
  context,
  describeExample,
  newAccount,
  pathOf,
  registerIn,
  screenshots,
  signIn,
} from './example-site.js';

describeExample('the example app: the shop', (s) => {
  async function shopper(js: boolean): Promise<Page> {
    const page = await (await context(s.browser, js)).newPage();
    await registerIn(page, s.site, newAccount('shopper'));
    return page;
  }

  /** A product of the given stock, made by an admin through the API. */
  async function product(name: string, stock: number, price = 7.5): Promise<string> {
    const admin = newAccount('admin');
    await s.site.createAdmin(admin);
    const page = await (await context(s.browser, true)).newPage();
    await signIn(page, s.site, admin);
    const res = await page.request.post(`${s.site.origin}/api/products`, {
      data: { name, price, category: 'gifts', stock },
    });
    assert.equal(res.status(), 201, await res.text());
    const id = (await res.json()).id as string;
    await page.context().close();
    return id;
  }

  it('5. an admin adds a product with fetch() POST /api/products: 201 + Location, and /shop lists it', async () => {
    const admin = newAccount('admin');
    await s.site.createAdmin(admin);
    const page = await (await context(s.browser, true)).newPage();
    await signIn(page, s.site, admin, '/shop');
    const created = await page.evaluate(async () => {
      const res = await fetch('/api/products', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ name: 'Bookmark, brass', price: 4.2, category: 'gifts', stock: 25 }),
      });
      return {
        status: res.status,
        location: res.headers.get('location'),
        body: (await res.json()) as { id: string },
      };
    });
    assert.equal(created.status, 201);
    assert.equal(created.location, `/api/products/${created.body.id}`);
    await page.reload();
    assert.match(
      (await page.locator('table.products').textContent()) ?? '',
      /Bookmark, brass[\s\S]*€4\.20[\s\S]*25/,
    );
    assert.equal(s.site.rows('products', 'id = ?', created.body.id)[0].stock, 25);

    // The admin's form does the same without JavaScript.
    const plain = await (await context(s.browser, false)).newPage();
    await signIn(plain, s.site, admin, '/shop');
    await plain.getByText('Add a product (admins)').click();
    await plain.getByLabel('Name').fill('Tote bag');
    await plain.getByLabel('Price (€)').fill('12');
    await plain.getByLabel('Stock').fill('5');
    await Promise.all([
      plain.waitForURL(`${s.site.origin}/shop`),
      plain.getByRole('button', { name: 'Add product' }).click(),
    ]);
    await plain.locator('table.products', { hasText: 'Tote bag' }).waitFor();
    assert.equal(s.site.rows('products', 'name = ?', 'Tote bag').length, 1);
    // A shopper may not.
    const other = await shopper(true);
    assert.equal(
      (await other.request.post(`${s.site.origin}/api/products`, { data: { name: 'x', price: 1 } })).status(),
      403,
    );
    for (const p of [page, plain, other]) await p.context().close();
  });

  for (const [how, js] of BOTH) {
    it(`7. a purchase ${how}: the order at the server's prices, stock taken in the same transaction`, async () => {
      const id = await product(`Candle ${js}`, 4, 7.5);
      const page = await shopper(js);
      await page.goto(`${s.site.origin}/shop`);
      await screenshots(page, `shop-${js ? 'js' : 'nojs'}`);
      await page.getByLabel(`Quantity of Candle ${js}`).fill('3');
      if (js) assert.equal(await page.locator('[data-total]').textContent(), '€22.50');
      await Promise.all([
        page.waitForURL(/\/orders\/[a-z0-9]{15}$/),
        page.getByRole('button', { name: 'Check out' }).click(),
      ]);
      assert.match((await page.locator('table.order').textContent()) ?? '', /€22\.50/);
      await screenshots(page, `order-${js ? 'js' : 'nojs'}`);
      const orderId = pathOf(page).split('/').pop();
      const [order] = s.site.rows('orders', 'id = ?', orderId);
      assert.equal(order.total, 22.5);
      assert.equal(s.site.rows('products', 'id = ?', id)[0].stock, 1);

      // Meanwhile the last one goes. Without JavaScript the page still shows stock and asks for more
      // than there is; with it, the page hears of the sale (GET /api/realtime) and shows it sold out.
      await page.goto(`${s.site.origin}/shop`);
      if (js) await page.locator('table.products[data-live-state="open"]').waitFor({ state: 'attached' });
      // A page that cannot hear (its stream refused): still showing stock when the sale happens.
      const deaf = js ? await shopper(true) : null;
      if (deaf) {
        await deaf.route('**/api/realtime**', (route) => route.abort());
        await deaf.goto(`${s.site.origin}/shop`);
      }
      const rival = await shopper(true);
      const sold = await rival.request.post(`${s.site.origin}/checkout`, {
        data: { items: [{ product: id, quantity: 1 }] },
      });
      assert.equal(sold.status(), 201);
      const quantity = page.getByLabel(`Quantity of Candle ${js}`);
      if (js) {
        await page
          .locator(`tr[data-product="${id}"] td.stock`, { hasText: 'sold out' })
          .waitFor({ timeout: 10_000 });
        assert.equal(await quantity.isDisabled(), true, 'the sold-out product cannot be chosen');
        // A client that did not hear of it (or a stale script) is refused all the same.
        const stale = await page.evaluate(async (product) => {
          const res = await fetch('/checkout', {
            method: 'POST',
            headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
            body: JSON.stringify({ items: [{ product, quantity: 1 }] }),
          });
          return { status: res.status, body: (await res.json()) as { detail: string } };
        }, id);
        assert.equal(stale.status, 409);
        assert.match(stale.body.detail, /^Out of stock/);
        // The page that did not hear of it asks for the candle and is told why not, on the form.
        if (deaf) {
          await deaf.getByLabel(`Quantity of Candle ${js}`).fill('1');
          await deaf.getByRole('button', { name: 'Check out' }).click();
          await deaf.locator('.form-error').waitFor();
          assert.match((await deaf.locator('.form-error').textContent()) ?? '', /^409: Out of stock/);
          await deaf.context().close();
        }
      } else {
        await quantity.fill('1');
        await page.getByRole('button', { name: 'Check out' }).click();
        await page.waitForLoadState();
        assert.match((await page.locator('main').textContent()) ?? '', /Error 409[\s\S]*Out of stock/);
      }
      assert.equal(s.site.rows('products', 'id = ?', id)[0].stock, 0, 'nothing changed');
      assert.equal(s.site.rows('orders', 'owner = ?', order.owner).length, 1, 'no second order');
      await page.context().close();
      await rival.context().close();
    });
  }

  it('7. prices come from the server, quantity must be at least 1, and a retried checkout charges once', async () => {
    const id = await product('Postcards', 10, 2);
    const page = await shopper(true);
    const checkout = (data: unknown, key?: string) =>
      page.request.post(`${s.site.origin}/checkout`, {
        data,
        headers: key ? { 'Idempotency-Key': key } : {},
      });
    const forged = await checkout({ items: [{ product: id, quantity: 2, price: 0.01 }], total: 0.02 }, 'k1');
    assert.equal(forged.status(), 201);
    assert.equal((await forged.json()).total, 4, 'the client price is ignored');
    const retried = await checkout({ items: [{ product: id, quantity: 2, price: 0.01 }], total: 0.02 }, 'k1');
    assert.equal(retried.headers()['idempotent-replayed'], 'true');
    assert.equal(s.site.rows('products', 'id = ?', id)[0].stock, 8, 'charged once');
    for (const quantity of [0, -10, 1.5]) {
      const res = await checkout({ items: [{ product: id, quantity }] });
      assert.equal(res.status(), 422, `quantity ${quantity}`);
    }
    assert.equal(s.site.rows('products', 'id = ?', id)[0].stock, 8, 'nothing taken by refused orders');
    const anonymous = await (await context(s.browser, true)).newPage();
    const refused = await anonymous.request.post(`${s.site.origin}/checkout`, {
      data: { items: [{ product: id, quantity: 1 }] },
    });
    assert.equal(refused.status(), 401);
    await anonymous.context().close();
    await page.context().close();
  });
});
