/**
 * The admin page's users: the list with a search by email, a new user (an
 * admin too), granting and taking away admin (If-Match: a change made
 * meanwhile is reported, not overwritten), and signing a user out
 * everywhere (their bearer token is 401 afterwards, their sessions gone).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Page } from 'playwright-core';
import { tokenHash } from '../../../src/service/sessions.js';
import {
  type Account,
  type AdminSite,
  adminSuite,
  assertAccessible,
  assertFitsWidth,
  newPage,
  PHONE,
  pageProblems,
  screenshots,
  signIn,
  startAdminSite,
} from './admin-site.js';

async function bearerToken(site: AdminSite, who: Account): Promise<string> {
  const res = await site.t.request({
    method: 'POST',
    url: '/api/auth/login',
    payload: { email: who.email, password: who.password },
  });
  assert.equal(res.statusCode, 200, res.body);
  return JSON.parse(res.body).token as string;
}

async function meStatus(site: AdminSite, token: string): Promise<number> {
  const res = await fetch(`${site.origin}/api/auth/me`, { headers: { authorization: `Bearer ${token}` } });
  return res.status;
}

/** The users screen, signed in as `admin`, with the list loaded. */
async function usersScreen(page: Page, site: AdminSite, admin: Account): Promise<void> {
  await signIn(page, site, admin, '#/users');
  await page.getByRole('heading', { name: 'Users' }).waitFor();
  await page.locator('table.users tbody tr').first().waitFor();
}

const row = (page: Page, email: string) => page.locator(`tr[data-user="${email}"]`);

