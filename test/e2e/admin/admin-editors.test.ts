/**
 * The record form's editors, one per field type: a book made by filling
 * every field of ADMIN_CONFIG lands in the store with the right values;
 * each one edited; server and client problems shown beside their fields;
 * an edit sends only what changed, with If-Match.
 */
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import type { Page, Request } from 'playwright-core';
import { PNG } from '../../http/upload-helpers.js';
import {
  type Account,
  adminSuite,
  assertAccessible,
  assertFitsWidth,
  DESKTOP,
  newPage,
  PHONE,
  pageProblems,
  screenshots,
  signIn,
  waitForTrue,
} from './admin-site.js';

/** The record's id, from the route the page went to after a create. */
async function createdId(page: Page, collection: string): Promise<string> {
  await page.waitForURL(new RegExp(`#/collections/${collection}/(?!new)[a-z0-9]+$`));
  await page.getByText(/^Created record /).waitFor();
  return new URL(page.url()).hash.split('/').pop() as string;
}

/** Choose records in a relation picker by typing in its search box and ticking the match. */
async function pick(page: Page, field: string, search: string, label: string) {
  await page.getByLabel(field, { exact: true }).fill(search);
  const box = page.locator(`[data-field="${field}"] .picker-results`);
  await box.getByLabel(new RegExp(`^${label}`)).check();
}

