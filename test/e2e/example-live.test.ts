/**
 * The shop's stock, live: with JavaScript, /shop follows the products topic
 * of GET /api/realtime with the browser's own EventSource, so a purchase by
 * another shopper or an admin's edit shows without a reload; without
 * JavaScript the page is as before.
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import type { Page } from 'playwright-core';
import { context, describeExample, newAccount, registerIn, screenshots, signIn } from './example-site.js';

describeExample('the example app: live stock on /shop', (s) => {
  /** The stock cell's text of the product named `name`. */
  const stockOf = (page: Page, name: string) =>
    page.locator('tr', { has: page.getByRole('rowheader', { name }) }).locator('td.stock');

  async function waitForText(page: Page, name: string, text: string): Promise<void> {
    const cell = stockOf(page, name);
    const deadline = Date.now() + 10_000;
    for (;;) {
      const now = (await cell.textContent())?.trim();
      if (now === text) return;
      if (Date.now() > deadline) assert.fail(`the stock of ${name} stayed "${now}", not "${text}"`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** The page's EventSource is open (app.js marks the table). */
  async function streamOpen(page: Page): Promise<void> {
    await page.locator('table.products[data-live-state="open"]').waitFor({ state: 'attached' });
  }

  it('a purchase and an admin edit elsewhere change the stock shown, without reload; no JS: as before', async () => {
    const admin = newAccount('admin');
    await s.site.createAdmin(admin);
    const adminPage = await (await context(s.browser, true)).newPage();
    await signIn(adminPage, s.site, admin);
    const created = await adminPage.request.post(`${s.site.origin}/api/products`, {
      data: { name: 'Lamp, live', price: 20, category: 'gifts', stock: 5 },
    });
    assert.equal(created.status(), 201, await created.text());
    const id = (await created.json()).id as string;

    // The watcher: a signed-in shopper on /shop, with a quantity input per product.
    const watcher = await (await context(s.browser, true)).newPage();
    const problems: string[] = [];
    watcher.on('console', (m) => {
      if (m.type() === 'error') problems.push(m.text());
    });
    watcher.on('pageerror', (e) => problems.push(String(e)));
    await registerIn(watcher, s.site, newAccount('watcher'));
    // A sale between the page's rendering and the stream's start is in neither: the page reads once more.
    let held = false;
    await watcher.route('**/api/realtime?*', async (route) => {
      if (!held) {
        held = true;
        const early = await adminPage.request.patch(`${s.site.origin}/api/products/${id}`, {
          data: { stock: 4 },
        });
        assert.equal(early.status(), 200);
      }
      await route.continue();
    });
    const opened = watcher.waitForResponse((r) => r.url().includes('/api/realtime?topics=products'));
    await watcher.goto(`${s.site.origin}/shop`);
    const stream = await opened;
    assert.equal(stream.status(), 200);
    assert.match((await stream.allHeaders())['content-type'] ?? '', /^text\/event-stream/);
    await streamOpen(watcher);
    assert.ok(held);
    await waitForText(watcher, 'Lamp, live', '4');
    // A marker that a reload would wipe.
    await watcher.evaluate(() => {
      (globalThis as unknown as { stayed: boolean }).stayed = true;
    });

    // Another shopper buys 2 (the checkout's transaction takes the stock).
    const buyer = await (await context(s.browser, true)).newPage();
    await registerIn(buyer, s.site, newAccount('buyer'));
    const bought = await buyer.request.post(`${s.site.origin}/checkout`, {
      data: { items: [{ product: id, quantity: 2 }] },
    });
    assert.equal(bought.status(), 201, await bought.text());
    await waitForText(watcher, 'Lamp, live', '2');
    assert.equal(await watcher.getByLabel('Quantity of Lamp, live').getAttribute('max'), '2');
    assert.match((await watcher.locator('[data-live-status]').textContent()) ?? '', /Lamp, live: 2 in stock/);
    await screenshots(watcher, 'shop-live-stock');

    // An admin's PATCH through the API: sold out, the quantity input disabled, the price too.
    const patched = await adminPage.request.patch(`${s.site.origin}/api/products/${id}`, {
      data: { stock: 0, price: 22 },
    });
    assert.equal(patched.status(), 200, await patched.text());
    await waitForText(watcher, 'Lamp, live', 'sold out');
    assert.equal(await watcher.getByLabel('Quantity of Lamp, live').isDisabled(), true);
    const row = watcher.locator(`tr[data-product="${id}"]`);
    assert.equal((await row.locator('td.price').textContent())?.trim(), '€22.00');
    assert.equal(await row.getAttribute('data-price'), '22');
    await screenshots(watcher, 'shop-live-sold-out');
    assert.equal(
      await watcher.evaluate(() => (globalThis as unknown as { stayed?: boolean }).stayed),
      true,
      'the page was not reloaded',
    );
    assert.equal(s.site.rows('products', 'id = ?', id)[0].stock, 0);
    assert.deepEqual(problems, [], 'no script error or CSP refusal');

    // Without JavaScript: the same page, the server's figures, no stream.
    const plain = await (await context(s.browser, false)).newPage();
    const streams: string[] = [];
    plain.on('request', (r) => {
      if (r.url().includes('/api/realtime')) streams.push(r.url());
    });
    await plain.goto(`${s.site.origin}/shop`);
    assert.equal((await stockOf(plain, 'Lamp, live').textContent())?.trim(), 'sold out');
    assert.deepEqual(streams, []);
    for (const p of [adminPage, watcher, buyer, plain]) await p.context().close();
  });
});
