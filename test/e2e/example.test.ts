/** The example app's home page, as `npm start` serves it, in a real browser. */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import type { Browser } from 'playwright-core';
import { loadConfig } from '../../src/config/load.js';
import { LocalFileStorage } from '../../src/files/local/local-storage.js';
import { createApp } from '../../src/http/app.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { browserSkipReason, launchBrowser } from './browser.js';

const skip = browserSkipReason();

describe('the example app in a browser', { skip }, () => {
  let browser: Browser;
  let app: FastifyInstance;
  let store: SqliteStore;
  let origin: string;
  const dir = mkdtempSync(join(tmpdir(), 'methodical-example-'));

  before(async () => {
    const config = await loadConfig(new URL('../../examples/methodical.config.ts', import.meta.url).pathname);
    store = new SqliteStore({ path: join(dir, 'methodical.db'), collections: config.collections });
    await store.migrate(await store.planMigration());
    app = createApp({ config, store, files: new LocalFileStorage(join(dir, 'files')) });
    origin = await app.listen({ host: '127.0.0.1', port: 0 });
    browser = await launchBrowser();
  });

  after(async () => {
    await browser?.close();
    await app?.close();
    await store?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves the home page, whose links lead to the collections', async () => {
    const page = await browser.newPage();
    const response = await page.goto(`${origin}/`);
    assert.equal(response?.status(), 200);
    assert.equal(await page.title(), 'Methodical bookshop');
    const links = await page.$$eval('a', (as) => as.map((a) => a.getAttribute('href')));
    assert.ok(links.includes('/api/books'));
    assert.ok(links.includes('/api/products'));
    const list = await page.goto(`${origin}/api/books`);
    assert.equal(list?.status(), 200);
    assert.deepEqual(JSON.parse((await list?.text()) ?? ''), {
      items: [],
      page: 1,
      perPage: 20,
      totalItems: 0,
      totalPages: 0,
    });
    await page.close();
  });

  it('shows a missing page as a small HTML page with the 404 status', async () => {
    const page = await browser.newPage();
    const response = await page.goto(`${origin}/no-such-page`);
    assert.equal(response?.status(), 404);
    assert.equal(await page.textContent('.status'), '404');
    assert.equal(await page.textContent('h1'), 'There is nothing here');
    await page.close();
  });
});