adminSuite('admin page: the editor of each field type', (s) => {
  const bookCount = async () =>
    (await s.site.t.store.list('books', { filter: null, sort: [], limit: 1, offset: 0, count: true })).total;
  let admin: Account;
  let frank: string;
  let brian: string;
  let ursula: string;
  before(async () => {
    admin = await s.site.account('admin', true);
    frank = (await s.site.create('authors', { name: 'Frank Herbert' }, admin)).id as string;
    brian = (await s.site.create('authors', { name: 'Brian Herbert' }, admin)).id as string;
    ursula = (await s.site.create('authors', { name: 'Ursula Le Guin' }, admin)).id as string;
  });

  test('a new book with every field filled is stored with each value as typed (dates in local time → UTC)', async () => {
    // Tokyo is UTC+9 all year: the typed local time must reach the store nine hours earlier.
    const context = await s.browser.newContext({ viewport: DESKTOP, timezoneId: 'Asia/Tokyo' });
    const page = await context.newPage();
    await signIn(page, s.site, admin, '#/collections/books');
    await page.getByRole('button', { name: 'New record' }).click();
    await page.getByRole('heading', { name: 'New books record' }).waitFor();
    assert.equal(
      await page.getByLabel('format', { exact: true }).inputValue(),
      'paperback',
      'defaults shown',
    );
    await page.getByLabel('title', { exact: true }).fill('Dune');
    await page.getByLabel('pages', { exact: true }).fill('412');
    await page.getByLabel('price', { exact: true }).fill('9.5');
    await page.getByLabel('inPrint', { exact: true }).check();
    await page.getByLabel('published', { exact: true }).fill('1965-08-01T14:30:15');
    await page.getByLabel('contact', { exact: true }).fill('frank@example.com');
    await page.getByLabel('website', { exact: true }).fill('https://dune.example/');
    await page.getByLabel('genre', { exact: true }).selectOption('fiction');
    await page.getByLabel('meta', { exact: true }).fill('{"awards": ["Hugo", "Nebula"], "rank": 1}');
    await page.locator('[data-field="meta"]').getByText('Valid JSON.').waitFor();
    await pick(page, 'author', 'Frank', 'Frank Herbert');
    await page.locator('[data-field="author"] .picker-chosen').getByText('Frank Herbert').waitFor();
    await page.getByLabel('cover', { exact: true }).setInputFiles({
      name: 'dune.png',
      mimeType: 'image/png',
      buffer: PNG,
    });
    await page.getByLabel('labels', { exact: true }).selectOption(['new', 'rare']);
    await pick(page, 'editors', 'Herbert', 'Brian Herbert');
    await pick(page, 'editors', 'ursula', 'Ursula Le Guin');
    await assertAccessible(page, 'the new record form');
    await screenshots(page, 'record-new');
    await page.getByRole('button', { name: 'Save' }).click();
    const id = await createdId(page, 'books');
    const stored = await s.site.stored('books', id);
    assert.ok(stored);
    assert.equal(stored.title, 'Dune');
    assert.equal(stored.pages, 412);
    assert.equal(stored.price, 9.5);
    assert.equal(stored.inPrint, true);
    assert.equal(stored.published, '1965-08-01T05:30:15.000Z');
    assert.equal(stored.contact, 'frank@example.com');
    assert.equal(stored.website, 'https://dune.example/');
    assert.equal(stored.genre, 'fiction');
    assert.deepEqual(stored.meta, { awards: ['Hugo', 'Nebula'], rank: 1 });
    assert.equal(stored.author, frank);
    assert.match(String(stored.cover), /^dune_[a-z0-9]{10}\.png$/);
    assert.equal(stored.attachments, null);
    assert.deepEqual(stored.labels, ['new', 'rare']);
    assert.deepEqual(stored.editors, [brian, ursula]);
    assert.equal(stored.format, 'paperback', 'an untouched default is the server’s');
    // The form shows what was stored, the date back in local time.
    assert.equal(await page.getByLabel('published', { exact: true }).inputValue(), '1965-08-01T14:30:15');
    assert.equal(await page.locator('[data-system="id"]').textContent(), id);
    assert.deepEqual(pageProblems(page), []);
    await context.close();
  });

  test('editing each type changes exactly that, sent as a merge patch with If-Match', async () => {
    const book = await s.site.create(
      'books',
      {
        title: 'Old title',
        pages: 100,
        price: 5,
        inPrint: true,
        published: '2000-01-02T03:04:05.000Z',
        contact: 'old@example.com',
        website: 'https://old.example/',
        genre: 'history',
        meta: { a: 1 },
        author: frank,
        labels: ['new'],
        editors: [brian],
      },
      admin,
    );
    const id = book.id as string;
    const { context, page } = await newPage(s.browser);
    const sent: Request[] = [];
    page.on('request', (r) => {
      // Writes only: the page also reads (GET, and HEAD for the ETag when its live stream opens).
      if (r.url().includes(`/api/books/${id}`) && !['GET', 'HEAD'].includes(r.method())) sent.push(r);
    });
    let opened: string | undefined;
    page.on('response', (r) => {
      if (r.request().method() === 'GET' && r.url().endsWith(`/api/books/${id}`)) opened ??= r.headers().etag;
    });
    await signIn(page, s.site, admin, `#/collections/books/${id}`);
    await page.getByRole('heading', { name: `books ${id}` }).waitFor();
    assert.equal(await page.getByLabel('title', { exact: true }).inputValue(), 'Old title');
    // In the browser's zone (the tests run in UTC), to the second.
    const shown = await page.getByLabel('published', { exact: true }).inputValue();
    assert.match(shown, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$/);
    await assertAccessible(page, 'the edit form');
    await screenshots(page, 'record-edit');
    await page.setViewportSize(PHONE);
    await assertFitsWidth(page, 'the record form at 390 px');
    await page.setViewportSize(DESKTOP);

    await page.getByLabel('title', { exact: true }).fill('New title');
    await page.getByLabel('pages', { exact: true }).fill('250');
    await page.getByLabel('price', { exact: true }).fill('');
    await page.getByLabel('inPrint', { exact: true }).uncheck();
    await page.getByLabel('contact', { exact: true }).fill('new@example.com');
    await page.getByLabel('genre', { exact: true }).selectOption('science');
    await page.getByLabel('meta', { exact: true }).fill('[1, 2, {"b": null}]');
    await page.getByRole('button', { name: 'Remove Frank Herbert from author' }).click();
    await pick(page, 'author', 'Ursula', 'Ursula Le Guin');
    await page.getByLabel('labels', { exact: true }).selectOption(['signed', 'rare']);
    await pick(page, 'editors', 'Ursula', 'Ursula Le Guin');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText('Saved.').waitFor();

    const stored = await s.site.stored('books', id);
    assert.ok(stored);
    assert.equal(stored.title, 'New title');
    assert.equal(stored.pages, 250);
    assert.equal(stored.price, null, 'an emptied number is unset');
    assert.equal(stored.inPrint, false);
    assert.equal(stored.contact, 'new@example.com');
    assert.equal(stored.genre, 'science');
    assert.deepEqual(stored.meta, [1, 2, { b: null }]);
    assert.equal(stored.author, ursula);
    assert.deepEqual(stored.labels, ['signed', 'rare']);
    assert.deepEqual(stored.editors, [brian, ursula]);
    // Untouched: kept as they were.
    assert.equal(stored.published, '2000-01-02T03:04:05.000Z');
    assert.equal(stored.website, 'https://old.example/');

    assert.equal(sent.length, 1);
    assert.equal(sent[0].method(), 'PATCH');
    const headers = await sent[0].allHeaders();
    assert.equal(headers['content-type'], 'application/merge-patch+json');
    assert.ok(opened, 'the page read the record');
    assert.equal(headers['if-match'], opened, 'If-Match is the ETag of the version opened');
    assert.deepEqual(Object.keys(sent[0].postDataJSON()).sort(), [
      'author',
      'contact',
      'editors',
      'genre',
      'inPrint',
      'labels',
      'meta',
      'pages',
      'price',
      'title',
    ]);
    // The form now shows the stored version: saving again sends nothing.
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText('Nothing changed, so nothing was sent.').waitFor();
    assert.equal(sent.length, 1);
    assert.deepEqual(pageProblems(page), []);
    await context.close();
  });

  test('a date emptied is sent as null; a long text edits in a textarea; hidden fields are there for admins', async () => {
    const author = await s.site.create(
      'authors',
      { name: 'Hidden notes', born: '1920-10-08T00:00:00.000Z', notes: 'secret' },
      admin,
    );
    const id = author.id as string;
    const { context, page } = await newPage(s.browser);
    await signIn(page, s.site, admin, `#/collections/authors/${id}`);
    const notes = page.getByLabel('notes', { exact: true });
    assert.equal(await notes.evaluate((el) => el.tagName), 'TEXTAREA');
    assert.equal(await notes.inputValue(), 'secret');
    assert.match((await page.locator('[data-field="notes"] .hint').textContent()) ?? '', /hidden/);
    await notes.fill('a longer\nsecret');
    await page.getByLabel('born', { exact: true }).fill('');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText('Saved.').waitFor();
    const stored = await s.site.stored('authors', id);
    assert.equal(stored?.notes, 'a longer\nsecret');
    assert.equal(stored?.born, null);
    await context.close();
  });

  test('the server’s field problems show beside each field and in a summary; nothing is stored', async () => {
    const before = await bookCount();
    const { context, page } = await newPage(s.browser);
    await signIn(page, s.site, admin, '#/collections/books/new');
    await page.getByLabel('pages', { exact: true }).fill('0');
    await page.getByLabel('contact', { exact: true }).fill('not an email');
    await page.getByRole('button', { name: 'Save' }).click();
    const summary = page.locator('#form-problems');
    await summary.waitFor();
    await waitForTrue(page, 'document.activeElement.id === "form-problems"', 'focus on the summary');
    for (const field of ['title', 'pages', 'contact']) {
      const input = page.getByLabel(field, { exact: true });
      assert.equal(await input.getAttribute('aria-invalid'), 'true', field);
      const described = (await input.getAttribute('aria-describedby')) ?? '';
      assert.ok(described.split(' ').includes(`field-${field}-error`), described);
      assert.ok(await page.locator(`#field-${field}-error`).isVisible());
      assert.ok(await summary.getByRole('link', { name: field, exact: true }).isVisible());
    }
    assert.match((await page.locator('#field-pages-error').textContent()) ?? '', /at least 1/);
    assert.equal(page.url().endsWith('/new'), true, 'still the new record');
    assert.equal(await bookCount(), before, 'nothing was stored');
    await assertAccessible(page, 'the form with problems');
    await screenshots(page, 'record-problems');
    // Fixed: the problems go away.
    await page.getByLabel('title', { exact: true }).fill('Fixed');
    await page.getByLabel('pages', { exact: true }).fill('1');
    await page.getByLabel('contact', { exact: true }).fill('');
    await page.getByRole('button', { name: 'Save' }).click();
    const id = await createdId(page, 'books');
    assert.equal((await s.site.stored('books', id))?.title, 'Fixed');
    await context.close();
  });

  test('json that does not parse is flagged beside the field and nothing is sent', async () => {
    const { context, page } = await newPage(s.browser);
    let posts = 0;
    page.on('request', (r) => {
      if (r.method() === 'POST' && r.url().endsWith('/api/books')) posts++;
    });
    await signIn(page, s.site, admin, '#/collections/books/new');
    await page.getByLabel('title', { exact: true }).fill('Bad json');
    const meta = page.getByLabel('meta', { exact: true });
    await meta.fill('{"a": 1,');
    await page
      .locator('[data-field="meta"] .field-error')
      .getByText(/not valid JSON/)
      .waitFor();
    assert.equal(await meta.getAttribute('aria-invalid'), 'true');
    await page.getByRole('button', { name: 'Save' }).click();
    await page
      .locator('#form-problems')
      .getByText(/need fixing/)
      .waitFor();
    assert.equal(posts, 0);
    // A json scalar with a new file: the number goes as JSON (a form would make it text), then the file.
    await meta.fill('42');
    await page.getByLabel('attachments', { exact: true }).setInputFiles({
      name: 'notes.txt',
      mimeType: 'text/plain',
      buffer: Buffer.from('hello'),
    });
    await page.getByRole('button', { name: 'Save' }).click();
    const id = await createdId(page, 'books');
    const stored = await s.site.stored('books', id);
    assert.equal(stored?.meta, 42);
    assert.equal(stored?.title, 'Bad json');
    assert.equal((stored?.attachments as string[] | undefined)?.length, 1);
    // The same on an edit: the JSON patch first, then the files on the ETag it answered (no 412 from itself).
    await page.getByLabel('meta', { exact: true }).fill('true');
    await page.getByLabel('title', { exact: true }).fill('Bad json, edited');
    await page.getByLabel('attachments', { exact: true }).setInputFiles({
      name: 'more.txt',
      mimeType: 'text/plain',
      buffer: Buffer.from('more'),
    });
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText('Saved.').waitFor();
    const edited = await s.site.stored('books', id);
    assert.equal(edited?.meta, true);
    assert.equal(edited?.title, 'Bad json, edited');
    const files = edited?.attachments as string[];
    assert.equal(files.length, 2);
    assert.equal(files[0], (stored?.attachments as string[] | undefined)?.[0]);
    assert.match(files[1], /^more_[a-z0-9]{10}\.txt$/);
    await context.close();
  });
});
