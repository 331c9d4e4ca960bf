/**
 * The admin page, live: an open records table reads its page again when the
 * collection changes (a create through the API shows without reload, and a
 * status says so to screen readers), and the record screen says when
 * someone else changed the record being edited, keeping the edit.
 */
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import type { Page } from 'playwright-core';
import {
  type Account,
  adminSuite,
  assertAccessible,
  newPage,
  pageProblems,
  screenshots,
  signIn,
} from './admin-site.js';

adminSuite('admin page: live changes', (s) => {
  let admin: Account;
  before(async () => {
    admin = await s.site.account('admin', true);
  });

  /** Waits (up to 10 s) until the page has an EventSource stream of `topic` open. */
  async function streaming(page: Page, topic: string): Promise<void> {
    const opened = page.waitForResponse(
      (r) => r.url().includes('/api/realtime?') && decodeURIComponent(r.url()).endsWith(`topics=${topic}`),
      { timeout: 10_000 },
    );
    return opened.then((r) => assert.equal(r.status(), 200));
  }

  test('a record created through the API appears in the open table without reload; the status says so', async () => {
    await s.site.create('authors', { name: 'Already here' }, admin);
    const { context, page } = await newPage(s.browser);
    const stream = streaming(page, 'authors');
    await signIn(page, s.site, admin, '#/collections/authors');
    await page.locator('table.records tbody tr', { hasText: 'Already here' }).waitFor();
    await stream;
    await page.evaluate(() => {
      (globalThis as unknown as { stayed: boolean }).stayed = true;
    });
    const listed = page.waitForResponse((r) => r.url().includes('/api/authors?'));
    const created = await s.site.create('authors', { name: 'Arrived live' }, admin);
    assert.equal((await listed).status(), 200);
    await page.locator('table.records tbody tr', { hasText: 'Arrived live' }).waitFor({ timeout: 10_000 });
    assert.equal(await page.locator(`table.records td.id a:text-is("${created.id}")`).count(), 1);
    const status = page.locator('.live-status[role="status"][aria-live="polite"]');
    assert.match((await status.textContent()) ?? '', /^Updated live at /);
    assert.equal(
      await page.evaluate(() => (globalThis as unknown as { stayed?: boolean }).stayed),
      true,
      'the page was not reloaded',
    );
    // A burst of changes is one refresh (debounced), and ends with all of them shown.
    let lists = 0;
    page.on('request', (r) => {
      if (r.url().includes('/api/authors?')) lists++;
    });
    await Promise.all(
      ['Burst 1', 'Burst 2', 'Burst 3', 'Burst 4', 'Burst 5'].map((name) =>
        s.site.create('authors', { name }, admin),
      ),
    );
    await page.locator('table.records tbody tr', { hasText: 'Burst 5' }).waitFor({ timeout: 10_000 });
    await page.locator('table.records tbody tr', { hasText: 'Burst 1' }).waitFor();
    await new Promise((r) => setTimeout(r, 600));
    assert.ok(lists >= 1 && lists <= 3, `5 changes made ${lists} list reads`);
    await assertAccessible(page, 'the records table, updated live');
    await screenshots(page, 'records-live');
    assert.deepEqual(pageProblems(page), []);
    await context.close();
  });

  test("a record created between the table's first read and the stream's start still shows", async () => {
    const { context, page } = await newPage(s.browser);
    let early: Record<string, unknown> | undefined;
    const firstRead = page.waitForResponse((r) => r.url().includes('/api/authors?'));
    await page.route('**/api/realtime?*', async (route) => {
      // After the table's first read has been answered, before the stream starts.
      await firstRead;
      early ??= await s.site.create('authors', { name: 'In the gap' }, admin);
      await route.continue();
    });
    const stream = streaming(page, 'authors');
    await signIn(page, s.site, admin, '#/collections/authors');
    await stream;
    await page.locator('table.records tbody tr', { hasText: 'In the gap' }).waitFor({ timeout: 10_000 });
    assert.ok(early);
    assert.deepEqual(pageProblems(page), []);
    await context.close();
  });

  test('an update by someone else of the record being edited is announced; the edit is kept; Reload shows theirs', async () => {
    const book = await s.site.create('books', { title: 'Mine', pages: 100 }, admin);
    const id = book.id as string;
    const { context, page } = await newPage(s.browser);
    const stream = streaming(page, `books/${id}`);
    await signIn(page, s.site, admin, `#/collections/books/${id}`);
    await page.locator('main.record-screen').waitFor();
    await stream;
    const notice = page.locator('.changed-elsewhere[role="status"]');

    // Our own save is heard too, and is no news.
    await page.getByLabel('pages', { exact: true }).fill('101');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText('Saved.').waitFor();
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(await notice.count(), 0, 'no notice for our own save');

    await page.getByLabel('pages', { exact: true }).fill('999');
    const res = await s.site.request(admin, 'PATCH', `/api/books/${id}`, { title: 'Theirs' });
    assert.equal(res.statusCode, 200, res.body);
    await notice.getByText('This record was changed by someone else.').waitFor({ timeout: 10_000 });
    assert.equal(await page.getByLabel('pages', { exact: true }).inputValue(), '999', 'the edit is kept');
    assert.equal(await page.getByLabel('title', { exact: true }).inputValue(), 'Mine', 'not clobbered');
    await assertAccessible(page, 'the changed-elsewhere notice');
    await screenshots(page, 'record-changed-elsewhere');
    await notice.getByRole('button', { name: 'Reload' }).click();
    await page.getByText('Reloaded: this is the current version.').waitFor();
    assert.equal(await notice.count(), 0);
    assert.equal(await page.getByLabel('title', { exact: true }).inputValue(), 'Theirs');
    assert.equal(await page.getByLabel('pages', { exact: true }).inputValue(), '101');
    const stored = await s.site.stored('books', id);
    assert.deepEqual([stored?.title, stored?.pages], ['Theirs', 101]);

    // A delete elsewhere is said too.
    const gone = await s.site.request(admin, 'DELETE', `/api/books/${id}`);
    assert.equal(gone.statusCode, 204);
    await notice.getByText('This record was deleted by someone else.').waitFor({ timeout: 10_000 });
    assert.deepEqual(pageProblems(page), []);
    await context.close();
  });
});
