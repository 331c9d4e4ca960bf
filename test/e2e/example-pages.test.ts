/**
 * Every page of the example app, as a visitor and as a member, at desktop
 * and phone width: reachable from `/`, styled, free of console errors (so
 * nothing breaks our own CSP), never wider than a phone, and each form a
 * plain HTML form carrying a fresh `_idempotency_key` per view.
 */
import assert from 'node:assert/strict';
import { before, it } from 'node:test';
import type { Page } from 'playwright-core';
import { context, describeExample, newAccount, PHONE, registerIn, screenshots } from './example-site.js';

const PAGES = [
  '/',
  '/newsletter',
  '/register',
  '/login',
  '/upload',
  '/books',
  '/add-book',
  '/shop',
  '/workouts',
];

describeExample('the example app: every page', (s) => {
  let book: string;
  before(() => {
    book = s.site.rows('books')[0].id as string;
  });

  /** Visit a page, failing on console errors and on anything wider than the viewport. */
  async function visit(page: Page, path: string): Promise<void> {
    const errors: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    page.on('pageerror', (e) => errors.push(e.message));
    const res = await page.goto(`${s.site.origin}${path}`);
    assert.equal(res?.status(), 200, path);
    assert.match(res?.headers()['content-type'] ?? '', /^text\/html/);
    assert.match((await page.title()) ?? '', /· Methodical bookshop$/);
    assert.deepEqual(errors, [], `${path}: no console errors (CSP violations show here)`);
  }

  it('the first start made sample data: at least three books and three products with stock', () => {
    assert.ok(s.site.rows('books').length >= 3);
    const stocked = s.site.rows('products', 'stock > 0');
    assert.ok(stocked.length >= 3, `${stocked.length} products with stock`);
  });

  it('every page is linked from / and answers HTML, for a visitor', async () => {
    const page = await (await context(s.browser, true)).newPage();
    await visit(page, '/');
    const links = new Set(await page.$$eval('a', (as) => as.map((a) => a.getAttribute('href') ?? '')));
    for (const path of PAGES) assert.ok(links.has(path) || path === '/', `/ links to ${path}`);
    for (const path of [...PAGES, `/books/${book}`]) await visit(page, path);
    await page.context().close();
  });

  it('as a visitor and as a member, at desktop and phone width: styled, no sideways scrolling, screenshots kept', async () => {
    for (const member of [false, true]) {
      const page = await (await context(s.browser, true)).newPage();
      if (member) await registerIn(page, s.site, newAccount('visitor'));
      for (const path of [...PAGES, `/books/${book}`, `/edit-book/${book}`]) {
        if (!member && path.startsWith('/edit-book')) continue;
        const res = await page.goto(`${s.site.origin}${path}`);
        // A member may not edit a sample book: its page says so with a 403.
        if (path.startsWith('/edit-book')) {
          assert.equal(res?.status(), 403);
          continue;
        }
        const font = String(await page.evaluate('getComputedStyle(document.body).fontFamily'));
        assert.match(font, /system-ui/, `${path}: the stylesheet applies`);
        await page.setViewportSize(PHONE);
        const overflow = Number(
          await page.evaluate('document.documentElement.scrollWidth - window.innerWidth'),
        );
        assert.ok(overflow <= 0, `${path} is ${overflow}px wider than a phone`);
        const name = `${path === '/' ? 'home' : path.slice(1).replaceAll('/', '-')}${member ? '-member' : ''}`;
        await screenshots(page, name.replace(/-[a-z0-9]{15}/, ''));
      }
      await page.context().close();
    }
  });

  it('every POST form is plain HTML with a fresh key per view, and such a page is never cached', async () => {
    const page = await (await context(s.browser, false)).newPage();
    await registerIn(page, s.site, newAccount('keys'));
    for (const path of [
      '/newsletter',
      '/register',
      '/upload',
      '/add-book',
      '/shop',
      '/workouts',
      `/books/${book}`,
    ]) {
      if (path === '/register') continue; // A member is sent on from /register.
      const keys = async () => {
        const res = await page.goto(`${s.site.origin}${path}`);
        assert.equal(res?.headers()['cache-control'], 'no-store', `${path} carries keys`);
        return page.$$eval('form[method="post"] input[name="_idempotency_key"]', (inputs) =>
          inputs.map((i) => i.getAttribute('value') ?? ''),
        );
      };
      const first = await keys();
      const second = await keys();
      assert.ok(first.length > 0, `${path} has a keyed form`);
      const posts = await page.$$eval('form[method="post"]', (forms) => forms.length);
      assert.equal(first.length, posts, `${path}: every POST form carries a key`);
      for (const key of first) assert.ok(!second.includes(key), `${path}: a fresh key on every view`);
    }
    await page.context().close();
  });

  it('a missing page and a forbidden one are pages a person understands, with the status shown', async () => {
    const page = await (await context(s.browser, false)).newPage();
    const missing = await page.goto(`${s.site.origin}/books/no-such-book`);
    assert.equal(missing?.status(), 404);
    assert.match((await page.locator('main').textContent()) ?? '', /Error 404[\s\S]*Nothing here/);
    await screenshots(page, 'error-404');
    const anonymous = await page.goto(`${s.site.origin}/api/workouts`, { waitUntil: 'load' });
    assert.equal(anonymous?.status(), 401);
    assert.equal(await page.getByRole('link', { name: 'Sign in' }).first().getAttribute('href'), '/login');
    await screenshots(page, 'error-401');
    const favicon = await page.request.get(`${s.site.origin}/favicon.svg`);
    assert.equal(favicon.status(), 200);
    assert.match(favicon.headers()['content-type'], /image\/svg\+xml/);
    await page.context().close();
  });
});
