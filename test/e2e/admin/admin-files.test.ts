/**
 * The record form's file fields: a PNG cover uploaded shows a preview that
 * loads and a download link that answers the same bytes; several
 * attachments at once, one removed, more added beside the kept ones; the
 * store and the file storage agree after each save, and the other fields
 * and files are left as they were.
 */
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { crc32, deflateSync } from 'node:zlib';
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

/** A solid-colour PNG of `width` × `height`, big enough to see in a screenshot. */
function png(width: number, height: number, rgb: [number, number, number]): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const out = Buffer.alloc(8 + data.length + 4);
    out.writeUInt32BE(data.length, 0);
    body.copy(out, 4);
    out.writeUInt32BE(crc32(body), 8 + data.length);
    return out;
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 2, 0, 0, 0], 8); // 8-bit RGB
  const row = Buffer.concat([Buffer.from([0]), Buffer.from(Array.from({ length: width }, () => rgb).flat())]);
  const pixels = deflateSync(Buffer.concat(Array.from({ length: height }, () => row)));
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', pixels),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

const COVER = png(64, 40, [31, 95, 191]);
const text = (name: string, body: string) => ({ name, mimeType: 'text/plain', buffer: Buffer.from(body) });

adminSuite('admin page: file uploads, previews and downloads', (s) => {
  let admin: Account;
  before(async () => {
    admin = await s.site.account('admin', true);
  });

  const stored = async (id: string) => (await s.site.stored('books', id)) as Record<string, unknown>;
  const attachments = async (id: string) => ((await stored(id)).attachments ?? []) as string[];

  async function open(page: Page, id: string) {
    await signIn(page, s.site, admin, `#/collections/books/${id}`);
    await page.getByRole('heading', { name: `books ${id}` }).waitFor();
  }

  /** Save, and wait for the write itself (not only a "Saved." that an earlier save may have left). */
  async function save(page: Page) {
    const written = page.waitForResponse(
      (r) => r.request().method() !== 'GET' && r.url().includes('/api/books/'),
    );
    await page.getByRole('button', { name: 'Save' }).click();
    assert.ok((await written).ok());
    await page.getByText('Saved.').waitFor();
  }

  /** The bytes behind a link on the page, fetched with the page's own session. */
  async function downloaded(page: Page, name: string): Promise<Buffer> {
    const href = await page.getByRole('link', { name, exact: true }).getAttribute('href');
    assert.ok(href);
    const res = await page.request.get(new URL(href, page.url()).toString());
    assert.equal(res.status(), 200);
    return res.body();
  }

  test('a PNG cover: the preview loads, the download answers the same bytes, the other fields are kept', async () => {
    const book = await s.site.create('books', { title: 'Covered', pages: 12, meta: { keep: true } }, admin);
    const id = book.id as string;
    const { context, page } = await newPage(s.browser);
    await open(page, id);
    await page.getByLabel('cover', { exact: true }).setInputFiles({
      name: 'front.png',
      mimeType: 'image/png',
      buffer: COVER,
    });
    await save(page);
    const record = await stored(id);
    const name = String(record.cover);
    assert.match(name, /^front_[a-z0-9]{10}\.png$/);
    assert.deepEqual([record.title, record.pages, record.meta], ['Covered', 12, { keep: true }]);
    assert.deepEqual(blobsOf(s.site.t, 'books', id), [name]);
    assert.equal(
      await page
        .getByLabel('cover', { exact: true })
        .evaluate((i) => (i as unknown as { value: string }).value),
      '',
      'the file input is cleared once its file is saved',
    );
    const img = page.getByRole('img', { name: `Preview of ${name}` });
    await img.waitFor();
    await waitForTrue(
      page,
      `(() => { const i = document.querySelector('img.preview'); return Boolean(i && i.complete && i.naturalWidth > 0); })()`,
      'the preview to load',
    );
    assert.equal(await img.evaluate((i) => (i as unknown as { naturalWidth: number }).naturalWidth), 64);
    assert.ok((await downloaded(page, name)).equals(COVER));
    await assertAccessible(page, 'a record with a cover');
    await screenshots(page, 'record-files');
    await page.setViewportSize(PHONE);
    await assertFitsWidth(page, 'the file fields at 390 px');

    // A new cover replaces the old one, in the record and on disk.
    const other = png(20, 20, [200, 30, 30]);
    await page.getByLabel('cover', { exact: true }).setInputFiles({
      name: 'back.png',
      mimeType: 'image/png',
      buffer: other,
    });
    await page.getByText(/Replaces the current file on save/).waitFor();
    await save(page);
    const replaced = String((await stored(id)).cover);
    assert.match(replaced, /^back_[a-z0-9]{10}\.png$/);
    assert.deepEqual(blobsOf(s.site.t, 'books', id), [replaced]);
    assert.ok((await downloaded(page, replaced)).equals(other));
    // Removing it unsets the field and the file leaves the storage.
    await page.getByRole('button', { name: `Remove ${replaced}` }).click();
    await save(page);
    assert.equal((await stored(id)).cover, null);
    assert.deepEqual(blobsOf(s.site.t, 'books', id), []);
    assert.deepEqual(pageProblems(page), []);
    await context.close();
  });

  test('several attachments at once; one removed; more added beside those kept', async () => {
    const book = await s.site.create('books', { title: 'Attached' }, admin);
    const id = book.id as string;
    const { context, page } = await newPage(s.browser);
    await open(page, id);
    await page
      .getByLabel('attachments', { exact: true })
      .setInputFiles([text('one.txt', 'first'), text('two.txt', 'second'), text('three.txt', 'third')]);
    await save(page);
    const three = await attachments(id);
    assert.equal(three.length, 3);
    three.forEach((n, i) => {
      assert.match(n, new RegExp(`^${['one', 'two', 'three'][i]}_[a-z0-9]{10}\\.txt$`));
    });
    assert.deepEqual(blobsOf(s.site.t, 'books', id).sort(), [...three].sort());
    assert.equal((await downloaded(page, three[1])).toString(), 'second');
    assert.equal(await page.locator('[data-field="attachments"] img').count(), 0, 'no preview for text');

    await page.getByRole('button', { name: `Remove ${three[1]}` }).click();
    assert.equal(await page.getByRole('link', { name: three[1] }).count(), 0);
    await save(page);
    assert.deepEqual(await attachments(id), [three[0], three[2]]);
    assert.deepEqual(blobsOf(s.site.t, 'books', id).sort(), [three[0], three[2]].sort());
    const gone = await page.request.get(
      `${s.site.origin}/api/files/books/${id}/attachments/${encodeURIComponent(three[1])}`,
    );
    assert.equal(gone.status(), 404);

    await page.getByLabel('attachments', { exact: true }).setInputFiles([text('four.txt', 'fourth')]);
    await page.getByLabel('title', { exact: true }).fill('Attached, renamed');
    await save(page);
    const now = await attachments(id);
    assert.deepEqual(now.slice(0, 2), [three[0], three[2]], 'the kept files first, as they were');
    assert.match(now[2], /^four_[a-z0-9]{10}\.txt$/);
    assert.equal((await stored(id)).title, 'Attached, renamed');
    assert.deepEqual(blobsOf(s.site.t, 'books', id).sort(), [...now].sort());
    assert.equal((await downloaded(page, now[2])).toString(), 'fourth');
    await context.close();
  });

  test('a new book with a cover and attachments is one multipart create', async () => {
    const { context, page } = await newPage(s.browser);
    const creates: string[] = [];
    page.on('request', (r) => {
      if (r.method() === 'POST' && r.url().endsWith('/api/books'))
        creates.push(r.headers()['content-type'] ?? '');
    });
    await signIn(page, s.site, admin, '#/collections/books/new');
    await page.getByLabel('title', { exact: true }).fill('Born with files');
    await page.getByLabel('cover', { exact: true }).setInputFiles({
      name: 'new.png',
      mimeType: 'image/png',
      buffer: COVER,
    });
    await page
      .getByLabel('attachments', { exact: true })
      .setInputFiles([text('a.txt', 'A'), text('b.txt', 'B')]);
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText(/^Created record /).waitFor();
    const id = new URL(page.url()).hash.split('/').pop() as string;
    assert.equal(creates.length, 1);
    assert.match(creates[0], /^multipart\/form-data/);
    const record = await stored(id);
    assert.match(String(record.cover), /^new_[a-z0-9]{10}\.png$/);
    assert.equal((record.attachments as string[]).length, 2);
    assert.deepEqual(
      blobsOf(s.site.t, 'books', id).sort(),
      [String(record.cover), ...(record.attachments as string[])].sort(),
    );
    await page.getByRole('img', { name: `Preview of ${record.cover}` }).waitFor();
    await context.close();
  });

  test('a cover that is not an image is refused beside the field; nothing changes', async () => {
    const book = await s.site.create('books', { title: 'Not an image' }, admin);
    const id = book.id as string;
    const { context, page } = await newPage(s.browser);
    await open(page, id);
    await page
      .getByLabel('cover', { exact: true })
      .setInputFiles({ name: 'fake.png', mimeType: 'image/png', buffer: Buffer.from('plain text') });
    await page.getByRole('button', { name: 'Save' }).click();
    await page.locator('#field-cover-error').waitFor();
    assert.match((await page.locator('#field-cover-error').textContent()) ?? '', /image\/png or image\/jpeg/);
    assert.equal(await page.getByLabel('cover', { exact: true }).getAttribute('aria-invalid'), 'true');
    assert.equal((await stored(id)).cover, null);
    assert.deepEqual(blobsOf(s.site.t, 'books', id), []);
    // With a json number (sent as JSON first), the number is saved and the page says the files were not.
    await page.getByLabel('meta', { exact: true }).fill('7');
    await page
      .getByLabel('cover', { exact: true })
      .setInputFiles({ name: 'fake.png', mimeType: 'image/png', buffer: Buffer.from('still text') });
    await page.getByRole('button', { name: 'Save' }).click();
    await page
      .locator('#form-problems')
      .getByText(/other changes were saved, but not the files/)
      .waitFor();
    await page.locator('#field-cover-error').waitFor();
    assert.deepEqual([(await stored(id)).meta, (await stored(id)).cover], [7, null]);
    // The page holds the version it saved: the next edit is no conflict.
    await page.getByLabel('title', { exact: true }).fill('Not an image, renamed');
    await save(page);
    assert.equal((await stored(id)).title, 'Not an image, renamed');
    await context.close();
  });
});
