/**
 * EXAMPLE-APP.md scenarios 8–12 in a real browser, with JavaScript off and
 * on: adding a book (POST), editing it (PUT, If-Match), reviewing it,
 * reading with ETags, and deleting (with its files).
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import type { Page } from 'playwright-core';
import { PNG } from '../http/upload-helpers.js';
import {
  type Account,
  BOTH,
  context,
  describeExample,
  doubleSubmit,
  newAccount,
  pathOf,
  registerIn,
  screenshots,
  until,
} from './example-site.js';

describeExample('the example app: books', (s) => {
  /** A signed-in page for a fresh account. */
  async function member(js: boolean, prefix = 'reader'): Promise<{ page: Page; account: Account }> {
    const page = await (await context(s.browser, js)).newPage();
    const account = newAccount(prefix);
    await registerIn(page, s.site, account);
    return { page, account };
  }

  /** Add a book through /add-book; returns its id. */
  async function addBook(page: Page, title: string, cover?: Buffer): Promise<string> {
    await page.goto(`${s.site.origin}/add-book`);
    await page.getByLabel('Title').fill(title);
    await page.getByLabel('Author').fill('A. Writer');
    await page.getByLabel('Year').fill('1999');
    await page.getByLabel('Genre').selectOption('fiction');
    if (cover)
      await page
        .getByLabel('Cover image')
        .setInputFiles({ name: 'cover.png', mimeType: 'image/png', buffer: cover });
    await Promise.all([
      page.waitForURL(/\/books\/[a-z0-9]{15}$/),
      page.getByRole('button', { name: 'Add the book' }).click(),
    ]);
    assert.equal(await page.locator('h1').textContent(), title);
    return pathOf(page).split('/').pop() as string;
  }

  for (const [how, js] of BOTH) {
    it(`8. adding a book ${how}: each form POST adds one, a double submit with its key adds one`, async () => {
      const { page } = await member(js, 'adder');
      const title = `Added ${js}`;
      await page.goto(`${s.site.origin}/add-book`);
      await screenshots(page, `add-book-${js ? 'js' : 'nojs'}`);
      await page.getByLabel('Title').fill(title);
      await page.getByLabel('Author').fill('Twice Clicked');
      await doubleSubmit(page, 'Add the book', /\/books\/[a-z0-9]{15}$/);
      assert.equal(
        s.site.rows('books', 'title = ?', title).length,
        1,
        'one book for one form, double click or not',
      );
      // POST means "add one": the same body twice without a key makes two, with one key makes one.
      const body = { title: `Posted ${js}`, author: 'The API' };
      for (let i = 0; i < 2; i++)
        assert.equal((await page.request.post(`${s.site.origin}/add-book`, { data: body })).status(), 201);
      assert.equal(s.site.rows('books', 'title = ?', body.title).length, 2);
      const keyed = { title: `Keyed ${js}`, author: 'The API' };
      const headers = { 'Idempotency-Key': `add-${js}` };
      const first = await page.request.post(`${s.site.origin}/add-book`, { data: keyed, headers });
      const again = await page.request.post(`${s.site.origin}/add-book`, { data: keyed, headers });
      assert.equal(first.status(), 201);
      assert.equal(again.status(), 201);
      assert.equal(again.headers()['idempotent-replayed'], 'true');
      assert.equal(await again.text(), await first.text(), 'the replay is byte for byte the first answer');
      assert.equal(s.site.rows('books', 'title = ?', keyed.title).length, 1);
      await page.context().close();
    });

    it(`9. editing a book ${how}: PUT keeps one state however often it is sent; a stale edit is refused and says why`, async () => {
      const { page } = await member(js, 'editor');
      const id = await addBook(page, `To edit ${js}`, PNG);
      const cover = s.site.files('books', id);
      assert.equal(cover.length, 1);
      await page.goto(`${s.site.origin}/edit-book/${id}`);
      await screenshots(page, `edit-book-${js ? 'js' : 'nojs'}`);
      await page.getByLabel('Title').fill(`Edited ${js}`);
      await Promise.all([
        page.waitForURL(`${s.site.origin}/books/${id}`),
        page.getByRole('button', { name: 'Save' }).click(),
      ]);
      assert.equal(await page.locator('h1').textContent(), `Edited ${js}`);
      const [row] = s.site.rows('books', 'id = ?', id);
      assert.equal(row.title, `Edited ${js}`);
      assert.deepEqual(s.site.files('books', id), cover, 'the cover stayed: the form kept it');
      // A new cover chosen in the same form replaces the old one, on disk too.
      await page.goto(`${s.site.origin}/edit-book/${id}`);
      await page
        .getByLabel('Cover image')
        .setInputFiles({ name: 'new.png', mimeType: 'image/png', buffer: PNG });
      await Promise.all([
        page.waitForURL(`${s.site.origin}/books/${id}`),
        page.getByRole('button', { name: 'Save' }).click(),
      ]);
      const covers = s.site.files('books', id);
      assert.equal(covers.length, 1);
      assert.match(covers[0], /^new_/, 'the new cover is the one kept');

      // The same PUT again and again: the same ETag and `updated`.
      const current = await page.request.get(`${s.site.origin}/api/books/${id}`);
      const record = await current.json();
      const put = () =>
        page.request.put(`${s.site.origin}/edit-book/${id}`, {
          data: { ...record, year: 2001 },
          headers: { 'If-Match': current.headers().etag },
        });
      const once = await put();
      assert.equal(once.status(), 200);
      const etag = once.headers().etag;
      const twice = await page.request.put(`${s.site.origin}/edit-book/${id}`, {
        data: { ...record, year: 2001 },
        headers: { 'If-Match': etag },
      });
      assert.equal(twice.status(), 200);
      assert.equal(twice.headers().etag, etag, 'a repeated PUT changes nothing');
      assert.equal((await twice.json()).updated, (await once.json()).updated);

      // Two tabs: the first saves, the second's form is stale.
      const stale = await page.context().newPage();
      await stale.goto(`${s.site.origin}/edit-book/${id}`);
      await page.goto(`${s.site.origin}/edit-book/${id}`);
      await page.getByLabel('Title').fill('First tab wins');
      await Promise.all([
        page.waitForURL(`${s.site.origin}/books/${id}`),
        page.getByRole('button', { name: 'Save' }).click(),
      ]);
      await stale.getByLabel('Title').fill('Second tab loses');
      await stale.getByRole('button', { name: 'Save' }).click();
      if (js) {
        await stale.locator('.form-error').waitFor();
        assert.match(
          (await stale.locator('.form-error').textContent()) ?? '',
          /^412: [\s\S]*Someone else changed this meanwhile/,
        );
      } else {
        await stale.waitForLoadState();
        const text = (await stale.locator('main').textContent()) ?? '';
        assert.match(text, /Error 412[\s\S]*Someone else changed this book meanwhile/);
        assert.equal(
          await stale.getByRole('link', { name: 'Edit the latest version' }).getAttribute('href'),
          `/edit-book/${id}`,
        );
        await screenshots(stale, 'error-412');
      }
      assert.equal(
        s.site.rows('books', 'id = ?', id)[0].title,
        'First tab wins',
        'nothing of the stale edit was stored',
      );
      await page.context().close();
    });

    it(`10. reviewing ${how}: a signed-in reader reviews, changes only their own; names shown, emails never`, async () => {
      const { page: author } = await member(js, 'author');
      const id = await addBook(author, `Reviewed ${js}`);
      const { page, account } = await member(js, 'critic');
      await page.goto(`${s.site.origin}/books/${id}`);
      await page.locator('form[action="/reviews"]').getByLabel('Rating').selectOption('4');
      await page.locator('form[action="/reviews"]').getByLabel('Review').fill('Worth reading twice.');
      await Promise.all([
        page.waitForURL(`${s.site.origin}/books/${id}`),
        page.getByRole('button', { name: 'Post review' }).click(),
      ]);
      const review = page.locator('li.review');
      await review.waitFor();
      assert.match(
        (await review.textContent()) ?? '',
        new RegExp(`${account.name}[\\s\\S]*Worth reading twice`),
      );
      const [row] = s.site.rows('reviews', 'book = ?', id);
      assert.equal(row.rating, 4);
      assert.equal(row.reviewer, account.name);

      // Editing one's own review.
      await page.getByText('Edit your review').click();
      await page.locator('li.review').getByLabel('Review').fill('Worth reading three times.');
      await page.getByRole('button', { name: 'Save review' }).click();
      await until(
        () => s.site.rows('reviews', 'id = ?', row.id)[0].text === 'Worth reading three times.',
        'the review is saved',
      );
      await page.waitForLoadState();

      // Someone else sees the name, never the email, and may not change it.
      await author.goto(`${s.site.origin}/books/${id}`);
      const html = await author.content();
      assert.ok(html.includes(account.name));
      assert.ok(!html.includes(account.email.toLowerCase()), 'no reviewer email on the page');
      assert.equal(await author.getByText('Edit your review').count(), 0);
      const refused = await author.request.patch(`${s.site.origin}/reviews/${row.id}`, {
        data: { text: 'hijacked' },
      });
      assert.equal(refused.status(), 403);
      const api = await (
        await author.request.get(
          `${s.site.origin}/api/reviews?filter=${encodeURIComponent(`book = "${id}"`)}`,
        )
      ).text();
      assert.ok(!api.includes(account.email.toLowerCase()), 'nor in the API');
      assert.equal(s.site.rows('reviews', 'id = ?', row.id)[0].text, 'Worth reading three times.');
      await page.context().close();
      await author.context().close();
    });

    it(`12. deleting ${how}: one's own review, then one's own book with its cover; a second DELETE is a 404`, async () => {
      const { page } = await member(js, 'remover');
      const id = await addBook(page, `To delete ${js}`, PNG);
      assert.equal(s.site.files('books', id).length, 1);
      await page.locator('form[action="/reviews"]').getByLabel('Rating').selectOption('2');
      await Promise.all([
        page.waitForURL(`${s.site.origin}/books/${id}`),
        page.getByRole('button', { name: 'Post review' }).click(),
      ]);
      await page.locator('li.review').waitFor();
      page.on('dialog', (dialog) => void dialog.accept());
      await page.getByRole('button', { name: 'Delete review' }).click();
      await until(() => s.site.rows('reviews', 'book = ?', id).length === 0, 'the review is gone');
      await page.locator('li.review').waitFor({ state: 'detached' });
      await Promise.all([
        page.waitForURL(`${s.site.origin}/books`),
        page.getByRole('button', { name: 'Delete book' }).click(),
      ]);
      assert.equal(s.site.rows('books', 'id = ?', id).length, 0);
      assert.deepEqual(s.site.files('books', id), [], 'its cover is gone from disk');
      assert.equal((await page.request.delete(`${s.site.origin}/api/books/${id}`)).status(), 404);
      await page.context().close();
    });
  }

  it('11. reading and caching: pages and API reads carry ETags and revalidate with 304; pages with forms are never stored', async () => {
    const page = await (await context(s.browser, false)).newPage();
    for (const path of [
      '/books',
      `/books/${s.site.rows('books')[0].id}`,
      '/api/products',
      '/api/books',
      '/shop',
    ]) {
      const first = await page.request.get(`${s.site.origin}${path}`);
      assert.equal(first.status(), 200, path);
      const etag = first.headers().etag;
      assert.match(etag, /^"/, `${path} has a strong ETag`);
      assert.match(first.headers()['cache-control'], /no-cache/, path);
      const again = await page.request.get(`${s.site.origin}${path}`, { headers: { 'If-None-Match': etag } });
      assert.equal(again.status(), 304, `${path} revalidates`);
    }
    await page.goto(`${s.site.origin}/books`);
    await screenshots(page, 'books');
    await page.context().close();
    const { page: signedIn } = await member(false);
    const withForm = await signedIn.request.get(`${s.site.origin}/books/${s.site.rows('books')[0].id}`);
    assert.equal(withForm.headers()['cache-control'], 'no-store', 'a page with a fresh key is never reused');
    await signedIn.context().close();
  });
});