adminSuite('admin page: users', (s) => {
  test('lists users with email, name, admin and created; the search narrows by email', async () => {
    const admin = await s.site.account('boss', true);
    const reader = await s.site.account('reader');
    const { context, page } = await newPage(s.browser);
    await usersScreen(page, s.site, admin);
    for (const header of ['Email', 'Name', 'Admin', 'Created']) {
      assert.ok(await page.getByRole('columnheader', { name: header }).isVisible(), header);
    }
    assert.equal(await row(page, admin.email).getByRole('cell').nth(2).textContent(), 'Yes');
    assert.equal(await row(page, reader.email).getByRole('cell').nth(2).textContent(), 'No');
    assert.ok(await page.getByRole('button', { name: `Grant admin to ${reader.email}` }).isVisible());
    assert.ok(await page.getByRole('button', { name: `Take away admin from ${admin.email}` }).isVisible());
    assert.ok(await page.getByRole('button', { name: `Sign out everywhere: ${reader.email}` }).isVisible());
    const edit = page.getByRole('link', { name: `Edit ${reader.email}` });
    assert.equal(await edit.getAttribute('href'), `#/collections/users/${reader.id}`);
    await assertAccessible(page, 'users');
    await screenshots(page, 'users');

    await page.getByLabel('Search by email').fill(reader.email.split('@')[0].toUpperCase());
    await page.getByRole('button', { name: 'Search' }).click();
    await row(page, admin.email).waitFor({ state: 'detached' });
    assert.equal(await page.locator('table.users tbody tr').count(), 1);
    assert.ok(await row(page, reader.email).isVisible());
    assert.match(page.url(), /#\/users\?q=/);

    await page.setViewportSize(PHONE);
    await assertFitsWidth(page, 'the users at 390 px');
    await assertAccessible(page, 'users at phone width');
    assert.deepEqual(pageProblems(page), []);
    await context.close();
  });

  test('pages of 20: Next page and Previous page, kept in the address', async () => {
    // A site of its own: 21 more users would push the other tests' users to page 2.
    const site = await startAdminSite();
    try {
      const admin = await site.account('boss', true);
      await Promise.all(Array.from({ length: 21 }, () => site.account('pager')));
      const { context, page } = await newPage(s.browser);
      await signIn(page, site, admin, '#/users?q=pager');
      await page.getByText('Page 1 of 2 · 21 users').waitFor();
      assert.equal(await page.locator('table.users tbody tr').count(), 20);
      assert.equal(await page.getByRole('button', { name: 'Previous page' }).isDisabled(), true);
      await page.getByRole('button', { name: 'Next page' }).click();
      await page.getByText('Page 2 of 2 · 21 users').waitFor();
      assert.equal(await page.locator('table.users tbody tr').count(), 1);
      assert.match(page.url(), /#\/users\?q=pager&page=2$/);
      assert.equal(await page.getByRole('button', { name: 'Next page' }).isDisabled(), true);
      await page.getByRole('button', { name: 'Previous page' }).click();
      await page.getByText('Page 1 of 2 · 21 users').waitFor();
      await context.close();
    } finally {
      await site.close();
    }
  });

  test('New user: an administrator is registered and appears in the list', async () => {
    const admin = await s.site.account('boss', true);
    const { context, page } = await newPage(s.browser);
    await usersScreen(page, s.site, admin);
    await page.getByRole('button', { name: 'New user' }).click();
    const form = page.getByRole('form', { name: 'New user' });
    const email = `made.${process.pid}@example.com`;
    // The keyboard lands in the form: typing goes to Email.
    await page.locator('#new-user-email:focus').waitFor();
    await page.keyboard.type(email);
    assert.equal(await form.getByLabel('Email').inputValue(), email);
    await form.getByLabel('Password').fill('a long enough password');
    await form.getByLabel('Name').fill('Made Here');
    await form.getByLabel('Administrator').check();
    await assertAccessible(page, 'new user form');
    await screenshots(page, 'users-new');
    await form.getByRole('button', { name: 'Create user' }).click();
    await page.getByRole('status').getByText(`Created ${email} (administrator).`).waitFor();
    await row(page, email).waitFor();
    assert.equal(await row(page, email).getByRole('cell').nth(1).textContent(), 'Made Here');
    const stored = await s.site.t.store.transaction((tx) => tx.findIdBy('users', 'email', email));
    assert.ok(stored);
    assert.equal((await s.site.stored('users', stored))?.admin, true);
    // The password works.
    const login = await fetch(`${s.site.origin}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email, password: 'a long enough password' }),
    });
    assert.equal(login.status, 200);

    // A taken email is refused with the server's word for it, and nothing more is made.
    await page.getByRole('button', { name: 'New user' }).click();
    await form.getByLabel('Email').fill(email);
    await form.getByLabel('Password').fill('a long enough password');
    await form.getByRole('button', { name: 'Create user' }).click();
    await form
      .getByRole('alert')
      .getByText(/already exists/)
      .waitFor();
    assert.deepEqual(
      pageProblems(page).filter((p) => !/409/.test(p)),
      [],
    );
    await context.close();
  });

  test('Grant admin, then Take away admin: the store follows', async () => {
    const admin = await s.site.account('boss', true);
    const reader = await s.site.account('reader');
    const { context, page } = await newPage(s.browser);
    await usersScreen(page, s.site, admin);
    await page.getByRole('button', { name: `Grant admin to ${reader.email}` }).click();
    await page.getByRole('status').getByText(`${reader.email} is now an administrator.`).waitFor();
    assert.equal((await s.site.stored('users', reader.id))?.admin, true);
    await page.getByRole('button', { name: `Take away admin from ${reader.email}` }).click();
    await page.getByRole('status').getByText(`${reader.email} is no longer an administrator.`).waitFor();
    assert.equal((await s.site.stored('users', reader.id))?.admin, false);
    assert.ok(await page.getByRole('button', { name: `Grant admin to ${reader.email}` }).isVisible());
    await context.close();
  });

  test('a user changed since the list loaded is not overwritten: the page says so and reloads', async () => {
    const admin = await s.site.account('boss', true);
    const reader = await s.site.account('reader');
    const { context, page } = await newPage(s.browser);
    await usersScreen(page, s.site, admin);
    // Someone else makes the reader an admin and renames them meanwhile.
    await s.site.t.store.transaction(async (tx) => {
      const user = await tx.get('users', reader.id);
      assert.ok(user);
      await tx.update('users', {
        ...user,
        name: 'Changed',
        admin: true,
        updated: new Date(Date.now() + 1000).toISOString(),
      });
    });
    await page.getByRole('button', { name: `Grant admin to ${reader.email}` }).click();
    await page.getByText(/changed .* meanwhile/).waitFor();
    await row(page, reader.email).getByRole('cell', { name: 'Changed' }).waitFor();
    assert.equal((await s.site.stored('users', reader.id))?.name, 'Changed');
    await context.close();
  });

  test('Sign out everywhere asks first; then the user’s token is 401 and their sessions are gone', async () => {
    const admin = await s.site.account('boss', true);
    const reader = await s.site.account('reader');
    const tokens = [await bearerToken(s.site, reader), await bearerToken(s.site, reader)];
    const own = await bearerToken(s.site, admin);
    for (const token of tokens) assert.equal(await meStatus(s.site, token), 200);
    const { context, page } = await newPage(s.browser);
    await usersScreen(page, s.site, admin);
    const button = page.getByRole('button', { name: `Sign out everywhere: ${reader.email}` });
    // Cancel first: nothing happens.
    await button.click();
    const dialog = page.getByRole('dialog', { name: `Sign ${reader.email} out everywhere?` });
    await dialog.waitFor();
    await assertAccessible(page, 'sign out confirmation');
    await screenshots(page, 'users-sign-out-confirm');
    // The keyboard: Cancel has the focus, Escape says no, and the focus goes back to the button.
    assert.equal(
      await dialog
        .getByRole('button', { name: 'Cancel' })
        .evaluate((b) => b === b.ownerDocument.activeElement),
      true,
    );
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    assert.equal(await button.evaluate((b) => b === b.ownerDocument.activeElement), true);
    assert.equal(await meStatus(s.site, tokens[0]), 200);

    await button.click();
    await dialog.getByRole('button', { name: 'Sign out everywhere' }).click();
    await page.getByRole('status').getByText(`${reader.email} is signed out everywhere.`).waitFor();
    for (const token of tokens) {
      assert.equal(await meStatus(s.site, token), 401);
      assert.equal(await s.site.t.store.getSession(tokenHash(token), new Date().toISOString()), undefined);
    }
    assert.equal(await meStatus(s.site, own), 200, 'the admin is still signed in');
    assert.deepEqual(pageProblems(page), []);
    await context.close();
  });

  test('taking away one’s own admin asks first and warns of the lock-out', async () => {
    const admin = await s.site.account('boss', true);
    const { context, page } = await newPage(s.browser);
    await usersScreen(page, s.site, admin);
    await page.getByRole('button', { name: `Take away admin from ${admin.email}` }).click();
    const dialog = page.getByRole('dialog', { name: 'Take away your own admin?' });
    await dialog.waitFor();
    assert.match((await dialog.textContent()) ?? '', /lose this admin page/);
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    assert.equal((await s.site.stored('users', admin.id))?.admin, true);

    await page.getByRole('button', { name: `Take away admin from ${admin.email}` }).click();
    await dialog.getByRole('button', { name: 'Take away my admin' }).click();
    await page.getByRole('heading', { name: 'No access' }).waitFor();
    assert.equal((await s.site.stored('users', admin.id))?.admin, false);
    await context.close();
  });
});
