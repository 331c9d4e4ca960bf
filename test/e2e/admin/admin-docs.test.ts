/** /_/docs: the OpenAPI document as readable API docs, for anyone, from the server's own document. */
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { before, test } from 'node:test';
import type { Page } from 'playwright-core';
import { type Json, matches, operationsOf } from '../../../admin/src/docs/openapi.js';
import { ROOT } from '../example-site.js';
import {
  adminSuite,
  assertAccessible,
  assertFitsWidth,
  DESKTOP,
  newPage,
  PHONE,
  pageProblems,
} from './admin-site.js';

/**
 * The docs are tens of thousands of pixels tall, longer than a full-page
 * capture can take in time: these shots are the window at the top and at
 * POST /api/books, desktop and phone, into test-output/admin/.
 */
/**
 * axe-core on the whole page. The sections far from the window are not laid
 * out (content-visibility: auto), so axe would see no colours there and
 * report contrast it cannot measure: for the scan every section is rendered.
 */
async function assertDocsAccessible(page: Page, screen: string): Promise<void> {
  const style = await page.addStyleTag({
    content: 'section.op, section.schema-entry { content-visibility: visible !important; }',
  });
  await assertAccessible(page, screen);
  await style.evaluate((el) => el.remove());
}

async function docsScreenshots(page: Page): Promise<void> {
  const dir = join(ROOT, 'test-output', 'admin');
  mkdirSync(dir, { recursive: true });
  for (const [label, viewport] of [
    ['desktop', DESKTOP],
    ['phone', PHONE],
  ] as const) {
    await page.setViewportSize(viewport);
    await page.evaluate('window.scrollTo(0, 0)');
    await page.screenshot({ path: join(dir, `docs-${label}.png`) });
    await page.evaluate(`document.getElementById('op-createBooks').scrollIntoView()`);
    await page.screenshot({ path: join(dir, `docs-create-${label}.png`) });
  }
  await page.setViewportSize(DESKTOP);
}

