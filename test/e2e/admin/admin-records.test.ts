/** The admin page's table of a collection's records: columns, sort by header, paging, the filter and its errors. */
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import type { Page } from 'playwright-core';
import {
  type Account,
  ADMIN_CONFIG,
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

const rows = (page: Page) => page.locator('table.records tbody tr');
const cells = (page: Page, field: string) => page.locator(`table.records tbody td[data-field="${field}"]`);
const header = (page: Page, name: string) => page.locator('table.records thead th').filter({ hasText: name });

adminSuite('admin page: browsing records', (s) => {
  let admin: Account;
  const ids: string[] = [];
  before(async () => {
    admin = await s.site.account('admin', true);
    for (let i = 1; i <= 25; i++) {
      const book = await s.site.create(
        'books',
        {
          title: `Book ${String(i).padStart(2, '0')}`,
          pages: i * 10,
          inPrint: i % 2 === 0,
          meta: { n: i },
          genre: 'fiction',
        },
        admin,
      );
      ids.push(book.id as string);
    }
  });

  test('the table shows id, every declared field and updated; values shortened; the id links to the record', async () => {
    const { context, page } = await newPage(s.browser);
    await signIn(page, s.site, admin, '#/collections/books');
    await page.getByRole('heading', { name: 'books' }).waitFor();
    const heads = await page.locator('table.records thead th').allTextContents();
    const declared = Object.keys(ADMIN_CONFIG.collections?.books.fields ?? {});
    assert.deepEqual(
      heads.map((h) => h.replace(/[▲▼]/g, '').trim()),
      ['id', ...declared, 'updated'],
    );
    assert.equal(await rows(page).count(), 20);
    await page.getByText('Page 1 of 2').waitFor();
    await page.getByText('25 records').waitFor();
    const first = rows(page).first();
    const id = (await first.locator('td.id').textContent()) ?? '';
    assert.ok(ids.includes(id), id);
    const stored = await s.site.stored('books', id);
    assert.equal(await first.locator('td[data-field="title"]').textContent(), stored?.title);
    assert.equal(
      await first.locator('td[data-field="inPrint"]').textContent(),
      stored?.inPrint ? 'yes' : 'no',
    );
    assert.equal(await first.locator('td[data-field="meta"]').textContent(), JSON.stringify(stored?.meta));
    assert.ok(await page.getByRole('button', { name: 'New record' }).isVisible());
    await assertAccessible(page, 'records table');
    await screenshots(page, 'records-table');
    await page.setViewportSize(PHONE);
    await assertFitsWidth(page, 'the records table at 390 px');
    const wrap = await page.evaluate(`(() => {
      const w = document.querySelector('.table-wrap');
      return { scroll: w.scrollWidth, client: w.clientWidth, overflow: getComputedStyle(w).overflowX };
    })()`);
    const box = wrap as { scroll: number; client: number; overflow: string };
    assert.ok(box.scroll > box.client, 'the table is wider than its box at 390 px and scrolls inside it');
    assert.equal(box.overflow, 'auto');
    await first.locator('td.id a').click();
    await page.getByRole('heading', { name: `books ${id}` }).waitFor();
    assert.match(page.url(), new RegExp(`#/collections/books/${id}$`));
    assert.deepEqual(pageProblems(page), []);
    await context.close();
  });

  test('clicking a header sorts ascending, then descending; the hash keeps it through a reload', async () => {
    const { context, page } = await newPage(s.browser);
    await signIn(page, s.site, admin, '#/collections/books');
    await header(page, 'pages').getByRole('button').click();
    await waitForTrue(page, "location.hash.includes('sort=pages')", 'the sort in the hash');
    await page.locator('th[aria-sort="ascending"]', { hasText: 'pages' }).waitFor();
    await cells(page, 'pages').first().getByText('10', { exact: true }).waitFor();
    assert.equal(await cells(page, 'pages').nth(1).textContent(), '20');
    await header(page, 'pages').getByRole('button').click();
    await page.locator('th[aria-sort="descending"]', { hasText: 'pages' }).waitFor();
    await cells(page, 'pages').first().getByText('250', { exact: true }).waitFor();
    assert.equal(await cells(page, 'pages').nth(1).textContent(), '240');
    assert.match(page.url(), /sort=-pages/);
    assert.equal(await header(page, 'title').getAttribute('aria-sort'), 'none');
    await page.reload();
    await page.locator('th[aria-sort="descending"]', { hasText: 'pages' }).waitFor();
    assert.equal(await cells(page, 'pages').first().textContent(), '250');
    // By keyboard, on a text column: lexical order of the titles.
    await header(page, 'title').getByRole('button').focus();
    await page.keyboard.press('Enter');
    await page.locator('th[aria-sort="ascending"]', { hasText: 'title' }).waitFor();
    await cells(page, 'title').first().getByText('Book 01').waitFor();
    await page.keyboard.press('Space');
    await cells(page, 'title').first().getByText('Book 25').waitFor();
    await context.close();
  });

  test('paging: next and previous, page X of Y, per page; back returns to the page before', async () => {
    const { context, page } = await newPage(s.browser);
    await signIn(page, s.site, admin, '#/collections/books?sort=pages');
    await page.getByText('Page 1 of 2').waitFor();
    assert.ok(await page.getByRole('button', { name: 'Previous' }).isDisabled());
    await page.getByRole('button', { name: 'Next' }).click();
    await page.getByText('Page 2 of 2').waitFor();
    await cells(page, 'pages').first().getByText('210', { exact: true }).waitFor();
    assert.equal(await rows(page).count(), 5);
    assert.match(page.url(), /page=2/);
    assert.ok(await page.getByRole('button', { name: 'Next' }).isDisabled());
    await page.goBack();
    await page.getByText('Page 1 of 2').waitFor();
    await cells(page, 'pages').first().getByText('10', { exact: true }).waitFor();
    await page.getByRole('button', { name: 'Next' }).click();
    await page.getByText('Page 2 of 2').waitFor();
    await page.getByRole('button', { name: 'Previous' }).click();
    await page.getByText('Page 1 of 2').waitFor();
    await page.getByLabel('Per page').selectOption('50');
    await page.getByText('Page 1 of 1').waitFor();
    assert.equal(await rows(page).count(), 25);
    assert.match(page.url(), /perPage=50/);
    await context.close();
  });

  test('the filter takes the API’s language on Apply and lives in the hash', async () => {
    const { context, page } = await newPage(s.browser);
    await signIn(page, s.site, admin, '#/collections/books');
    await page.getByLabel('Filter').fill('pages >= 200 && inPrint = true');
    await page.getByRole('button', { name: 'Apply' }).click();
    await page.getByText('3 records').waitFor();
    const pages = (await cells(page, 'pages').allTextContents()).map(Number).sort((a, b) => a - b);
    assert.deepEqual(pages, [200, 220, 240]);
    assert.equal(await rows(page).count(), 3);
    const hashQuery = new URLSearchParams(new URL(page.url()).hash.split('?')[1]);
    assert.equal(hashQuery.get('filter'), 'pages >= 200 && inPrint = true');
    await page.reload();
    await page.getByText('3 records').waitFor();
    assert.equal(await page.getByLabel('Filter').inputValue(), 'pages >= 200 && inPrint = true');
    await context.close();
  });

  test('a bad filter shows the server’s detail and marks the position where it failed', async () => {
    const { context, page } = await newPage(s.browser);
    await signIn(page, s.site, admin, '#/collections/books');
    const input = page.getByLabel('Filter');
    await input.fill('pages >= 10 && nope = 1');
    await page.getByRole('button', { name: 'Apply' }).click();
    const alert = page.locator('#filter-problem');
    await alert.waitFor();
    assert.match((await alert.textContent()) ?? '', /Unknown field "nope"/);
    const mark = alert.locator('mark.filter-position');
    assert.equal(await mark.getAttribute('data-position'), '15');
    assert.equal(await mark.textContent(), 'n');
    assert.equal(await input.getAttribute('aria-invalid'), 'true');
    assert.equal(await input.getAttribute('aria-describedby'), 'filter-problem');
    assert.equal(
      await input.evaluate((el) => (el as unknown as { selectionStart: number }).selectionStart),
      15,
    );
    assert.equal(await rows(page).count(), 0, 'no table for a refused filter');
    await assertAccessible(page, 'records table with a bad filter');
    await screenshots(page, 'records-bad-filter');
    // Past the end: the position marks a space after the text.
    await input.fill('pages >= ');
    await page.getByRole('button', { name: 'Apply' }).click();
    await alert.locator('mark[data-position="9"]').waitFor();
    assert.match((await alert.textContent()) ?? '', /position 9/);
    assert.equal(
      await input.evaluate((el) => (el as unknown as { selectionStart: number }).selectionStart),
      9,
    );
    // Fixed: the problem goes away and the table is back.
    await input.fill('pages >= 250');
    await page.getByRole('button', { name: 'Apply' }).click();
    await page.getByText('1 record', { exact: true }).waitFor();
    assert.equal(await alert.count(), 0);
    assert.equal(await input.getAttribute('aria-invalid'), null);
    await context.close();
  });

  test('users are a collection like any other here', async () => {
    const { context, page } = await newPage(s.browser);
    await signIn(page, s.site, admin, '#/collections/users');
    await page.getByRole('heading', { name: 'users' }).waitFor();
    await page.locator('table.records td[data-field="email"]', { hasText: admin.email }).waitFor();
    await page.locator('table.records tr', { hasText: admin.email }).locator('td.id a').click();
    await page.getByRole('heading', { name: `users ${admin.id}` }).waitFor();
    assert.equal(await page.getByLabel('email', { exact: true }).inputValue(), admin.email);
    assert.ok(await page.getByLabel('admin', { exact: true }).isChecked());
    await context.close();
  });
});
