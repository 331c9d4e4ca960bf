/**
 * The first administrator through the setup link on a fresh site: the
 * token comes from the service `serve` calls at start-up (the CLI test
 * checks the printed line); the page creates the admin, signs in, and the
 * link is dead afterwards.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { hasAdmin, issueSetupToken } from '../../../src/service/admin-setup.js';
import {
  adminSuite,
  assertAccessible,
  assertFitsWidth,
  newPage,
  PHONE,
  pageProblems,
  screenshots,
} from './admin-site.js';

adminSuite('admin page: the first administrator', (s) => {
  let token: string;

  test('the setup link creates the first administrator and signs them in', async () => {
    assert.equal(await hasAdmin(s.site.t.store), false, 'a fresh site');
    token = (await issueSetupToken(s.site.t.store)) as string;
    assert.ok(token);
    const { context, page } = await newPage(s.browser);
    await page.goto(`${s.site.origin}/_/#/setup/${token}`);
    await page.getByRole('heading', { name: 'Create the first administrator' }).waitFor();
    await assertAccessible(page, 'setup');
    await screenshots(page, 'setup');
    await page.setViewportSize(PHONE);
    await assertFitsWidth(page, 'the setup form at 390 px');

    await page.getByLabel('Email').fill('First.Admin@example.com');
    await page.getByLabel('Password').fill('a long enough password');
    await page.getByLabel('Name').fill('First Admin');
    await page.getByRole('button', { name: 'Create administrator' }).click();
    await page.locator('header .who').getByText('first.admin@example.com').waitFor();
    await page.getByRole('heading', { name: 'Collections' }).waitFor();
    assert.equal(new URL(page.url()).hash, '#/', 'the token left the address bar');

    const id = await s.site.t.store.transaction((tx) =>
      tx.findIdBy('users', 'email', 'first.admin@example.com'),
    );
    assert.ok(id);
    const user = await s.site.stored('users', id);
    assert.equal(user?.admin, true);
    assert.equal(user?.name, 'First Admin');
    // Signed in for real: the page's cookie reaches the Users screen.
    await page.getByRole('navigation', { name: 'Admin' }).getByRole('link', { name: 'Users' }).click();
    await page.locator('tr[data-user="first.admin@example.com"]').waitFor();
    assert.deepEqual(pageProblems(page), []);
    await context.close();
  });

  test('the link is dead afterwards: 409 explained, with a way to sign in', async () => {
    const { context, page } = await newPage(s.browser);
    await page.goto(`${s.site.origin}/_/#/setup/${token}`);
    await page.getByRole('heading', { name: 'Create the first administrator' }).waitFor();
    await page.getByLabel('Email').fill('second@example.com');
    await page.getByLabel('Password').fill('another long password');
    await page.getByRole('button', { name: 'Create administrator' }).click();
    await page.getByRole('alert').getByText('An administrator exists already: sign in at /_/').waitFor();
    await assertAccessible(page, 'setup refused (409)');
    await screenshots(page, 'setup-409');
    assert.equal(
      await s.site.t.store.transaction((tx) => tx.findIdBy('users', 'email', 'second@example.com')),
      undefined,
    );
    await page.getByRole('link', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    await context.close();
  });

  test('a wrong token: 403, with what to do instead', async () => {
    const { context, page } = await newPage(s.browser);
    await page.goto(`${s.site.origin}/_/#/setup/not-a-real-token`);
    await page.getByLabel('Email').fill('third@example.com');
    await page.getByLabel('Password').fill('another long password');
    await page.getByRole('button', { name: 'Create administrator' }).click();
    await page
      .getByRole('alert')
      .getByText(/setup link is not valid/)
      .waitFor();
    assert.match((await page.locator('main').textContent()) ?? '', /methodical user create/);
    await assertAccessible(page, 'setup refused (403)');
    await screenshots(page, 'setup-403');
    await context.close();
  });
});