adminSuite('admin page: API docs', (s) => {
  let doc: Json;
  before(async () => {
    const res = await s.site.t.request({ method: 'GET', url: '/api/openapi.json' });
    assert.equal(res.statusCode, 200);
    doc = JSON.parse(res.body);
  });
  const openDocs = async (page: Page, hash = '') => {
    await page.goto(`${s.site.origin}/_/docs${hash}`);
    await page.getByRole('heading', { level: 1, name: doc.info.title }).waitFor();
  };
  const inViewport = (page: Page, selector: string) =>
    page.evaluate(
      `(() => { const r = document.querySelector(${JSON.stringify(selector)}).getBoundingClientRect();
        return r.top >= -1 && r.top < window.innerHeight; })()`,
    );

  test('anyone sees the title and a section for every operation, and the page asks only its own origin', async () => {
    const operations = operationsOf(doc);
    assert.ok(
      operations.length > 50,
      'the document has the collections, auth, files, batch, meta and admin routes',
    );

    const { context, page } = await newPage(s.browser);
    const requests: string[] = [];
    page.on('request', (r) => requests.push(r.url()));
    const response = await page.goto(`${s.site.origin}/_/docs`);
    assert.equal(response?.status(), 200);
    await page.getByRole('heading', { level: 1, name: 'Methodical API' }).waitFor();
    assert.match((await page.locator('.intro').textContent()) ?? '', /Version 0\.1\.0/);
    assert.match((await page.locator('.intro').textContent()) ?? '', /application\/problem\+json/);

    // Every operation of the document has its section, titled with its method and path.
    const titles = (await page.evaluate(`Object.fromEntries([...document.querySelectorAll('section.op')]
      .map((s) => [s.dataset.operation, s.querySelector('h3').textContent]))`)) as Record<string, string>;
    for (const [path, item] of Object.entries<Json>(doc.paths)) {
      for (const [method, op] of Object.entries<Json>(item)) {
        if (method === 'parameters') continue;
        const title = titles[op.operationId];
        assert.ok(title, `a section for ${method.toUpperCase()} ${path} (${op.operationId})`);
        assert.ok(
          title.includes(method.toUpperCase()) && title.includes(path),
          `${op.operationId}: ${title}`,
        );
        assert.equal(await page.locator(`#op-${op.operationId}`).count(), 1, op.operationId);
      }
    }
    assert.equal(Object.keys(titles).length, operations.length);
    // The contents list them too, and the tags come collections first.
    assert.equal(await page.locator('nav.toc a[data-operation]').count(), operations.length);
    const tags = await page.locator('nav.toc .toc-tag').allTextContents();
    assert.deepEqual(tags.slice(0, 3), ['users', 'authors', 'books']);
    assert.deepEqual(tags.slice(3), ['auth', 'files', 'batch', 'meta', 'admin', 'realtime']);

    // Headings in order for a screen reader: one h1, then h2 per tag, h3 per operation.
    const levels = (await page.evaluate(
      `[...document.querySelectorAll('h1, h2, h3, h4, h5, h6')].map((h) => Number(h.tagName[1]))`,
    )) as number[];
    assert.equal(levels.filter((l) => l === 1).length, 1);
    levels.reduce((previous, level) => {
      assert.ok(level <= previous + 1, `no heading level skipped (${previous} then ${level})`);
      return level;
    }, 1);

    // A link back to the admin page.
    assert.equal(
      await page.getByRole('link', { name: 'Admin page', exact: true }).getAttribute('href'),
      '/_/',
    );
    const origin = new URL(s.site.origin).origin;
    assert.ok(requests.length > 0);
    for (const url of requests) assert.equal(new URL(url).origin, origin, `same-origin request: ${url}`);
    assert.ok(requests.some((u) => u.endsWith('/api/openapi.json')));
    assert.deepEqual(pageProblems(page), []);
    await context.close();
  });

  test('the admin page links to the docs, and the docs back to the admin page', async () => {
    const { context, page } = await newPage(s.browser);
    await page.goto(`${s.site.origin}/_/`);
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    await page.getByRole('link', { name: 'API docs' }).click();
    await page.getByRole('heading', { level: 1, name: doc.info.title }).waitFor();
    assert.equal(new URL(page.url()).pathname, '/_/docs');
    await page.getByRole('link', { name: 'Admin page', exact: true }).click();
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    assert.equal(new URL(page.url()).pathname, '/_/');
    assert.deepEqual(pageProblems(page), []);
    await context.close();
  });

  test('POST /api/books shows its request body fields and its responses; PATCH shows 412', async () => {
    const { context, page } = await newPage(s.browser);
    await openDocs(page);
    const create = page.locator('#op-createBooks');
    assert.match(
      (await create.locator('h3').textContent()) ?? '',
      /POST\s*\/api\/books — Create a books record/,
    );
    assert.match(
      (await create.locator('.security').textContent()) ?? '',
      /a bearer token or the methodical_session cookie/,
    );
    assert.match(
      (await create.locator('.op-body > .rich').textContent()) ?? '',
      /Access \(create rule admin\): admins only/,
    );

    const body = create.locator('.request-body');
    assert.match((await body.textContent()) ?? '', /application\/json/);
    const title = body.locator('tr[data-field="title"]').first();
    assert.match((await title.textContent()) ?? '', /title\s*required/);
    assert.match((await title.textContent()) ?? '', /at most 200 characters/);
    assert.doesNotMatch(
      (await body.locator('tr[data-field="pages"]').first().textContent()) ?? '',
      /required/,
    );
    assert.match(
      (await body.locator('tr[data-field="pages"]').first().textContent()) ?? '',
      /integer \| null.*≥ 1/,
    );
    assert.match(
      (await body.locator('tr[data-field="genre"]').first().textContent()) ?? '',
      /"fiction", "science", "history"/,
    );
    assert.match(
      (await body.locator('tr[data-field="published"]').first().textContent()) ?? '',
      /string \(date\) \| string \(date-time\) \| null/,
    );

    const created = create.locator('li[data-status="201"] > details');
    assert.match((await created.locator('> summary').textContent()) ?? '', /201 Created/);
    // A success is open: its headers and the record it answers.
    assert.ok(
      await created
        .getByRole('cell', { name: 'Location' })
        .or(created.getByRole('rowheader', { name: /Location/ }))
        .first()
        .isVisible(),
    );
    assert.ok(await created.locator('tr[data-field="title"]').first().isVisible());
    const invalid = create.locator('li[data-status="422"] > details');
    assert.match((await invalid.locator('> summary').textContent()) ?? '', /422 Unprocessable Content/);
    await invalid.locator('> summary').click();
    assert.ok(await invalid.getByRole('link', { name: 'Problem' }).first().isVisible());
    assert.ok(await invalid.locator('tr[data-field="errors"]').isVisible());
    assert.equal(await create.locator('li[data-status="412"]').count(), 0, 'a create has no precondition');

    const patch = page.locator('#op-updateBooksRecord');
    assert.match(
      (await patch.locator('li[data-status="412"] > details > summary').textContent()) ?? '',
      /412 Precondition Failed/,
    );
    assert.ok(await patch.locator('tr[data-param="If-Match"]').isVisible());
    assert.ok(await patch.locator('tr[data-param="id"]').isVisible(), 'the path-level id parameter');

    // HEAD and OPTIONS are folded; opening one shows its body.
    const head = page.locator('#op-headBooksList');
    assert.equal(await head.locator('details').getAttribute('open'), null);
    await head.locator('summary').first().click();
    await head.locator('.op-body').waitFor();
    assert.deepEqual(pageProblems(page), []);
    await context.close();
  });

  test('a schema link jumps to the schema, and a link to a section works from another page', async () => {
    const { context, page } = await newPage(s.browser);
    await openDocs(page);
    await page
      .locator('#op-createBooks .request-body')
      .getByRole('link', { name: 'BooksInput' })
      .first()
      .click();
    await page.waitForFunction(`location.hash === '#schema-BooksInput'`);
    assert.ok(await inViewport(page, '#schema-BooksInput'), 'the schema is scrolled into view');
    const entry = page.locator('#schema-BooksInput');
    assert.equal(await entry.getByRole('heading', { level: 3 }).textContent(), 'BooksInput');
    assert.match((await entry.locator('tr[data-field="title"]').textContent()) ?? '', /required/);
    // In the Schemas section a nested ref is a link to its own entry, not a copy.
    const record = page.locator('#schema-BooksRecord');
    // (books.author and books.editors both point to authors: either link goes there.)
    await record.getByRole('link', { name: 'AuthorsRecord' }).first().click();
    await page.waitForFunction(`location.hash === '#schema-AuthorsRecord'`);
    assert.ok(await inViewport(page, '#schema-AuthorsRecord'));

    const { context: other, page: fresh } = await newPage(s.browser);
    await openDocs(fresh, '#op-updateBooksRecord');
    await fresh.waitForFunction(
      `document.getElementById('op-updateBooksRecord').getBoundingClientRect().top < 50`,
    );
    assert.ok(await inViewport(fresh, '#op-updateBooksRecord'));
    assert.deepEqual([...pageProblems(page), ...pageProblems(fresh)], []);
    await other.close();
    await context.close();
  });

  test('the search box narrows the contents, by keyboard too', async () => {
    const { context, page } = await newPage(s.browser);
    await openDocs(page);
    const all = operationsOf(doc);
    const search = page.getByLabel('Filter operations');
    await search.focus();
    await page.keyboard.type('books patch');
    const expected = all.filter((o) => matches(o, 'books patch')).map((o) => o.id);
    assert.ok(expected.includes('updateBooksRecord') && expected.length < 5, expected.join());
    await page
      .getByRole('status')
      .filter({ hasText: `${expected.length} of ${all.length} operations` })
      .waitFor();
    assert.deepEqual(
      await page
        .locator('nav.toc a[data-operation]')
        .evaluateAll((links) => links.map((a) => a.getAttribute('data-operation'))),
      expected,
    );
    assert.deepEqual(await page.locator('nav.toc .toc-tag').allTextContents(), ['books']);

    await search.fill('DELETE');
    const deletes = all.filter((o) => o.method === 'delete' || /delete/i.test(o.summary + o.path + o.id));
    assert.equal(await page.locator('nav.toc a[data-operation]').count(), deletes.length);
    await search.fill('no such operation');
    await page.getByText('No operation matches').waitFor();
    await search.fill('openapi.json get');
    // Tab leaves the box for the first match's tag, then the match; Enter follows it.
    await search.focus();
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate('document.activeElement.textContent'), 'meta');
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate('document.activeElement.dataset.operation'), 'getOpenApiDocument');
    await page.keyboard.press('Enter');
    await page.waitForFunction(`location.hash === '#op-getOpenApiDocument'`);
    await search.fill('');
    assert.equal(await page.locator('nav.toc a[data-operation]').count(), all.length);
    assert.deepEqual(pageProblems(page), []);
    await context.close();
  });

  test('accessible, and on a phone the contents fold above the page and nothing is wider than the window', async () => {
    const { context, page } = await newPage(s.browser, DESKTOP);
    await openDocs(page);
    assert.equal(await page.locator('nav.toc details').getAttribute('open'), '');
    await assertDocsAccessible(page, 'API docs');
    await docsScreenshots(page);

    await page.setViewportSize(PHONE);
    await page.reload();
    await page.getByRole('heading', { level: 1, name: doc.info.title }).waitFor();
    const toc = page.locator('nav.toc details');
    assert.equal(await toc.getAttribute('open'), null, 'the contents start folded on a phone');
    const tocBox = await page.locator('nav.toc').boundingBox();
    const titleBox = await page.getByRole('heading', { level: 1 }).boundingBox();
    assert.ok(tocBox && titleBox && tocBox.y < titleBox.y, 'the contents sit above the page');
    await assertFitsWidth(page, 'the docs at 390 px');
    await page.locator('nav.toc summary').click();
    await page.getByLabel('Filter operations').fill('createBooks');
    await assertFitsWidth(page, 'the docs with the contents open at 390 px');
    await assertDocsAccessible(page, 'API docs on a phone, contents open');
    await page.locator('nav.toc a[data-operation="createBooks"]').click();
    await page.waitForFunction(`location.hash === '#op-createBooks'`);
    assert.equal(await toc.getAttribute('open'), null, 'following a link folds the contents');
    await page.waitForFunction(
      `Math.abs(document.getElementById('op-createBooks').getBoundingClientRect().top) < 50`,
    );
    // A 422 opened shows the widest tables; they scroll in their own box.
    await page.locator('#op-createBooks li[data-status="422"] > details > summary').click();
    await assertFitsWidth(page, 'an open response at 390 px');
    assert.deepEqual(pageProblems(page), []);
    await context.close();
  });
});

