/** The admin page's sign-in: the form for anyone, no access for a non-admin, the screens for an admin. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  adminSuite,
  assertAccessible,
  assertFitsWidth,
  newPage,
  PHONE,
  pageProblems,
  screenshots,
  signIn,
} from './admin-site.js';

adminSuite('admin page: signing in', (s) => {
  test('anyone gets the sign-in form, served with the server’s own CSP and no script errors', async () => {
    const { context, page } = await newPage(s.browser);
    const response = await page.goto(`${s.site.origin}/_/`);
    assert.equal(response?.status(), 200);
    assert.match(response?.headers()['content-security-policy'] ?? '', /script-src 'self'/);
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    assert.ok(await page.getByLabel('Email').isVisible());
    assert.ok(await page.getByLabel('Password').isVisible());
    await assertAccessible(page, 'sign-in');
    await screenshots(page, 'sign-in');
    assert.deepEqual(pageProblems(page), []);
    await context.close();
  });

  test('a wrong password is told so, and nothing else opens', async () => {
    const admin = await s.site.account('admin', true);
    const { context, page } = await newPage(s.browser);
    await page.goto(`${s.site.origin}/_/`);
    await page.getByLabel('Email').fill(admin.email);
    await page.getByLabel('Password').fill('not the password at all');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').waitFor();
    assert.match((await page.getByRole('alert').textContent()) ?? '', /email or password/i);
    assert.equal(await page.locator('header .who').count(), 0);
    await context.close();
  });

  test('a non-admin who signs in is told they lack access', async () => {
    const reader = await s.site.account('reader');
    const { context, page } = await newPage(s.browser);
    await signIn(page, s.site, reader);
    await page.getByRole('heading', { name: 'No access' }).waitFor();
    assert.match((await page.locator('main').textContent()) ?? '', /not an administrator/);
    assert.equal(await page.getByRole('link', { name: 'Users' }).count(), 0);
    await assertAccessible(page, 'no access');
    await screenshots(page, 'no-access');
    await page.getByRole('button', { name: 'Sign out' }).first().click();
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    await context.close();
  });

  test('an admin sees every collection with its fields and record count', async () => {
    const admin = await s.site.account('admin', true);
    await s.site.create('authors', { name: 'Ursula' }, admin);
    await s.site.create('authors', { name: 'Frank' }, admin);
    const { context, page } = await newPage(s.browser);
    await signIn(page, s.site, admin);
    await page.getByRole('heading', { name: 'Collections' }).waitFor();
    for (const name of ['users', 'authors', 'books']) {
      assert.ok(await page.getByRole('link', { name, exact: true }).isVisible(), name);
    }
    await page.locator('[data-collection="authors"]').getByText('2 records').waitFor();
    assert.ok(await page.getByRole('cell', { name: 'attachments' }).isVisible());
    await assertAccessible(page, 'collections');
    await screenshots(page, 'collections');
    await page.setViewportSize(PHONE);
    await assertFitsWidth(page, 'the collections at 390 px');
    assert.deepEqual(pageProblems(page), []);
    await context.close();
  });
});

adminSuite('admin page: by keyboard and on a phone', (s) => {
  test('signing in and reaching every screen works with the keyboard alone', async () => {
    const admin = await s.site.account('keys', true);
    const { context, page } = await newPage(s.browser);
    await page.goto(`${s.site.origin}/_/`);
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    // Tab order from the top of the page: skip link, the header's links, then the form.
    let reached = '';
    for (let i = 0; i < 10 && reached !== 'email'; i++) {
      await page.keyboard.press('Tab');
      reached = await page.evaluate('document.activeElement?.getAttribute("name") ?? ""');
    }
    assert.equal(reached, 'email', 'Tab reaches the email field');
    await page.keyboard.type(admin.email);
    await page.keyboard.press('Tab');
    await page.keyboard.type(admin.password);
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Collections' }).waitFor();
    // The header's links are reachable and followed with Enter.
    await page.getByRole('navigation', { name: 'Admin' }).getByRole('link', { name: 'Users' }).focus();
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Users' }).waitFor();
    assert.equal(new URL(page.url()).hash, '#/users');
    await context.close();
  });

  test('on a 390 px wide phone the sign-in form and the header fit the window', async () => {
    const admin = await s.site.account('phone', true);
    const { context, page } = await newPage(s.browser, PHONE);
    await page.goto(`${s.site.origin}/_/`);
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    await assertFitsWidth(page, 'the sign-in form at 390 px');
    await signIn(page, s.site, admin);
    await page.getByRole('heading', { name: 'Collections' }).waitFor();
    await assertFitsWidth(page, 'the collections at 390 px');
    assert.ok(await page.getByRole('button', { name: 'Sign out' }).isVisible());
    await context.close();
  });
});
