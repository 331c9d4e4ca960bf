/**
 * The record form against other writers: an edit on a version someone else
 * changed meanwhile (412 → message and Reload), a delete refused by
 * `onDelete: restrict` (409 → what still points to it, nothing deleted),
 * and deletes that ask first (cancelled: kept; confirmed: gone).
 */
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import type { Page } from 'playwright-core';
import { blobsOf } from '../../http/upload-helpers.js';
import {
  type Account,
  adminSuite,
  assertAccessible,
  assertFitsWidth,
  newPage,
  PHONE,
  pageProblems,
  screenshots,
  signIn,
  waitForTrue,
} from './admin-site.js';

const CHANGED = 'This record was changed by someone else since you opened it';

adminSuite('admin page: conflicts and deletes', (s) => {
  let admin: Account;
  before(async () => {
    admin = await s.site.account('admin', true);
  });

  /** A change made by another client through the API, as anyone would make it. */
  async function patchElsewhere(collection: string, id: string, body: Record<string, unknown>) {
    const res = await s.site.request(admin, 'PATCH', `/api/${collection}/${id}`, body);
    assert.equal(res.statusCode, 200, res.body);
  }

  async function openRecord(page: Page, collection: string, id: string) {
    await signIn(page, s.site, admin, `#/collections/${collection}/${id}`);
    await page.getByRole('heading', { name: `${collection} ${id}` }).waitFor();
    // The heading shows while the record loads: wait for the version (and ETag) the form edits.
    await page.locator('main.record-screen').waitFor();
  }

  test('an edit of a version changed meanwhile says so, saves nothing, and Reload shows the other change', async () => {
    const book = await s.site.create('books', { title: 'Mine', pages: 100 }, admin);
    const id = book.id as string;
    const { context, page } = await newPage(s.browser);
    await openRecord(page, 'books', id);
    await patchElsewhere('books', id, { title: 'Theirs' });
    await page.getByLabel('pages', { exact: true }).fill('999');
    await page.getByRole('button', { name: 'Save' }).click();
    const alert = page.locator('.conflict[role="alert"]');
    await alert.getByText(CHANGED).waitFor();
    await waitForTrue(page, 'document.activeElement.matches(".conflict")', 'focus on the conflict message');
    const stored = await s.site.stored('books', id);
    assert.equal(stored?.title, 'Theirs');
    assert.equal(stored?.pages, 100, 'the stale edit was not written');
    assert.equal(
      await page.getByLabel('pages', { exact: true }).inputValue(),
      '999',
      'the edit is still shown',
    );
    await assertAccessible(page, 'the conflict message');
    await screenshots(page, 'record-conflict');
    await alert.getByRole('button', { name: 'Reload' }).click();
    await page.getByText('Reloaded: this is the current version.').waitFor();
    assert.equal(await alert.count(), 0);
    assert.equal(await page.getByLabel('title', { exact: true }).inputValue(), 'Theirs');
    assert.equal(
      await page.getByLabel('pages', { exact: true }).inputValue(),
      '100',
      'the edit was discarded',
    );
    // On the current version, the same edit goes through.
    await page.getByLabel('pages', { exact: true }).fill('999');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText('Saved.').waitFor();
    const after = await s.site.stored('books', id);
    assert.deepEqual([after?.title, after?.pages], ['Theirs', 999]);
    assert.deepEqual(pageProblems(page), []);
    await context.close();
  });

  test('an upload onto a version changed meanwhile is refused the same way; no file is kept', async () => {
    const book = await s.site.create('books', { title: 'Before' }, admin);
    const id = book.id as string;
    const { context, page } = await newPage(s.browser);
    await openRecord(page, 'books', id);
    await patchElsewhere('books', id, { title: 'After' });
    await page.getByLabel('attachments', { exact: true }).setInputFiles({
      name: 'late.txt',
      mimeType: 'text/plain',
      buffer: Buffer.from('too late'),
    });
    await page.getByRole('button', { name: 'Save' }).click();
    await page.locator('.conflict').getByText(CHANGED).waitFor();
    const stored = await s.site.stored('books', id);
    assert.deepEqual([stored?.title, stored?.attachments], ['After', null]);
    assert.deepEqual(blobsOf(s.site.t, 'books', id), []);
    await context.close();
  });

  test('a delete of an author that books point to is refused clearly; nothing is deleted', async () => {
    const author = await s.site.create('authors', { name: 'Referenced' }, admin);
    const id = author.id as string;
    const one = await s.site.create('books', { title: 'One', author: id }, admin);
    const two = await s.site.create('books', { title: 'Two', author: id }, admin);
    const { context, page } = await newPage(s.browser);
    await openRecord(page, 'authors', id);
    await page.getByRole('button', { name: 'Delete', exact: true }).click();
    const dialog = page.getByRole('dialog', { name: 'Delete this record?' });
    await dialog.waitFor();
    assert.equal(
      await page.evaluate('document.activeElement.textContent'),
      'Cancel',
      'Cancel has the focus, so Enter alone does not delete',
    );
    await assertAccessible(page, 'the delete dialog');
    await screenshots(page, 'record-delete-dialog');
    await dialog.getByRole('button', { name: 'Delete' }).click();
    const refused = page.locator('.still-referenced[role="alert"]');
    await refused.waitFor();
    await waitForTrue(page, 'document.activeElement.matches(".still-referenced")', 'focus on the refusal');
    const text = (await refused.textContent()) ?? '';
    assert.match(text, /Not deleted/);
    assert.match(text, /2 records of books \(field author\)/);
    assert.ok(await refused.getByRole('link', { name: 'books' }).isVisible());
    assert.ok(!(await dialog.isVisible()), 'the dialog closed');
    assert.ok(await s.site.stored('authors', id), 'the author is kept');
    assert.equal((await s.site.stored('books', one.id as string))?.author, id);
    assert.equal((await s.site.stored('books', two.id as string))?.author, id);
    assert.match(page.url(), new RegExp(`/authors/${id}$`));
    await assertAccessible(page, 'a refused delete');
    await screenshots(page, 'record-delete-refused');
    await page.setViewportSize(PHONE);
    await assertFitsWidth(page, 'a refused delete at 390 px');
    await context.close();
  });

  test('a cancelled delete (the button or Escape) keeps the record', async () => {
    const author = await s.site.create('authors', { name: 'Kept' }, admin);
    const id = author.id as string;
    const { context, page } = await newPage(s.browser);
    let deletes = 0;
    page.on('request', (r) => {
      if (r.method() === 'DELETE') deletes++;
    });
    await openRecord(page, 'authors', id);
    const dialog = page.getByRole('dialog', { name: 'Delete this record?' });
    await page.getByRole('button', { name: 'Delete', exact: true }).click();
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await dialog.waitFor({ state: 'hidden' });
    await page.getByRole('button', { name: 'Delete', exact: true }).click();
    await dialog.waitFor();
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden' });
    assert.equal(deletes, 0);
    assert.ok(await s.site.stored('authors', id));
    await context.close();
  });

  test('a confirmed delete sends If-Match, removes the record and returns to the table with a notice', async () => {
    const author = await s.site.create('authors', { name: 'Gone soon' }, admin);
    const id = author.id as string;
    const { context, page } = await newPage(s.browser);
    let ifMatch: string | undefined;
    page.on('request', async (r) => {
      if (r.method() === 'DELETE') ifMatch = (await r.allHeaders())['if-match'];
    });
    await openRecord(page, 'authors', id);
    await page.getByRole('button', { name: 'Delete', exact: true }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Delete' }).click();
    await page.getByRole('heading', { name: 'authors', exact: true }).waitFor();
    await page.getByRole('status').getByText(`Deleted record ${id}.`).waitFor();
    assert.match(ifMatch ?? '', /"/);
    assert.equal(await s.site.stored('authors', id), undefined);
    assert.equal(await page.locator(`table.records td.id`, { hasText: id }).count(), 0);
    await context.close();
  });

  test('a delete of a version changed meanwhile is refused with the same message; the record stays', async () => {
    const author = await s.site.create('authors', { name: 'Moving' }, admin);
    const id = author.id as string;
    const { context, page } = await newPage(s.browser);
    await openRecord(page, 'authors', id);
    await patchElsewhere('authors', id, { name: 'Moved' });
    await page.getByRole('button', { name: 'Delete', exact: true }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Delete' }).click();
    await page.locator('.conflict').getByText(CHANGED).waitFor();
    assert.equal((await s.site.stored('authors', id))?.name, 'Moved');
    await context.close();
  });
});