// A relation to its own collection makes a recursive schema: CategoriesRecord.expand.parent is a CategoriesRecord.
adminSuite(
  'admin page: API docs of a recursive schema',
  (s) => {
    test('a recursive $ref is a link, not an endless expansion', async () => {
      const res = await s.site.t.request({ method: 'GET', url: '/api/openapi.json' });
      const parent = JSON.parse(res.body).components.schemas.CategoriesRecord.properties.expand.properties
        .parent;
      assert.deepEqual(
        parent.anyOf[0],
        { $ref: '#/components/schemas/CategoriesRecord' },
        'the document does recurse',
      );

      const { context, page } = await newPage(s.browser);
      await page.goto(`${s.site.origin}/_/docs`);
      await page.getByRole('heading', { level: 1 }).waitFor();
      const created = page.locator('#op-createCategories li[data-status="201"] > details');
      const expand = created.locator('tr[data-field="expand"]');
      await expand.waitFor();
      // The record's table, and the expand member's table inside it: nothing deeper.
      assert.equal(await created.locator('table').count(), 3, 'headers, the record, its expand member');
      const nested = created.locator('tr[data-field="expand"] + tr.nested tr[data-field="parent"]');
      assert.match((await nested.textContent()) ?? '', /CategoriesRecord \| null/);
      await nested.getByRole('link', { name: 'CategoriesRecord' }).click();
      await page.waitForFunction(`location.hash === '#schema-CategoriesRecord'`);
      assert.deepEqual(pageProblems(page), []);
      await context.close();
    });
  },
  {
    collections: {
      categories: {
        fields: {
          name: { type: 'text', required: true },
          parent: { type: 'relation', collection: 'categories' },
        },
      },
    },
  },
);
